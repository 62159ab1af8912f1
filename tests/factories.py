"""Small, made-up flashcards for tests of the review store and its stats."""

from __future__ import annotations

from collections.abc import Sequence

from content.model import Flashcard
from content.text import slug

SECTIONS = ("Section 0", "Section 1", "Section 2")


def make_cards(count: int, sections: Sequence[str] = SECTIONS) -> list[Flashcard]:
    """``count`` Q&A cards in page order, dealt round the given sections.

    Card ``i`` is ``docker/<section slug>/qa/<i>`` in ``sections[i % n]``.
    """
    cards = []
    for i in range(count):
        section = sections[i % len(sections)]
        cards.append(
            Flashcard(
                id=f"docker/{slug(section)}/qa/{i}",
                page="docker",
                kind="qa",
                front=f"Question {i}?",
                back=f"Answer {i}.",
                section_path=("Docker", section),
                tags=(slug(section), "qa"),
                order=i,
            )
        )
    return cards
