"""Made-up flashcards and learners for tests of the review store and its stats."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from content.model import Flashcard
from content.text import slug
from spaced_repetition import Rating, ReviewStore

SECTIONS = ("Section 0", "Section 1", "Section 2")
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


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


def simulate_learner(
    store: ReviewStore, days: int, seed: int, start: datetime = START
) -> datetime:
    """A learner whose memory halves or grows 2.5x per review, studying daily."""
    rng = random.Random(seed)
    memory: dict[str, float] = {}
    for day in range(days):
        moment = start + timedelta(days=day)
        while (queued := store.next_card(moment)) is not None:
            last = queued.state.last_review
            elapsed = 0.0 if last is None else (moment - last).total_seconds() / 86400
            strength = memory.setdefault(queued.card.id, 1.0)
            recalled = rng.random() < (
                0.95 if elapsed < 0.5 else 0.9 ** (elapsed / strength)
            )
            if elapsed >= 0.5:
                memory[queued.card.id] = strength * 2.5 if recalled else strength / 2
            rating = Rating.Good if recalled else Rating.Again
            store.answer(queued.card.id, rating, moment, duration_ms=4000)
            moment += timedelta(seconds=45)
    return start + timedelta(days=days)
