"""Personal FSRS parameters fitted to the learner's own review history.

Functions:
    optimize_parameters: fit parameters and compare the predicted workload.
    predicted_workload: reviews expected in the coming days under a parameter set.

Fitting loads torch (through ``fsrs.optimizer``) inside the function, so
importing this module stays cheap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from spaced_repetition.errors import NotEnoughReviewsError
from spaced_repetition.schedule import (
    NEW_CARD,
    Rating,
    SchedulerConfig,
    as_utc,
    review_card,
)
from spaced_repetition.store import LogEntry, ReviewStore

logger = logging.getLogger(__name__)

__all__ = [
    "MIN_REVIEWS",
    "ParameterProposal",
    "optimize_parameters",
    "predicted_workload",
]

# Fewer answers than this rarely move the parameters away from the defaults
# (py-fsrs itself keeps the defaults below 512 answers made on a later day).
MIN_REVIEWS = 400


@dataclass(frozen=True)
class ParameterProposal:
    """Parameters fitted to the learner's history, not yet applied.

    Attributes:
        parameters: the fitted FSRS weights; apply them with
            ``store.update_study_settings(parameters=proposal.parameters)``.
        previous: the weights in use now.
        reviews: answers in the log the fit used.
        changed: ``False`` when FSRS kept the defaults because too few of the
            answers were given on a later day than the card's previous one.
        horizon_days: the window of the workload figures.
        workload_before: reviews predicted in that window with ``previous``.
        workload_after: the same with ``parameters``.
    """

    parameters: tuple[float, ...]
    previous: tuple[float, ...]
    reviews: int
    changed: bool
    horizon_days: int
    workload_before: int
    workload_after: int


def _histories(log: list[LogEntry]) -> dict[str, list[LogEntry]]:
    histories: dict[str, list[LogEntry]] = {}
    for entry in log:
        histories.setdefault(entry.card_id, []).append(entry)
    return histories


def predicted_workload(
    store: ReviewStore,
    parameters: tuple[float, ...],
    now: datetime,
    days: int = 30,
) -> int:
    """Reviews of already-studied cards expected in the next ``days`` days.

    Each studied card's history is replayed with ``parameters``, then the card
    is answered Good every time it comes due until the window ends. Assuming
    every answer succeeds undercounts real workload, equally for both sets of
    parameters, so the figure is for comparing them; new cards are left out
    for the same reason.
    """
    now = as_utc(now)
    end = now + timedelta(days=days)
    base = replace(
        store.study_settings().scheduler_config(),
        parameters=tuple(parameters),
        fuzz=False,
    )
    active = store.card_states()
    total = 0
    for card_id, entries in _histories(store.review_log()).items():
        if card_id not in active:
            continue
        state = NEW_CARD
        for entry in entries:
            state = review_card(state, entry.rating, entry.reviewed_at, base, card_id)
        moment = max(now, state.due) if state.due else now
        while state.due is not None and state.due < end:
            moment = max(moment, state.due)
            state = review_card(state, Rating.Good, moment, base, card_id)
            total += 1
    return total


def optimize_parameters(
    store: ReviewStore, now: datetime, horizon_days: int = 30
) -> ParameterProposal:
    """Fit FSRS parameters to the store's review log and compare workloads.

    This takes from seconds to minutes depending on the history's length; the
    app should show a spinner.

    Raises:
        NotEnoughReviewsError: the log holds fewer than ``MIN_REVIEWS`` answers.
    """
    log = store.review_log()
    if len(log) < MIN_REVIEWS:
        raise NotEnoughReviewsError(
            f"Personal parameters need at least {MIN_REVIEWS} answers in the "
            f"review log; it holds {len(log)}. Keep reviewing and try again "
            "later; the default parameters work well meanwhile."
        )
    from fsrs import ReviewLog
    from fsrs.optimizer import Optimizer

    # py-fsrs wants integer card ids; number the cards in order of first answer.
    numbers: dict[str, int] = {}
    fsrs_log = [
        ReviewLog(
            card_id=numbers.setdefault(entry.card_id, len(numbers) + 1),
            rating=entry.rating,
            review_datetime=entry.reviewed_at,
            review_duration=entry.duration_ms,
        )
        for entry in log
    ]
    fitted = tuple(float(p) for p in Optimizer(fsrs_log).compute_optimal_parameters())
    previous = store.study_settings().scheduler_config().parameters
    changed = fitted != tuple(SchedulerConfig().parameters)
    logger.info(
        "Fitted FSRS parameters to %d answers (%s)",
        len(log),
        "changed" if changed else "kept the defaults",
    )
    return ParameterProposal(
        parameters=fitted,
        previous=previous,
        reviews=len(log),
        changed=changed,
        horizon_days=horizon_days,
        workload_before=predicted_workload(store, previous, now, horizon_days),
        workload_after=predicted_workload(store, fitted, now, horizon_days),
    )
