"""Cut study pages into the chunks the search ranks and the answers quote.

A chunk follows the page's structure:

* ``prose``: a section's paragraphs and list items, under its heading
  (long sections are split into parts of about ``PROSE_LIMIT`` characters,
  because the embedding model reads only the first 256 word pieces);
* ``qa``: one interview question with its model answer;
* ``row``: one table row, each cell labelled with its column header;
* ``code``: one code block with the sentence that introduces it.

Each chunk also lists its *units*, the pieces an answer may quote: the
sentences of its prose, its list items, its row, its code lines. Every unit
occurs verbatim in the chunk's ``text``, which is what a citation shows, so
an answer built from units can always be traced to its source.

Chunk ids are ``<section id>#<key>``, where the section id already holds the
page slug and the key comes from what the chunk is (``qa-3``, ``row-137``,
``text``, ``code-1``), not from its wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from content.model import (
    PATH_SEPARATOR,
    CodeBlock,
    ListBlock,
    Page,
    Paragraph,
    Section,
    Table,
)
from content.text import plain, slug

from .text import sentences

# Bump when the chunks a page gives change, so that saved indexes rebuild.
CHUNKER_VERSION = "1"

# Characters of prose per chunk: about what the model reads in 256 pieces.
PROSE_LIMIT = 900

__all__ = ["CHUNKER_VERSION", "Chunk", "Unit", "chunk_page", "chunk_pages"]


@dataclass(frozen=True)
class Unit:
    """A piece of a chunk that an answer may quote.

    Attributes:
        text: the piece, occurring verbatim in its chunk's ``text``.
        kind: ``sentence``, ``item``, ``row`` or ``code``.
    """

    text: str
    kind: str


@dataclass(frozen=True)
class Chunk:
    """One searchable, citable piece of a page.

    Attributes:
        id: ``<section id>#<key>``; stable while headings and keys stay.
        page: slug of the page the chunk comes from.
        section_id: id of the section that holds it.
        key: what the chunk is within its section (``qa-3``, ``row-137``).
        kind: ``prose``, ``qa``, ``row`` or ``code``.
        title: heading path joined by " › "; for a Q&A, then the question.
        text: plain text shown as the citation.
        units: the quotable pieces of ``text``, in reading order.
        question: for a Q&A chunk, the question in plain text.
    """

    id: str
    page: str
    section_id: str
    key: str
    kind: str
    title: str
    text: str
    units: tuple[Unit, ...]
    question: str = ""

    @property
    def search_text(self) -> str:
        """What both rankings match: the title, then the text."""
        return f"{self.title}\n{self.text}"


def _norm(text: str) -> str:
    return " ".join(plain(text).split())


def _row_text(header: Sequence[str], row: Sequence[str]) -> str:
    """A table row that reads on its own, with every cell named by its column.

    A table whose first header cell is blank (``| | Container | VM |``)
    compares things: its first cell names the row instead.
    """
    cells = [_norm(cell) for cell in row]
    names = [_norm(cell) for cell in header]
    if not names[0]:
        pairs = "; ".join(
            f"{n}: {c}" for n, c in zip(names[1:], cells[1:], strict=False)
        )
        return f"{cells[0]} — {pairs}"
    return "; ".join(f"{n}: {c}" for n, c in zip(names, cells, strict=False))


def _unique(key: str, seen: set[str]) -> str:
    candidate, number = key, 2
    while candidate in seen:
        candidate = f"{key}-{number}"
        number += 1
    seen.add(candidate)
    return candidate


def _prose_units(block: Paragraph | ListBlock) -> list[Unit]:
    if isinstance(block, Paragraph):
        return [Unit(s, "sentence") for s in sentences(_norm(block.text))]
    return [Unit(item, "item") for item in map(_norm, block.items) if item]


def _section_chunks(page: Page, section: Section) -> Iterable[Chunk]:
    title = section.title_path
    seen: set[str] = set()

    def chunk(key: str, kind: str, text: str, units, *, title=title, question=""):
        key = _unique(key, seen)
        return Chunk(
            id=f"{section.id}#{key}",
            page=page.slug,
            section_id=section.id,
            key=key,
            kind=kind,
            title=title,
            text=text,
            units=tuple(units),
            question=question,
        )

    # Prose, gathered in order and cut into parts at block boundaries.
    parts: list[list[Unit]] = [[]]
    size = 0
    last_sentence = ""
    code_number = 0
    codes = []
    for block in section.blocks:
        if isinstance(block, Paragraph | ListBlock):
            units = _prose_units(block)
            block_size = sum(len(u.text) for u in units)
            if parts[-1] and size + block_size > PROSE_LIMIT:
                parts.append([])
                size = 0
            parts[-1].extend(units)
            size += block_size
            if units and isinstance(block, Paragraph):
                last_sentence = units[-1].text
        elif isinstance(block, CodeBlock):
            code_number += 1
            codes.append((code_number, last_sentence, block))
        elif isinstance(block, Table) and block.rows:
            for row in block.rows:
                text = _row_text(block.header, row)
                yield chunk(f"row-{slug(row[0])}", "row", text, [Unit(text, "row")])
    for number, part in enumerate(p for p in parts if p):
        # List items keep their bullet in the citation, so that an answer
        # line "- item [n]" still occurs verbatim in what it cites.
        text = "\n".join(("- " if u.kind == "item" else "") + u.text for u in part)
        yield chunk(
            "text" if number == 0 else f"text-{number + 1}", "prose", text, part
        )

    # A code block is cited with the sentence that introduces it; a block
    # with no sentence before it is introduced by its heading alone.
    for number, intro, block in codes:
        lines = [line.rstrip() for line in block.code.splitlines() if line.strip()]
        units = ([Unit(intro, "sentence")] if intro else []) + [
            Unit(line.strip(), "code") for line in lines
        ]
        if not lines:
            continue
        text = "\n".join(([intro] if intro else []) + lines)
        yield chunk(f"code-{number}", "code", text, units)

    for qa in section.qas:
        question = _norm(qa.question)
        answer = [Unit(s, "sentence") for s in sentences(_norm(qa.answer))]
        yield chunk(
            f"qa-{qa.index}",
            "qa",
            "\n".join([question, *(u.text for u in answer)]),
            answer,
            title=f"{title}{PATH_SEPARATOR}{question}",
            question=question,
        )


def chunk_page(page: Page) -> list[Chunk]:
    """Cut one page into chunks, in document order.

    Sections with no body (a heading whose code block the page lost) give no
    chunk: there is nothing in them an answer could quote.

    Args:
        page: a parsed study page.

    Returns:
        The page's chunks; ids are unique within the page.
    """
    return [c for section in page.sections for c in _section_chunks(page, section)]


def chunk_pages(pages: Iterable[Page]) -> list[Chunk]:
    """Cut every page into chunks; a repeated page slug keeps its first page."""
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for page in pages:
        if page.slug in seen:
            continue
        seen.add(page.slug)
        chunks.extend(chunk_page(page))
    return chunks
