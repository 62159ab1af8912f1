"""Derive flashcards from a parsed page.

Three kinds of card:

- ``qa``: one per interview question; the back is the model answer.
- ``table-row``: one per body row of every table; the front names the row's
  first cell, the back lists the row's other cells under their headers.
- ``definition``: one per item of a definition-style list, a list whose every
  item reads ``**Term** — explanation``.

A card's id is ``<section id>#<kind>-<key>``: the key is the Q&A's position
among its section's questions, the row's first cell, or the term. Rewording a
question, an answer, a row's other cells or a definition keeps the id.
"""

from __future__ import annotations

import re

from content.model import QA, Flashcard, ListBlock, Page, Section, Table
from content.text import key_points, plain, slug

_DEFINITION = re.compile(r"^\*\*(?P<term>.+?)\*\*\s*[—–:-]\s*(?P<text>.+)$", re.S)


def qa_card_id(section: Section, qa: QA) -> str:
    """The id of a Q&A's card: its section's id and the question's position.

    Built from the position rather than the wording, so rewording a question
    keeps its card and review history.
    """
    return _card_id(section, _qa_key(qa))


def definition_terms(section: Section) -> tuple[str, ...]:
    """The terms a section's definition lists define, in order, as written.

    These are the keys of its ``definition`` cards: ``**Image** — ...`` in a
    list whose every item has that form gives ``Image``.
    """
    return tuple(
        _DEFINITION.match(item)["term"]
        for block in section.blocks
        if isinstance(block, ListBlock) and _is_definition_list(block)
        for item in block.items
    )


def _qa_key(qa: QA) -> str:
    return f"qa-{qa.index}"


def _card_id(section: Section, key: str) -> str:
    return f"{section.id}#{key}"


def build_flashcards(page: Page) -> list[Flashcard]:
    """Every card of a page, in page order.

    Returns:
        The cards; ``order`` counts from 0 in the order they appear.
    """
    cards: list[Flashcard] = []
    for section in page.sections:
        for qa in section.qas:
            cards.append(
                _card(
                    page,
                    section,
                    kind="qa",
                    key=_qa_key(qa),
                    front=qa.question,
                    back=qa.answer,
                    order=len(cards),
                    level=qa.level,
                    key_points=key_points(qa.answer),
                )
            )
        for block in section.blocks:
            if isinstance(block, Table):
                for row in block.rows:
                    cards.append(_row_card(page, section, block, row, len(cards)))
            elif isinstance(block, ListBlock) and _is_definition_list(block):
                for item in block.items:
                    match = _DEFINITION.match(item)
                    cards.append(
                        _card(
                            page,
                            section,
                            kind="definition",
                            key=f"term-{slug(match['term'])}",
                            front=f"{section.title}: **{match['term']}**",
                            back=match["text"].strip(),
                            order=len(cards),
                        )
                    )
    return cards


def _is_definition_list(block: ListBlock) -> bool:
    return len(block.items) >= 2 and all(_DEFINITION.match(i) for i in block.items)


def _row_card(
    page: Page, section: Section, table: Table, row: tuple[str, ...], order: int
) -> Flashcard:
    # "Exit Code 137 — Meaning · What to do?": the prompt names the row and
    # asks for each of its other columns, using the table's own words.
    asked = " · ".join(plain(h) for h in table.header[1:])
    front = f"{section.title}: {plain(table.header[0])} **{row[0]}** — {asked}?"
    back = "\n".join(
        f"- **{plain(header)}:** {cell}"
        for header, cell in zip(table.header[1:], row[1:], strict=True)
    )
    return _card(
        page,
        section,
        kind="table-row",
        key=f"row-{slug(row[0])}",
        front=front,
        back=back,
        order=order,
    )


def _card(
    page: Page,
    section: Section,
    *,
    kind: str,
    key: str,
    front: str,
    back: str,
    order: int,
    level: str | None = None,
    key_points: tuple[str, ...] = (),
) -> Flashcard:
    tags = [page.slug, slug(section.top_level), f"kind-{kind}"]
    if level:
        tags.append(f"level-{level.lower()}")
    return Flashcard(
        id=_card_id(section, key),
        page=page.slug,
        kind=kind,
        front=front,
        back=back,
        section_path=section.path,
        tags=tuple(tags),
        order=order,
        level=level,
        key_points=key_points,
    )
