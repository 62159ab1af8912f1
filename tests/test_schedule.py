"""FSRS scheduling and the study day, with fixed UTC clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import fsrs
import pytest

from spaced_repetition.errors import InvalidValueError
from spaced_repetition.schedule import (
    NEW_CARD,
    Phase,
    Rating,
    SchedulerConfig,
    StudySettings,
    format_interval,
    next_study_day_start,
    preview,
    review_card,
    study_day,
    study_day_start,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
EXACT = SchedulerConfig(fuzz=False)


def test_first_good_on_new_card_follows_fsrs_and_moves_to_second_step():
    state = review_card(NEW_CARD, Rating.Good, NOW, EXACT, "c1")

    expected, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card(card_id=1, due=NOW), Rating.Good, NOW
    )
    assert state.phase == Phase.Learning
    assert state.step == 1 == expected.step
    assert state.stability == expected.stability
    assert state.difficulty == expected.difficulty
    assert state.due == NOW + timedelta(minutes=10) == expected.due
    assert state.last_review == NOW
    assert state.reps == 1


def test_good_through_both_steps_graduates_to_review_in_days():
    state = review_card(NEW_CARD, Rating.Good, NOW, EXACT, "c1")
    later = NOW + timedelta(minutes=10)
    state = review_card(state, Rating.Good, later, EXACT, "c1")

    assert state.phase == Phase.Review
    assert state.step is None
    assert state.due - later >= timedelta(days=1)


def _review_card_due_now() -> tuple:
    state = review_card(NEW_CARD, Rating.Easy, NOW, EXACT, "c1")
    assert state.phase == Phase.Review
    return state, state.due


def test_again_sends_review_card_to_relearning_and_counts_a_lapse():
    state, due = _review_card_due_now()

    after = review_card(state, Rating.Again, due, EXACT, "c1")

    assert after.phase == Phase.Relearning
    assert after.step == 0
    assert after.due == due + timedelta(minutes=10)
    assert after.lapses == 1
    assert after.stability < state.stability


def test_preview_shows_exactly_the_interval_answering_applies_with_fuzz_on():
    config = SchedulerConfig(fuzz=True)
    state, due = _review_card_due_now()
    for day in range(0, 400, 7):
        moment = due + timedelta(days=day)
        for card_id in ("a", "b", "c"):
            choices = preview(state, moment, config, card_id)
            for rating, choice in choices.items():
                applied = review_card(state, rating, moment, config, card_id)
                assert choice.state == applied
                assert choice.due == applied.due == moment + choice.interval


def test_fuzz_spreads_long_intervals_across_cards_within_a_few_percent():
    fuzzed = SchedulerConfig(fuzz=True)
    state, due = _review_card_due_now()
    moment = due + timedelta(days=60)  # long overdue: a long next interval
    exact = review_card(state, Rating.Good, moment, EXACT, "x").due - moment
    intervals = {
        review_card(state, Rating.Good, moment, fuzzed, f"card-{i}").due - moment
        for i in range(50)
    }

    assert len(intervals) > 1
    assert all(abs(i - exact) <= exact * 0.1 + timedelta(days=1) for i in intervals)


def test_scheduler_config_survives_json_round_trip():
    config = SchedulerConfig(
        desired_retention=0.85,
        learning_steps=(timedelta(seconds=30), timedelta(hours=1)),
        fuzz=False,
    )

    assert SchedulerConfig.from_json(config.to_json()) == config


def test_study_day_starts_at_the_local_start_hour():
    settings = StudySettings(timezone="Europe/Berlin", day_start_hour=4)
    # 02:59 UTC is 03:59 in Berlin (winter, UTC+1): still the previous day.
    before = datetime(2026, 1, 15, 2, 59, tzinfo=UTC)
    after = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)

    assert study_day(before, settings) == date(2026, 1, 14)
    assert study_day(after, settings) == date(2026, 1, 15)
    assert study_day_start(after, settings) == after
    assert next_study_day_start(before, settings) == after


def test_next_study_day_start_follows_daylight_saving_change():
    settings = StudySettings(timezone="Europe/Berlin", day_start_hour=4)
    # Clocks go forward on 29 March 2026: 4 a.m. is then 02:00 UTC.
    evening = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)

    assert next_study_day_start(evening, settings) == datetime(
        2026, 3, 29, 2, 0, tzinfo=UTC
    )


def test_rating_outside_one_to_four_names_the_valid_answers():
    with pytest.raises(InvalidValueError, match=r"1 \(Again\).*4 \(Easy\)"):
        review_card(NEW_CARD, 5, NOW, EXACT, "c1")


def test_naive_time_is_refused_with_a_hint():
    with pytest.raises(InvalidValueError, match="no time zone"):
        review_card(NEW_CARD, Rating.Good, datetime(2026, 3, 2, 9), EXACT, "c1")


def test_bad_study_settings_name_every_problem():
    with pytest.raises(InvalidValueError) as error:
        StudySettings(desired_retention=0.5, day_start_hour=25, timezone="Mars/Base")

    message = str(error.value)
    assert "desired_retention=0.5" in message
    assert "day_start_hour=25" in message
    assert "Mars/Base" in message


def test_interval_labels_read_like_anki_buttons():
    assert format_interval(timedelta(minutes=1)) == "1m"
    assert format_interval(timedelta(minutes=10)) == "10m"
    assert format_interval(timedelta(hours=5)) == "5h"
    assert format_interval(timedelta(days=3)) == "3d"
    assert format_interval(timedelta(days=45)) == "1.5mo"
    assert format_interval(timedelta(days=730)) == "2y"
