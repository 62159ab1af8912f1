"""FSRS scheduling as pure functions: a card's state in, its next state out.

Nothing here touches the database; the store calls these functions inside its
transactions, and the log replay calls the same ones, which is what makes the
stored state reproducible from the log.

Classes:
    Phase: where a card is in its life: new, learning, review or relearning.
    CardState: a card's scheduling state at one moment.
    SchedulerConfig: the FSRS settings one answer was scheduled with.
    StudySettings: the learner's study settings (limits, day start, zone, FSRS).
    Choice: what one answer button would do to a card.

Functions:
    review_card: the state after answering.
    preview: the state after each of the four answers.
    retrievability: predicted recall probability of a card at a moment.
    study_day, study_day_start, next_study_day_start: the learner's day.
    format_interval: ``10m``, ``3d``, ``1.5mo`` for answer buttons.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import fsrs
from fsrs import Rating

from settings import Settings
from spaced_repetition.errors import InvalidValueError

__all__ = [
    "NEW_CARD",
    "CardState",
    "Choice",
    "Phase",
    "Rating",
    "SchedulerConfig",
    "StudySettings",
    "as_utc",
    "format_interval",
    "next_study_day_start",
    "preview",
    "retrievability",
    "review_card",
    "study_day",
    "study_day_start",
]


class Phase(IntEnum):
    """A card's phase. Values 1 to 3 are the same as ``fsrs.State``."""

    New = 0
    Learning = 1
    Review = 2
    Relearning = 3


@dataclass(frozen=True)
class CardState:
    """A card's scheduling state at one moment.

    Attributes:
        phase: new, learning, review or relearning.
        step: the learning or relearning step, ``None`` in review.
        stability: FSRS stability in days, ``None`` while new.
        difficulty: FSRS difficulty from 1 to 10, ``None`` while new.
        due: when the card is next due (UTC), ``None`` while new.
        last_review: when it was last answered (UTC), ``None`` while new.
        reps: how many times it was answered.
        lapses: how many times a review card was forgotten (Again).
    """

    phase: Phase = Phase.New
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


NEW_CARD = CardState()


@dataclass(frozen=True)
class SchedulerConfig:
    """The FSRS settings one answer is scheduled with.

    Every log row points at the config it was scheduled with, so replaying the
    log after the learner changed their settings still gives the stored state.

    Attributes:
        parameters: the 21 FSRS weights.
        desired_retention: target probability of recall when a card comes due.
        learning_steps: waits between the first answers of a new card.
        relearning_steps: waits after a review card was forgotten.
        maximum_interval: longest interval in days.
        fuzz: spread review intervals by a few percent so cards learned
            together do not stay together; the spread is seeded by the card
            and its answer count, so a preview shows exactly what is applied.
    """

    parameters: tuple[float, ...] = fsrs.scheduler.DEFAULT_PARAMETERS
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (
        timedelta(minutes=1),
        timedelta(minutes=10),
    )
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    fuzz: bool = True

    def to_json(self) -> str:
        """Canonical JSON, equal for equal configs (it keys the log's configs)."""
        return json.dumps(
            {
                "parameters": list(self.parameters),
                "desired_retention": self.desired_retention,
                "learning_steps": [s.total_seconds() for s in self.learning_steps],
                "relearning_steps": [s.total_seconds() for s in self.relearning_steps],
                "maximum_interval": self.maximum_interval,
                "fuzz": self.fuzz,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> SchedulerConfig:
        """The config written by :meth:`to_json`."""
        data = json.loads(text)
        return cls(
            parameters=tuple(float(p) for p in data["parameters"]),
            desired_retention=float(data["desired_retention"]),
            learning_steps=tuple(timedelta(seconds=s) for s in data["learning_steps"]),
            relearning_steps=tuple(
                timedelta(seconds=s) for s in data["relearning_steps"]
            ),
            maximum_interval=int(data["maximum_interval"]),
            fuzz=bool(data["fuzz"]),
        )


@lru_cache(maxsize=64)
def _fsrs_scheduler(config: SchedulerConfig) -> fsrs.Scheduler:
    # py-fsrs fuzzes with the process-wide random generator, which would make
    # the shown interval differ from the applied one; its fuzz stays off and
    # _fuzzed_days below applies a seeded one.
    return fsrs.Scheduler(
        parameters=config.parameters,
        desired_retention=config.desired_retention,
        learning_steps=config.learning_steps,
        relearning_steps=config.relearning_steps,
        maximum_interval=config.maximum_interval,
        enable_fuzzing=False,
    )


@dataclass(frozen=True)
class StudySettings:
    """The learner's study settings, stored with their review data.

    Attributes:
        new_per_day: new cards introduced per study day.
        reviews_per_day: most review-card answers per study day.
        desired_retention: target recall probability, 0.7 to 0.99.
        learning_steps: waits between a new card's first answers.
        relearning_steps: waits after a review card was forgotten.
        day_start_hour: local hour the study day starts (Anki uses 4).
        timezone: IANA zone name of the learner.
        parameters: personal FSRS weights, or ``None`` for the defaults.
        maximum_interval: longest interval in days.
        fuzz: spread review intervals a little (see SchedulerConfig).
    """

    new_per_day: int = 20
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (
        timedelta(minutes=1),
        timedelta(minutes=10),
    )
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    day_start_hour: int = 4
    timezone: str = "UTC"
    parameters: tuple[float, ...] | None = None
    maximum_interval: int = 36500
    fuzz: bool = True

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.new_per_day <= 9999:
            problems.append(f"new_per_day={self.new_per_day} (expected 0 to 9999)")
        if not 0 <= self.reviews_per_day <= 99999:
            problems.append(
                f"reviews_per_day={self.reviews_per_day} (expected 0 to 99999)"
            )
        if not 0.7 <= self.desired_retention <= 0.99:
            problems.append(
                f"desired_retention={self.desired_retention} (expected 0.7 to 0.99)"
            )
        if not 0 <= self.day_start_hour <= 23:
            problems.append(f"day_start_hour={self.day_start_hour} (expected 0 to 23)")
        if any(s <= timedelta(0) for s in self.learning_steps + self.relearning_steps):
            problems.append("learning steps must be positive durations such as 1m")
        if not 1 <= self.maximum_interval <= 36500:
            problems.append(
                f"maximum_interval={self.maximum_interval} (expected 1 to 36500)"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(
                f"timezone={self.timezone!r} (expected an IANA zone like "
                "'Europe/Berlin')"
            )
        if self.parameters is not None:
            try:
                _fsrs_scheduler(SchedulerConfig(parameters=tuple(self.parameters)))
            except ValueError as error:
                problems.append(f"parameters: {error}")
        if problems:
            raise InvalidValueError(
                "These study settings cannot be used: "
                + "; ".join(problems)
                + ". Change them and save again."
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> StudySettings:
        """The defaults a new learner gets from the app's settings."""
        return cls(
            new_per_day=settings.new_per_day,
            reviews_per_day=settings.reviews_per_day,
            desired_retention=settings.desired_retention,
            learning_steps=tuple(settings.learning_steps),
            day_start_hour=settings.day_start_hour,
            timezone=settings.timezone,
        )

    @property
    def tz(self) -> ZoneInfo:
        """The learner's time zone."""
        return ZoneInfo(self.timezone)

    def scheduler_config(self) -> SchedulerConfig:
        """The FSRS part of these settings."""
        return SchedulerConfig(
            parameters=(
                fsrs.scheduler.DEFAULT_PARAMETERS
                if self.parameters is None
                else tuple(self.parameters)
            ),
            desired_retention=self.desired_retention,
            learning_steps=self.learning_steps,
            relearning_steps=self.relearning_steps,
            maximum_interval=self.maximum_interval,
            fuzz=self.fuzz,
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, durations in seconds."""
        return {
            "new_per_day": self.new_per_day,
            "reviews_per_day": self.reviews_per_day,
            "desired_retention": self.desired_retention,
            "learning_steps": [s.total_seconds() for s in self.learning_steps],
            "relearning_steps": [s.total_seconds() for s in self.relearning_steps],
            "day_start_hour": self.day_start_hour,
            "timezone": self.timezone,
            "parameters": None if self.parameters is None else list(self.parameters),
            "maximum_interval": self.maximum_interval,
            "fuzz": self.fuzz,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object], base: StudySettings) -> StudySettings:
        """Settings from :meth:`to_dict` output; keys it lacks come from ``base``.

        Raises:
            InvalidValueError: a value has the wrong type or is out of range.
        """
        changes: dict[str, object] = {}
        try:
            for key, value in data.items():
                if key in ("learning_steps", "relearning_steps"):
                    changes[key] = tuple(
                        s if isinstance(s, timedelta) else timedelta(seconds=float(s))
                        for s in value  # type: ignore[union-attr]
                    )
                elif key == "parameters":
                    changes[key] = (
                        None if value is None else tuple(float(p) for p in value)  # type: ignore[union-attr]
                    )
                elif key in (
                    "new_per_day",
                    "reviews_per_day",
                    "day_start_hour",
                    "maximum_interval",
                ):
                    changes[key] = int(value)  # type: ignore[arg-type]
                elif key == "desired_retention":
                    changes[key] = float(value)  # type: ignore[arg-type]
                elif key == "timezone":
                    changes[key] = str(value)
                elif key == "fuzz":
                    changes[key] = bool(value)
                else:
                    raise InvalidValueError(
                        f"Unknown study setting {key!r}. Known settings: "
                        + ", ".join(sorted(base.to_dict()))
                        + "."
                    )
        except (TypeError, ValueError) as error:
            if isinstance(error, InvalidValueError):
                raise
            raise InvalidValueError(
                f"A study setting has the wrong type ({error}); expected numbers, "
                "a zone name and lists of seconds."
            ) from error
        return replace(base, **changes)


@dataclass(frozen=True)
class Choice:
    """What one answer button would do.

    Attributes:
        rating: the answer.
        due: when the card would next be due (UTC).
        interval: ``due`` minus the moment of answering.
        state: the whole state the card would have.
    """

    rating: Rating
    due: datetime
    interval: timedelta
    state: CardState


def as_utc(now: datetime) -> datetime:
    """``now`` in UTC.

    Raises:
        InvalidValueError: ``now`` has no time zone, so the moment is unknown.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidValueError(
            f"The time {now.isoformat()} has no time zone; pass an aware "
            "datetime such as datetime.now(UTC)."
        )
    return now.astimezone(UTC)


def study_day(now: datetime, settings: StudySettings) -> date:
    """The learner's study day at ``now``: before the start hour it is yesterday."""
    local = as_utc(now).astimezone(settings.tz)
    if local.hour < settings.day_start_hour:
        return local.date() - timedelta(days=1)
    return local.date()


def _day_start(day: date, settings: StudySettings) -> datetime:
    local = datetime.combine(day, time(settings.day_start_hour), tzinfo=settings.tz)
    return local.astimezone(UTC)


def study_day_start(now: datetime, settings: StudySettings) -> datetime:
    """When the study day holding ``now`` began, in UTC."""
    return _day_start(study_day(now, settings), settings)


def next_study_day_start(now: datetime, settings: StudySettings) -> datetime:
    """When the next study day begins, in UTC (DST days are 23 or 25 hours)."""
    return _day_start(study_day(now, settings) + timedelta(days=1), settings)


def _to_fsrs(state: CardState) -> fsrs.Card:
    if state.phase == Phase.New:
        return fsrs.Card(card_id=0, due=datetime(1970, 1, 1, tzinfo=UTC))
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(int(state.phase)),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def _fuzzed_days(days: int, seed: str, config: SchedulerConfig) -> int:
    """A review interval spread by the FSRS fuzz ranges, chosen by ``seed``."""
    if days < 3:  # as in FSRS, intervals under 2.5 days are left alone
        return days
    delta = 1.0
    for band in fsrs.scheduler.FUZZ_RANGES:
        delta += band["factor"] * max(min(days, band["end"]) - band["start"], 0.0)
    high = min(round(days + delta), config.maximum_interval)
    low = min(max(2, round(days - delta)), high)
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big")).randint(low, high)


def review_card(
    state: CardState,
    rating: Rating | int,
    now: datetime,
    config: SchedulerConfig,
    card_id: str,
) -> CardState:
    """The state of a card after answering it.

    Args:
        state: the card's state before the answer.
        rating: Again, Hard, Good or Easy (1 to 4).
        now: the moment of the answer (any zone; stored as UTC).
        config: FSRS settings to schedule with.
        card_id: the card's id; with its answer count it seeds the fuzz.

    Returns:
        The new state; ``state`` is left as it was.

    Raises:
        InvalidValueError: the rating is not 1 to 4, or ``now`` is naive.
    """
    rating = _rating(rating)
    now = as_utc(now)
    card, _ = _fsrs_scheduler(config).review_card(_to_fsrs(state), rating, now)
    due = card.due
    if config.fuzz and card.state == fsrs.State.Review:
        days = (due - now).days
        fuzzed = _fuzzed_days(days, f"{card_id}:{state.reps}", config)
        due = now + timedelta(days=fuzzed)
    forgotten = state.phase == Phase.Review and rating == Rating.Again
    return CardState(
        phase=Phase(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=due,
        last_review=now,
        reps=state.reps + 1,
        lapses=state.lapses + (1 if forgotten else 0),
    )


def preview(
    state: CardState, now: datetime, config: SchedulerConfig, card_id: str
) -> dict[Rating, Choice]:
    """What each of the four answers would do, exactly as answering would."""
    now = as_utc(now)
    choices = {}
    for rating in Rating:
        after = review_card(state, rating, now, config, card_id)
        assert after.due is not None
        choices[rating] = Choice(rating, after.due, after.due - now, after)
    return choices


def retrievability(state: CardState, now: datetime, config: SchedulerConfig) -> float:
    """Predicted probability of recalling the card at ``now`` (0 while new)."""
    if state.phase == Phase.New:
        return 0.0
    return float(
        _fsrs_scheduler(config).get_card_retrievability(_to_fsrs(state), as_utc(now))
    )


def _rating(rating: Rating | int) -> Rating:
    try:
        return Rating(int(rating))
    except (TypeError, ValueError) as error:
        raise InvalidValueError(
            f"Rating {rating!r} is not an answer; use 1 (Again), 2 (Hard), "
            "3 (Good) or 4 (Easy)."
        ) from error


def format_interval(interval: timedelta) -> str:
    """A short label for an answer button: ``1m``, ``10m``, ``3h``, ``4d``, ``2.1mo``."""
    seconds = interval.total_seconds()
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
