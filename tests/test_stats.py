"""Progress-page figures computed from a real review store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from content.model import Flashcard
from settings import Settings
from spaced_repetition import Rating, ReviewStore
from spaced_repetition.schedule import retrievability
from spaced_repetition.stats import (
    due_forecast,
    mastery_by_section,
    progress,
    retrievability_by_card,
    reviews_per_day,
    true_retention,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_cards(count: int) -> list[Flashcard]:
    return [
        Flashcard(
            id=f"docker/s{i % 2}/qa/{i}",
            page="docker",
            kind="qa",
            front=f"Q{i}",
            back=f"A{i}",
            section_path=("Docker", ("Images", "Security")[i % 2], "Details"),
            tags=(),
            order=i,
        )
        for i in range(count)
    ]


@pytest.fixture
def store(tmp_path: Path):
    settings = Settings(new_per_day=50, timezone="America/New_York", day_start_hour=4)
    store = ReviewStore.open(tmp_path / "review.sqlite3", settings)
    store.sync_cards(make_cards(10), NOW)
    yield store
    store.close()


def test_reviews_per_day_counts_by_local_study_day_with_empty_days(store):
    # 07:30 UTC is 02:30 in New York: still the study day of 1 March.
    early = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    store.answer("docker/s0/qa/0", Rating.Good, early)
    store.answer("docker/s0/qa/2", Rating.Good, early)
    store.answer("docker/s1/qa/1", Rating.Good, NOW)  # 04:00 New York, 2 March

    days = reviews_per_day(store, NOW, days=5)

    assert [d["day"] for d in days] == [
        date(2026, 2, 26) + timedelta(days=i) for i in range(5)
    ]
    assert [d["count"] for d in days] == [0, 0, 0, 2, 1]


def test_due_forecast_counts_cards_on_the_day_they_fall_due(store):
    due_dates = []
    for i in range(4):
        result = store.answer(f"docker/s{i % 2}/qa/{i}", Rating.Easy, NOW)
        due_dates.append(result.after.due)
    store.answer("docker/s0/qa/4", Rating.Good, NOW)  # learning, due today
    store.suspend("docker/s1/qa/3")

    forecast = due_forecast(store, NOW, days=30)

    assert len(forecast) == 30
    assert forecast[0]["day"] == date(2026, 3, 2)
    assert sum(d["count"] for d in forecast) == 4
    assert forecast[0]["count"] == 1
    assert sum(d["count"] for d in forecast[1:]) == 3


def test_true_retention_counts_only_review_answers_in_the_window(store):
    ids = [f"docker/s{i % 2}/qa/{i}" for i in range(4)]
    for card_id in ids:
        store.answer(card_id, Rating.Easy, NOW)  # learning answers: not counted
    later = NOW + timedelta(days=20)
    for card_id, rating in zip(ids, (1, 3, 3, 4), strict=True):
        store.answer(card_id, rating, later)

    week = true_retention(store, later + timedelta(hours=1), 7)
    assert (week["reviews"], week["passed"], week["retention"]) == (4, 3, 0.75)
    month_later = true_retention(store, later + timedelta(days=40), 30)
    assert month_later["reviews"] == 0
    assert month_later["retention"] is None


def test_mastery_is_mean_retrievability_of_section_cards_new_counting_zero(store):
    store.answer("docker/s0/qa/0", Rating.Easy, NOW)
    store.answer("docker/s0/qa/2", Rating.Good, NOW)
    store.answer("docker/s1/qa/1", Rating.Hard, NOW)
    at = NOW + timedelta(days=6, hours=5)
    config = store.study_settings().scheduler_config()
    states = store.card_states()

    mastery = {m["section"]: m for m in mastery_by_section(store, at)}

    for section, parity in (("Images", 0), ("Security", 1)):
        cards = [c for c in make_cards(10) if c.id.startswith(f"docker/s{parity}/")]
        expected = sum(retrievability(states[c.id], at, config) for c in cards)
        assert mastery[section]["cards"] == 5
        assert mastery[section]["mastery"] == pytest.approx(expected / 5, rel=1e-9)
    assert mastery["Images"]["studied"] == 2
    assert list(mastery) == ["Images", "Security"]  # page order


def test_card_answered_good_now_is_recalled_now_and_fades_later(store):
    store.answer("docker/s0/qa/0", Rating.Good, NOW)

    now = retrievability_by_card(store, NOW)
    week = retrievability_by_card(store, NOW + timedelta(days=7))
    month = retrievability_by_card(store, NOW + timedelta(days=30))

    assert now["docker/s0/qa/0"] == pytest.approx(1.0)
    assert 0 < month["docker/s0/qa/0"] < week["docker/s0/qa/0"] < 1.0


def test_cards_never_studied_have_zero_retrievability(store):
    store.answer("docker/s0/qa/0", Rating.Good, NOW)

    recall = retrievability_by_card(store, NOW + timedelta(days=3))

    assert set(recall) == {card.id for card in make_cards(10)}
    assert [recall[f"docker/s{i % 2}/qa/{i}"] for i in range(1, 10)] == [0.0] * 9


def test_retired_cards_have_no_retrievability(store):
    store.answer("docker/s0/qa/0", Rating.Good, NOW)
    store.sync_cards(make_cards(10)[1:], NOW)

    assert "docker/s0/qa/0" not in retrievability_by_card(store, NOW)


def test_card_retrievability_averages_to_section_mastery(store):
    store.answer("docker/s0/qa/0", Rating.Easy, NOW)
    store.answer("docker/s0/qa/2", Rating.Good, NOW)
    store.answer("docker/s1/qa/1", Rating.Hard, NOW)
    at = NOW + timedelta(days=6, hours=5)
    config = store.study_settings().scheduler_config()
    states = store.card_states()

    recall = retrievability_by_card(store, at)

    for row in mastery_by_section(store, at):
        parity = ("Images", "Security").index(row["section"])
        ids = [c.id for c in make_cards(10) if c.id.startswith(f"docker/s{parity}/")]
        mean = sum(recall[card_id] for card_id in ids) / len(ids)
        assert mean == pytest.approx(row["mastery"], rel=1e-12)
    # And the value is FSRS's own forgetting curve, not only self-consistent.
    assert recall["docker/s1/qa/1"] == pytest.approx(
        retrievability(states["docker/s1/qa/1"], at, config), rel=1e-9
    )


def test_progress_bundles_every_figure(store):
    store.answer("docker/s0/qa/0", Rating.Again, NOW)

    figures = progress(store, NOW)

    assert figures["reviews_per_day"][-1]["count"] == 1
    assert len(figures["due_forecast"]) == 30
    assert figures["retention_7"]["days"] == 7
    assert figures["retention_30"]["days"] == 30
    assert {m["section"] for m in figures["mastery"]} == {"Images", "Security"}


def test_command_line_prints_stats_as_json(store, capsys):
    import json

    from spaced_repetition.__main__ import main

    store.answer("docker/s0/qa/0", Rating.Good, datetime.now(UTC))

    assert main(["--db", str(store.path), "stats", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["today"]["new"] == 9
    assert sum(day["count"] for day in printed["reviews_per_day"]) == 1


def test_command_line_refuses_a_foreign_file_without_touching_it(tmp_path, capsys):
    from spaced_repetition.__main__ import main

    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database")

    assert main(["--db", str(foreign), "stats"]) == 1
    assert "not an SQLite database" in capsys.readouterr().err
    assert foreign.read_text() == "not a database"
