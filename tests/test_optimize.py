"""Personal FSRS parameters fitted from a store's own history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from settings import Settings
from spaced_repetition import NotEnoughReviewsError, ReviewStore
from spaced_repetition.optimize import (
    MIN_REVIEWS,
    optimize_parameters,
    predicted_workload,
)
from spaced_repetition.schedule import SchedulerConfig
from tests.factories import START, make_cards, simulate_learner


@pytest.fixture
def store(tmp_path: Path):
    store = ReviewStore.open(
        tmp_path / "review.sqlite3", Settings(new_per_day=12, timezone="UTC")
    )
    store.sync_cards(make_cards(120), START)
    yield store
    store.close()


def test_too_short_a_history_is_refused_with_the_count(store):
    simulate_learner(store, days=3, seed=1)

    with pytest.raises(NotEnoughReviewsError, match=f"at least {MIN_REVIEWS}"):
        optimize_parameters(store, START + timedelta(days=3))


@pytest.mark.slow
def test_fitted_parameters_change_and_apply_to_later_answers(store):
    now = simulate_learner(store, days=75, seed=2)
    assert store.review_count() == len(store.review_log()) >= MIN_REVIEWS

    proposal = optimize_parameters(store, now)

    assert proposal.changed
    assert proposal.parameters != SchedulerConfig().parameters
    assert proposal.previous == SchedulerConfig().parameters
    assert proposal.workload_before == predicted_workload(store, proposal.previous, now)
    assert proposal.workload_after == predicted_workload(
        store, proposal.parameters, now
    )

    store.update_study_settings(parameters=proposal.parameters)
    answers = len(store.review_log())
    simulate_learner(store, days=1, seed=3, start=now)
    assert len(store.review_log()) > answers
    assert store.review_log()[-1].config.parameters == proposal.parameters
    assert store.replay_states() == store.card_states(include_retired=True)
