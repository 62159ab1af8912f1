"""Figures for the Progress page, computed in SQL over the review store.

Functions:
    reviews_per_day: answers per study day, for a calendar heatmap.
    due_forecast: cards coming due on each of the next days.
    true_retention: share of review answers that were not Again.
    mastery_by_section: mean predicted recall of each section's cards.
    retrievability_by_card: each card's predicted recall.
    progress: all of the above in one call.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import TypedDict

from spaced_repetition.schedule import (
    Phase,
    StudySettings,
    as_utc,
    next_study_day_start,
    study_day,
)
from spaced_repetition.store import ReviewStore

__all__ = [
    "DayCount",
    "Progress",
    "Retention",
    "SectionMastery",
    "due_forecast",
    "mastery_by_section",
    "progress",
    "retrievability_by_card",
    "reviews_per_day",
    "true_retention",
]


class DayCount(TypedDict):
    """A number for one study day."""

    day: date
    count: int


class Retention(TypedDict):
    """True retention over a window of days.

    ``retention`` is ``None`` when there were no review answers to judge.
    """

    days: int
    reviews: int
    passed: int
    retention: float | None


class SectionMastery(TypedDict):
    """How well a top-level section is known.

    ``mastery`` is the mean retrievability of its cards, new cards counting 0.
    """

    section: str
    cards: int
    studied: int
    mastery: float


class Progress(TypedDict):
    """Everything the Progress page draws."""

    reviews_per_day: list[DayCount]
    due_forecast: list[DayCount]
    retention_7: Retention
    retention_30: Retention
    mastery: list[SectionMastery]


def _ts(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="microseconds")


def reviews_per_day(
    store: ReviewStore, now: datetime, days: int = 365
) -> list[DayCount]:
    """Answers given on each of the last ``days`` study days, oldest first.

    Days without answers are included with 0, so a heatmap has no gaps.
    """
    settings = store.study_settings()
    today = study_day(now, settings)
    first = today - timedelta(days=days - 1)
    rows = store.query(
        "SELECT day, count(*) FROM review_log WHERE day >= ? AND day <= ? GROUP BY day",
        (first.isoformat(), today.isoformat()),
    )
    counts = {date.fromisoformat(day): n for day, n in rows}
    return [
        DayCount(
            day=first + timedelta(days=i),
            count=counts.get(first + timedelta(days=i), 0),
        )
        for i in range(days)
    ]


def _day_starts(now: datetime, settings: StudySettings, days: int) -> list[datetime]:
    """Start of each of the next ``days`` study days after today, in UTC."""
    starts = []
    moment = as_utc(now)
    for _ in range(days):
        moment = next_study_day_start(moment, settings)
        starts.append(moment)
    return starts


def due_forecast(store: ReviewStore, now: datetime, days: int = 30) -> list[DayCount]:
    """Cards due on each study day from today on (today includes overdue ones).

    Suspended, retired and new cards are left out; buried cards count on the
    day they are due.
    """
    settings = store.study_settings()
    today = study_day(now, settings)
    ends = _day_starts(now, settings, days)
    sql = "SELECT count(*) FROM cards WHERE queue IN (1, 2) AND due < ?"
    with store._read() as conn:
        totals = [conn.execute(sql, (_ts(end),)).fetchone()[0] for end in ends]
    return [
        DayCount(
            day=today + timedelta(days=i), count=totals[i] - (totals[i - 1] if i else 0)
        )
        for i in range(days)
    ]


def true_retention(store: ReviewStore, now: datetime, days: int) -> Retention:
    """Share of answers to review cards in the last ``days`` days not rated Again.

    Only cards in the review phase count, as in Anki's true retention: learning
    steps measure something else.
    """
    since = as_utc(now) - timedelta(days=days)
    reviews, passed = store.query(
        "SELECT count(*), coalesce(sum(rating > 1), 0) FROM review_log "
        "WHERE reviewed_at >= ? AND reviewed_at <= ? AND before_phase = ?",
        (_ts(since), _ts(now), int(Phase.Review)),
    )[0]
    return Retention(
        days=days,
        reviews=reviews,
        passed=passed,
        retention=passed / reviews if reviews else None,
    )


def _julian_day(moment: datetime) -> float:
    # Computed once here rather than by SQLite for each of the cards.
    return as_utc(moment).timestamp() / 86400.0 + 2440587.5


def _ensure_pow(conn: sqlite3.Connection) -> None:
    # SQLite builds without the math functions lack pow(); Python's stands in.
    try:
        conn.execute("SELECT pow(2.0, 0.5)")
    except sqlite3.OperationalError:
        conn.create_function("pow", 2, pow, deterministic=True)


# A card's predicted recall now, on the FSRS forgetting curve with whole days
# elapsed as FSRS counts them; 0 for a card never studied. Its placeholders
# are filled by _curve, in order. Kept in SQL so a section's mean is one
# query however many cards the pages hold.
_RETRIEVABILITY = (
    "CASE WHEN last_review IS NULL THEN 0.0 ELSE pow(1.0 + ? * "
    "max(0, CAST(? - julianday(last_review) AS INTEGER)) / stability, ?) END"
)


def _curve(store: ReviewStore, now: datetime) -> tuple[float, float, float]:
    """The values for ``_RETRIEVABILITY``'s placeholders at ``now``."""
    config = store.study_settings().scheduler_config()
    decay = -config.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return factor, _julian_day(now), decay


def retrievability_by_card(store: ReviewStore, now: datetime) -> dict[str, float]:
    """Each active card's predicted chance of recall at ``now``.

    Computed as ``mastery_by_section`` computes it, so a section's mastery is
    the mean of its cards' values here. Retired cards are left out; a card
    never studied gives 0.

    Returns:
        Card id to retrievability, from 0 to 1.
    """
    curve = _curve(store, now)  # reads settings: not inside _read's snapshot
    with store._read() as conn:
        _ensure_pow(conn)
        rows = conn.execute(
            f"SELECT id, {_RETRIEVABILITY} FROM cards WHERE retired = 0", curve
        ).fetchall()
    return dict(rows)


def mastery_by_section(store: ReviewStore, now: datetime) -> list[SectionMastery]:
    """Mean retrievability of each top-level section's cards, in page order.

    Uses the FSRS forgetting curve of the learner's current parameters, with
    whole days elapsed as FSRS does. Retired and personal-only sections are
    included only while they hold active cards.
    """
    curve = _curve(store, now)
    with store._read() as conn:
        _ensure_pow(conn)
        rows = conn.execute(
            "SELECT section, count(*), count(last_review), "
            f"coalesce(sum({_RETRIEVABILITY}), 0.0), min(ord) "
            "FROM cards WHERE retired = 0 GROUP BY section ORDER BY min(ord)",
            curve,
        ).fetchall()
    return [
        SectionMastery(
            section=section, cards=cards, studied=studied, mastery=total / cards
        )
        for section, cards, studied, total, _ in rows
    ]


def progress(store: ReviewStore, now: datetime) -> Progress:
    """Every figure of the Progress page."""
    return Progress(
        reviews_per_day=reviews_per_day(store, now),
        due_forecast=due_forecast(store, now),
        retention_7=true_retention(store, now, 7),
        retention_30=true_retention(store, now, 30),
        mastery=mastery_by_section(store, now),
    )
