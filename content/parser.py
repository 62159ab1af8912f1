"""Parse a Markdown study page into the typed model of ``content.model``.

Conventions a page follows beyond plain Markdown:

- The first heading is the page's title; every heading after it is a section
  whose path runs from the title down.
- An interview question is a heading whose first line below is its level,
  such as ``DOCKER · ENGINEER``; the text after that line is the model answer.
  Such headings become Q&As of the section above them, not sections.
- A section whose title contains "Roadmap" holds the learning roadmap: each
  sub-heading ``Week 1 — Foundations`` is a step and its list the step's items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from content.errors import ContentError
from content.model import (
    LEVELS,
    QA,
    Block,
    CodeBlock,
    ListBlock,
    Page,
    Paragraph,
    RoadmapStep,
    Section,
    Table,
)
from content.text import markdown, slug

_LEVEL_LINE = re.compile(r"^(?:[A-Z0-9][A-Z0-9 ./+-]*\s+·\s+)?([A-Z]+)$")
_ROADMAP_STEP = re.compile(r"^(.+?)\s+[—–-]\s+(.+)$")


@dataclass
class _Heading:
    """A heading and its blocks while the page is being read."""

    title: str
    level: int
    line: int
    blocks: list[Block] = field(default_factory=list)
    end_line: int = 0


def load_page(path: Path) -> Page:
    """Read and parse one page file.

    Raises:
        ContentError: the file is unreadable, not UTF-8, empty, or breaks
            one of the page conventions.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ContentError(
            path, 1, f"cannot be read ({error.strerror})", "Check the file exists"
        ) from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ContentError(
            path,
            line,
            f"is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})",
            "Save the page with UTF-8 encoding",
        ) from error
    return parse_page(text, path)


def parse_page(text: str, path: Path) -> Page:
    """Parse a page's Markdown text.

    Args:
        text: the page's Markdown.
        path: the file it came from; names the page and appears in errors.

    Raises:
        ContentError: the page is empty, has no headings, has text before its
            first heading, a table row whose cell count differs from its
            header, or an interview question without an answer.
    """
    path = Path(path)
    if not text.strip():
        raise ContentError(
            path, 1, "is empty", "Write a '# Title' heading and the page's sections"
        )
    lines = text.splitlines()
    tokens = markdown().parse(text)
    if not any(token.type == "heading_open" for token in tokens):
        raise ContentError(
            path,
            1,
            "has no headings",
            "Start the page with a '# Title' line and give each section a '## Heading'",
        )
    return _build_page(_read_headings(tokens, lines, path), lines, path)


def _read_headings(tokens, lines: list[str], path: Path) -> list[_Heading]:
    """Walk the token stream and collect each heading with its blocks."""
    headings: list[_Heading] = []
    list_items: list[str] | None = None
    list_start = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = token.map[0] + 1 if token.map else 0
        kind = token.type

        if kind == "heading_open":
            if headings:
                headings[-1].end_line = line - 1
            headings.append(_Heading(tokens[i + 1].content, int(token.tag[1]), line))
            i += 3
            continue

        if kind in ("bullet_list_open", "ordered_list_open") and token.level == 0:
            list_items, list_start = [], line
        elif kind in ("bullet_list_close", "ordered_list_close") and token.level == 0:
            block: Block = ListBlock(
                tuple(list_items or ()), kind == "ordered_list_close", list_start
            )
            _current(headings, path, list_start).blocks.append(block)
            list_items = None
        elif kind == "inline" and list_items is not None:
            list_items.append(token.content)
        elif kind == "paragraph_open" and token.level == 0:
            paragraph = Paragraph(tokens[i + 1].content, line)
            _current(headings, path, line).blocks.append(paragraph)
        elif kind == "fence" or (kind == "code_block" and token.level == 0):
            code = CodeBlock(token.content.rstrip("\n"), token.info.strip(), line)
            _current(headings, path, line).blocks.append(code)
        elif kind == "table_open":
            table = _read_table(tokens, i, lines, path)
            _current(headings, path, line).blocks.append(table)
        i += 1
    headings[-1].end_line = len(lines)
    return headings


def _current(headings: list[_Heading], path: Path, line: int) -> _Heading:
    if not headings:
        raise ContentError(
            path,
            line,
            "has text before its first heading",
            "Put a '# Title' line at the top of the page",
        )
    return headings[-1]


def _cells(source_line: str) -> int:
    """Count the cells of one Markdown table row as written in the file.

    The Markdown parser pads or cuts rows to the header's width without a
    word, so the check has to read the row itself.
    """
    row = source_line.strip()
    row = row.removeprefix("|")
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return len(re.split(r"(?<!\\)\|", row))


def _read_table(tokens, start: int, lines: list[str], path: Path) -> Table:
    header: list[str] = []
    rows: list[tuple[str, ...]] = []
    row: list[str] = []
    in_head = False
    i = start
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
            if not in_head and token.map:
                number = token.map[0]
                if _cells(lines[number]) != len(header):
                    raise ContentError(
                        path,
                        number + 1,
                        f"this table row has {_cells(lines[number])} cells "
                        f"but its header has {len(header)}",
                        "Give every row one cell per header column "
                        "(leave a cell empty as '|  |')",
                    )
        elif token.type == "inline":
            row.append(token.content.strip())
        elif token.type == "tr_close":
            if in_head:
                header = row
            else:
                rows.append(tuple(row))
        i += 1
    line = tokens[start].map[0] + 1 if tokens[start].map else 0
    return Table(tuple(header), tuple(rows), line)


def _question_level(heading: _Heading, path: Path) -> str | None:
    """The level of an interview question heading, or None for a section."""
    first = heading.blocks[0] if heading.blocks else None
    if not isinstance(first, Paragraph) or "\n" in first.text.strip():
        return None
    match = _LEVEL_LINE.match(first.text.strip())
    # A lone capitalised word ("NOTE") is ordinary text; "DOCKER · X" is
    # meant as a level, so an unknown X is an error rather than a section.
    if not match or ("·" not in first.text and match[1] not in LEVELS):
        return None
    if match[1] not in LEVELS:
        raise ContentError(
            path,
            first.line,
            f"the question '{heading.title}' has level {match[1]!r}",
            f"Use one of {', '.join(LEVELS)}",
        )
    return match[1]


def _build_page(headings: list[_Heading], lines: list[str], path: Path) -> Page:
    page_slug = slug(path.stem)
    title = headings[0].title
    sections: list[Section] = []
    qas: dict[int, list[QA]] = {}  # index in ``sections`` -> its questions
    stack: list[tuple[int, int]] = []  # (heading level, index in ``sections``)
    used_ids: set[str] = set()

    for heading in headings:
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        level = _question_level(heading, path) if stack else None
        if level is not None:
            owner = stack[-1][1]
            answer_start = heading.blocks[0].line  # the level line, 1-based
            answer = "\n".join(lines[answer_start : heading.end_line]).strip()
            if not answer:
                raise ContentError(
                    path,
                    heading.line,
                    f"the question '{heading.title}' has no answer",
                    "Write the model answer below its level line",
                )
            questions = qas.setdefault(owner, [])
            questions.append(
                QA(heading.title, answer, level, len(questions) + 1, heading.line)
            )
            continue

        parent_path = sections[stack[-1][1]].path if stack else ()
        section_path = (*parent_path, heading.title)
        section_id = "/".join([page_slug, *(slug(part) for part in section_path[1:])])
        unique_id, n = section_id, 2
        while unique_id in used_ids:
            unique_id, n = f"{section_id}-{n}", n + 1
        used_ids.add(unique_id)
        sections.append(
            Section(
                id=unique_id,
                title=heading.title,
                level=heading.level,
                path=section_path,
                line=heading.line,
                blocks=tuple(heading.blocks),
            )
        )
        stack.append((heading.level, len(sections) - 1))

    sections = [
        _with_qas(section, qas.get(index, [])) for index, section in enumerate(sections)
    ]
    return Page(page_slug, title, path, tuple(sections), _roadmap(sections))


def _with_qas(section: Section, questions: list[QA]) -> Section:
    if not questions:
        return section
    return Section(
        section.id,
        section.title,
        section.level,
        section.path,
        section.line,
        section.blocks,
        tuple(questions),
    )


def _roadmap(sections: list[Section]) -> tuple[RoadmapStep, ...]:
    roots = [s for s in sections if "roadmap" in s.title.casefold()]
    if not roots:
        return ()
    root = roots[0]
    steps = []
    for section in sections:
        if section.path[:-1] != root.path:
            continue
        match = _ROADMAP_STEP.match(section.title)
        stage, title = (match[1], match[2]) if match else (section.title, "")
        items = tuple(
            item
            for block in section.blocks
            if isinstance(block, ListBlock)
            for item in block.items
        )
        steps.append(RoadmapStep(stage, title, items))
    return tuple(steps)
