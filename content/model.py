"""The typed model of a study page and the flashcards derived from it.

Classes:
    Paragraph, ListBlock, Table, CodeBlock: the blocks of a section.
    QA: one interview question with its model answer and level.
    Section: a heading with its path, stable id and blocks.
    RoadmapStep: one step of the learning roadmap (``Week 1 — Foundations``).
    Page: a whole parsed page.
    Flashcard: one card derived from a page.

Block and answer text keeps its inline Markdown (``**bold**``, ``code``);
``content.text.plain`` turns it into plain text for search and display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PATH_SEPARATOR = " › "
LEVELS = ("ENGINEER", "PRODUCTION", "ARCHITECT")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline Markdown."""

    text: str
    line: int


@dataclass(frozen=True)
class ListBlock:
    """A bulleted or numbered list; each item is inline Markdown."""

    items: tuple[str, ...]
    ordered: bool
    line: int


@dataclass(frozen=True)
class Table:
    """A Markdown table: a header row and body rows of equal width."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    line: int


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block; ``language`` is empty when the fence names none."""

    code: str
    language: str
    line: int


Block = Paragraph | ListBlock | Table | CodeBlock


@dataclass(frozen=True)
class QA:
    """An interview question, its model answer and the level it is asked at.

    ``index`` is the question's 1-based position among its section's
    questions; card ids use it, so rewording a question keeps its card.
    """

    question: str
    answer: str
    level: str
    index: int
    line: int


@dataclass(frozen=True)
class Section:
    """One heading of a page and what stands under it before the next heading.

    ``path`` runs from the page's top heading down to this one; ``id`` is the
    page slug and the slugged path, stable while the headings keep their text.
    """

    id: str
    title: str
    level: int
    path: tuple[str, ...]
    line: int
    blocks: tuple[Block, ...] = ()
    qas: tuple[QA, ...] = ()

    @property
    def title_path(self) -> str:
        """The heading path joined for display: ``Docker › Security``."""
        return PATH_SEPARATOR.join(self.path)

    @property
    def top_level(self) -> str:
        """Title of the top-level section (just under the page title)."""
        return self.path[1] if len(self.path) > 1 else self.path[0]


@dataclass(frozen=True)
class RoadmapStep:
    """One step of a page's learning roadmap: a stage, a title and its items."""

    stage: str
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    """A parsed study page. ``sections`` are in document order."""

    slug: str
    title: str
    source: Path
    sections: tuple[Section, ...]
    roadmap: tuple[RoadmapStep, ...] = ()

    @property
    def qas(self) -> tuple[tuple[Section, QA], ...]:
        """Every Q&A on the page with the section that holds it."""
        return tuple((s, qa) for s in self.sections for qa in s.qas)

    def section(self, section_id: str) -> Section:
        """The section with this id.

        Raises:
            KeyError: no section of this page has that id.
        """
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)


@dataclass(frozen=True)
class Flashcard:
    """One flashcard derived from a page.

    Attributes:
        id: stable identity built from the page, the section path, the card's
            kind and its key (an exit code, a row's first cell, a Q&A's
            position); never from its wording.
        kind: ``qa``, ``table-row`` or ``definition``.
        front: the prompt, inline Markdown.
        back: the answer, Markdown (may hold lists, tables, code).
        section_path: heading path of the section the card came from.
        tags: tags without spaces: section, level (for Q&As) and kind.
        order: position in the page, for introducing new cards in order.
        level: the Q&A's level, or ``None`` for other cards.
        key_points: for Q&As, the answer split into the points worth
            recalling, for grading a typed answer.
    """

    id: str
    page: str
    kind: str
    front: str
    back: str
    section_path: tuple[str, ...]
    tags: tuple[str, ...]
    order: int
    level: str | None = None
    key_points: tuple[str, ...] = field(default=())

    @property
    def section_title(self) -> str:
        """The section path joined for display."""
        return PATH_SEPARATOR.join(self.section_path)

    @property
    def top_level(self) -> str:
        """Title of the top-level section, used for Anki sub-decks."""
        path = self.section_path
        return path[1] if len(path) > 1 else path[0]
