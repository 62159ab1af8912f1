"""The review store on a real SQLite file, with fixed clocks."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from settings import Settings
from spaced_repetition import (
    InvalidValueError,
    NewerSchemaError,
    NotADatabaseError,
    Phase,
    Rating,
    ReviewStore,
    UnknownCardError,
)
from spaced_repetition.schedule import NEW_CARD
from spaced_repetition.store import MIGRATIONS, SCHEMA_VERSION
from tests.factories import make_cards

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, new_per_day=5, timezone="UTC")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "review.sqlite3"


@pytest.fixture
def store(db_path: Path, settings: Settings):
    store = ReviewStore.open(db_path, settings)
    store.sync_cards(make_cards(12), NOW)
    yield store
    store.close()


def study(store: ReviewStore, now: datetime, rating: Rating = Rating.Good) -> str:
    queued = store.next_card(now)
    assert queued is not None
    store.answer(queued.card.id, rating, now, duration_ms=4000)
    return queued.card.id


# The daily queue


def test_new_cards_come_in_page_order_up_to_the_daily_limit(store):
    seen = [study(store, NOW + timedelta(seconds=i), Rating.Easy) for i in range(5)]

    assert seen == [card.id for card in make_cards(12)[:5]]
    assert store.counts(NOW + timedelta(minutes=1))["new"] == 0
    assert store.next_card(NOW + timedelta(minutes=1)) is None


def test_new_card_limit_holds_across_a_restart(db_path, settings):
    with ReviewStore.open(db_path, settings) as store:
        store.sync_cards(make_cards(12), NOW)
        for i in range(3):
            study(store, NOW + timedelta(seconds=i), Rating.Easy)

    later = NOW + timedelta(hours=2)
    with ReviewStore.open(db_path, settings) as store:
        assert store.counts(later)["new"] == 2
        for i in range(2):
            study(store, later + timedelta(seconds=i), Rating.Easy)
        assert store.next_card(later + timedelta(minutes=1)) is None

    next_day = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    with ReviewStore.open(db_path, settings) as store:
        assert store.counts(next_day)["new"] == 5


def test_learning_cards_come_before_reviews_and_reviews_before_new(store):
    review_id = study(store, NOW, Rating.Easy)  # graduates to review at once
    learning_id = study(store, NOW, Rating.Good)  # learning, due in 10 minutes
    review_due = store.card_state(review_id).due

    at = review_due + timedelta(minutes=1)
    assert store.next_card(at).card.id == learning_id
    assert store.next_card(at).queue == "learning"
    store.answer(learning_id, Rating.Easy, at)
    queued = store.next_card(at)
    assert (queued.card.id, queued.queue) == (review_id, "review")
    store.answer(review_id, Rating.Good, at)
    assert store.next_card(at).queue == "new"


def test_review_limit_caps_reviews_per_study_day(db_path):
    limited = Settings(new_per_day=10, reviews_per_day=2, timezone="UTC")
    with ReviewStore.open(db_path, limited) as store:
        store.sync_cards(make_cards(4), NOW)
        for i in range(4):
            study(store, NOW + timedelta(seconds=i), Rating.Easy)
        later = max(s.due for s in store.card_states().values()) + timedelta(hours=1)

        assert store.counts(later)["review"] == 2
        study(store, later)
        study(store, later)
        assert store.counts(later)["review"] == 0
        assert store.next_card(later) is None


def test_learning_card_due_soon_is_shown_once_nothing_else_is_left(db_path):
    one_card = Settings(new_per_day=1, timezone="UTC")
    with ReviewStore.open(db_path, one_card) as store:
        store.sync_cards(make_cards(3), NOW)
        card_id = study(store, NOW)  # due again in 10 minutes

        assert store.next_card(NOW).card.id == card_id
        assert store.next_due_at(NOW) == NOW


def test_counts_and_next_due_when_the_day_is_done(db_path):
    one_card = Settings(new_per_day=1, timezone="UTC")
    with ReviewStore.open(db_path, one_card) as store:
        store.sync_cards(make_cards(3), NOW)
        card_id = study(store, NOW, Rating.Easy)
        due = store.card_state(card_id).due

        assert store.counts(NOW) == {"new": 0, "learning": 0, "review": 0}
        assert store.next_card(NOW) is None
        # More new cards wait for the next study day, before the review is due.
        next_day = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
        assert store.next_due_at(NOW) == min(next_day, due)


def test_next_due_is_none_when_every_card_is_suspended(store):
    for card in make_cards(12):
        store.suspend(card.id)

    assert store.next_card(NOW) is None
    assert store.next_due_at(NOW) is None


# Answering, preview and undo


def test_preview_intervals_are_the_ones_answering_applies(store):
    card_id = study(store, NOW, Rating.Easy)
    due = store.card_state(card_id).due

    for rating in Rating:
        shown = store.preview(card_id, due)[rating]
        result = store.answer(card_id, rating, due)
        assert result.after.due == shown.due
        assert result.after == shown.state
        store.undo(due)


def test_undo_restores_card_state_and_log_exactly(store):
    study(store, NOW)
    study(store, NOW + timedelta(seconds=5), Rating.Hard)
    log_before = store.review_log()
    states_before = store.card_states()
    counts_before = store.counts(NOW + timedelta(seconds=20))

    answered = study(store, NOW + timedelta(seconds=10), Rating.Again)
    undone = store.undo(NOW + timedelta(seconds=20))

    assert undone is not None
    assert (undone.card_id, undone.rating) == (answered, Rating.Again)
    assert undone.state == NEW_CARD
    assert store.review_log() == log_before
    assert store.card_states() == states_before
    assert store.counts(NOW + timedelta(seconds=20)) == counts_before


def test_undo_takes_back_only_the_last_answer_once(store):
    study(store, NOW)
    study(store, NOW + timedelta(seconds=5))

    assert store.undo(NOW + timedelta(seconds=6)) is not None
    assert store.undo(NOW + timedelta(seconds=7)) is None
    assert len(store.review_log()) == 1


def test_undo_is_refused_on_a_later_study_day(store):
    study(store, NOW)

    assert store.undo(NOW + timedelta(days=1)) is None
    assert len(store.review_log()) == 1


def test_answering_an_unknown_card_says_what_to_do(store):
    with pytest.raises(UnknownCardError, match="sync_cards"):
        store.answer("docker/nope", Rating.Good, NOW)
    assert store.review_log() == []


def test_negative_duration_is_refused_and_nothing_is_written(store):
    card_id = make_cards(1)[0].id
    with pytest.raises(InvalidValueError, match="negative"):
        store.answer(card_id, Rating.Good, NOW, duration_ms=-5)

    assert store.review_log() == []
    assert store.card_state(card_id) == NEW_CARD


def test_log_row_records_rating_time_duration_and_both_states(store):
    result = store.answer(make_cards(1)[0].id, Rating.Good, NOW, duration_ms=5200)

    [entry] = store.review_log()
    assert (entry.id, entry.card_id, entry.rating) == (result.log_id, result.card_id, 3)
    assert entry.reviewed_at == NOW
    assert entry.duration_ms == 5200
    assert entry.before == NEW_CARD
    assert entry.after == result.after == store.card_state(result.card_id)


def test_review_log_rows_cannot_be_edited(store, db_path):
    study(store, NOW)
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE review_log SET rating = 4")
    conn.close()


def test_replaying_thousands_of_random_reviews_reproduces_stored_state(db_path):
    rng = random.Random(7)
    busy = Settings(new_per_day=60, reviews_per_day=9999, timezone="Europe/Berlin")
    with ReviewStore.open(db_path, busy) as store:
        store.sync_cards(make_cards(60), NOW)
        now, answers = NOW, 0
        while answers < 3000:
            queued = store.next_card(now)
            if queued is None:
                ready = store.next_due_at(now)
                assert ready is not None and ready > now
                now = ready
                continue
            rating = rng.choices(list(Rating), weights=(15, 10, 60, 15))[0]
            store.answer(queued.card.id, rating, now, rng.randint(500, 20000))
            answers += 1
            now += timedelta(seconds=rng.randint(5, 4000))
            if answers == 1500:  # answers before and after a settings change
                store.update_study_settings(
                    desired_retention=0.85, learning_steps=[60, 600, 3600]
                )
            if answers % 500 == 0:
                store.undo(now)

        stored = store.card_states(include_retired=True)
        log = store.review_log()
        assert len(log) > 2990
        assert {entry.before.phase for entry in log} == set(Phase)
        assert len({entry.config for entry in log}) == 2
        assert store.replay_states() == stored


# Bury and suspend


def test_buried_card_returns_at_the_next_local_study_day(db_path):
    berlin = Settings(new_per_day=5, timezone="Europe/Berlin", day_start_hour=4)
    with ReviewStore.open(db_path, berlin) as store:
        store.sync_cards(make_cards(3), NOW)
        evening = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # 23:00 in Berlin
        first = store.next_card(evening).card.id

        back_at = store.bury(first, evening)

        # 4 a.m. Berlin (UTC+1 in March before the switch) is 03:00 UTC.
        assert back_at == datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
        assert store.next_card(evening).card.id != first
        just_before = back_at - timedelta(minutes=1)
        assert first not in _queue_ids(store, just_before)
        assert store.next_card(back_at).card.id == first


def _queue_ids(store: ReviewStore, now: datetime) -> set[str]:
    """Ids of new cards the queue may offer at ``now`` (not buried)."""
    rows = store.query(
        "SELECT id FROM cards WHERE queue = 0 AND (buried_until IS NULL "
        "OR buried_until <= ?)",
        (now.isoformat(timespec="microseconds"),),
    )
    return {row[0] for row in rows}


def test_suspended_card_leaves_the_queue_and_comes_back_with_its_state(store):
    card_id = study(store, NOW, Rating.Easy)
    state = store.card_state(card_id)
    due = state.due

    store.suspend(card_id)
    assert store.next_card(due).card.id != card_id
    assert store.counts(due)["review"] == 0
    assert [card.id for card in store.suspended_cards()] == [card_id]

    store.unsuspend(card_id)
    assert store.card_state(card_id) == state
    assert store.next_card(due).card.id == card_id
    assert store.suspended_cards() == []


def test_suspending_an_unknown_card_is_an_error(store):
    with pytest.raises(UnknownCardError):
        store.suspend("docker/missing")


# Syncing with the content


def test_reworded_card_keeps_its_history(store):
    card_id = study(store, NOW)
    state = store.card_state(card_id)
    cards = make_cards(12)
    cards[0] = replace(cards[0], front="Reworded question?", back="Better answer.")

    report = store.sync_cards(cards, NOW + timedelta(days=1))

    assert report.updated == (card_id,)
    assert report.added == report.retired == ()
    assert store.card(card_id).front == "Reworded question?"
    assert store.card_state(card_id) == state
    assert len(store.review_log(card_id)) == 1


def test_card_leaving_the_content_is_retired_and_returns_with_its_history(store):
    cards = make_cards(12)
    card_id = study(store, NOW, Rating.Easy)
    state = store.card_state(card_id)
    due = state.due

    report = store.sync_cards(cards[1:], NOW + timedelta(days=1))
    assert report.retired == (card_id,)
    assert card_id not in store.card_states()
    assert store.next_card(due).card.id != card_id
    assert len(store.review_log(card_id)) == 1

    report = store.sync_cards(cards, NOW + timedelta(days=2))
    assert report.restored == (card_id,)
    assert store.card_state(card_id) == state
    assert store.next_card(due).card.id == card_id


def test_new_content_cards_are_added_as_new(store):
    extra = make_cards(14)[12:]

    report = store.sync_cards(make_cards(12) + extra, NOW)

    assert report.added == tuple(card.id for card in extra)
    assert all(store.card_state(card.id) == NEW_CARD for card in extra)


def test_content_changes_are_dated_by_the_sync_that_saw_them(store):
    cards = make_cards(12)
    later, latest = NOW + timedelta(days=1), NOW + timedelta(days=2)
    reworded = replace(cards[0], back="A better answer.")
    retagged = replace(cards[1], tags=(*cards[1].tags, "networking"))
    moved = replace(cards[2], order=99, key_points=("a new key point",))
    store.sync_cards([reworded, retagged, moved, *cards[3:]], later)
    store.sync_cards([reworded, retagged, moved, *cards[3:]], latest)

    changed = store.content_changed_at([reworded, retagged, moved, *cards[3:]])

    assert changed[reworded.id] == changed[retagged.id] == later
    # Order and key points are not shown on the card, so they date nothing.
    assert changed[moved.id] == NOW
    assert {changed[card.id] for card in cards[3:]} == {NOW}


def test_content_changed_at_leaves_out_cards_it_cannot_date(store):
    cards = make_cards(12)
    unsynced = replace(cards[0], front="Reworded after the last sync?")
    unknown = make_cards(13)[12]

    changed = store.content_changed_at([unsynced, unknown, *cards[1:]])

    assert set(changed) == {card.id for card in cards[1:]}


def test_retired_card_returning_unchanged_keeps_its_date(store):
    cards = make_cards(12)
    store.sync_cards(cards[1:], NOW + timedelta(days=1))
    store.sync_cards(cards, NOW + timedelta(days=2))

    assert store.content_changed_at(cards[:1]) == {cards[0].id: NOW}


def test_duplicate_card_ids_are_refused_before_anything_changes(store):
    cards = make_cards(12)

    with pytest.raises(InvalidValueError, match="more than once"):
        store.sync_cards([*cards, cards[3]], NOW)
    assert len(store.card_states()) == 12


# Personal cards


def test_personal_cards_join_the_queue_after_the_page_cards(db_path):
    with ReviewStore.open(db_path, Settings(new_per_day=20, timezone="UTC")) as store:
        store.sync_cards(make_cards(3), NOW)
        mine = store.add_personal_card(
            "What does --init do?", "Runs tini as PID 1.", ("Docker", "Runtime"), NOW
        )

        assert mine.id.startswith("personal:")
        assert mine.kind == "personal"
        assert "personal" in mine.tags
        assert store.personal_cards() == [mine]
        order = [
            study(store, NOW + timedelta(seconds=i), Rating.Easy) for i in range(4)
        ]
        assert order[-1] == mine.id


def test_personal_cards_survive_content_sync(store):
    mine = store.add_personal_card("Front", "Back", ("Docker",), NOW)

    report = store.sync_cards(make_cards(12), NOW + timedelta(days=1))

    assert mine.id not in report.retired
    assert mine.id in store.card_states()
    assert store.content_changed_at(store.personal_cards()) == {mine.id: NOW}


def test_saving_the_same_personal_card_twice_stores_it_once(store):
    first = store.add_personal_card("Front", "Back", ("Docker",), NOW)
    second = store.add_personal_card("Front", "Back", ("Docker",), NOW)

    assert first == second
    assert len(store.personal_cards()) == 1


def test_empty_personal_card_is_refused(store):
    with pytest.raises(InvalidValueError, match="front"):
        store.add_personal_card("  ", "Back", ("Docker",), NOW)


# Study settings


def test_study_settings_default_from_app_settings_and_persist_changes(db_path):
    app = Settings(new_per_day=7, desired_retention=0.85, timezone="Asia/Tokyo")
    with ReviewStore.open(db_path, app) as store:
        assert store.study_settings().new_per_day == 7
        assert store.study_settings().timezone == "Asia/Tokyo"
        store.update_study_settings(new_per_day=3, day_start_hour=6)

    with ReviewStore.open(db_path, app) as store:
        saved = store.study_settings()
        assert (saved.new_per_day, saved.day_start_hour) == (3, 6)
        assert saved.desired_retention == 0.85


def test_invalid_study_setting_is_refused_and_nothing_is_saved(store):
    before = store.study_settings()

    with pytest.raises(InvalidValueError, match=r"desired_retention=1\.5"):
        store.update_study_settings(desired_retention=1.5)
    with pytest.raises(InvalidValueError, match="Unknown study setting 'colour'"):
        store.update_study_settings(colour="red")
    assert store.study_settings() == before


def test_difficult_cards_are_those_rated_again_within_the_window(store):
    hard = study(store, NOW, Rating.Again)
    study(store, NOW + timedelta(seconds=1), Rating.Good)

    assert store.difficult_card_ids(NOW + timedelta(days=1)) == {hard}
    assert store.difficult_card_ids(NOW + timedelta(days=15)) == set()


# The file itself


def test_foreign_file_is_refused_and_left_byte_identical(db_path, settings):
    db_path.write_bytes(b"my notes about docker\n" * 50)
    before = db_path.read_bytes()

    with pytest.raises(NotADatabaseError, match="PREP_DATA_DIR"):
        ReviewStore.open(db_path, settings)
    assert db_path.read_bytes() == before


def test_another_programs_sqlite_database_is_left_byte_identical(db_path, settings):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('bread')")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()

    with pytest.raises(NotADatabaseError, match="another program"):
        ReviewStore.open(db_path, settings)
    assert db_path.read_bytes() == before


def test_newer_schema_is_refused_and_left_byte_identical(db_path, settings):
    with ReviewStore.open(db_path, settings) as store:
        store.sync_cards(make_cards(3), NOW)
        study(store, NOW)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db_path.read_bytes()

    with pytest.raises(NewerSchemaError, match="update the app"):
        ReviewStore.open(db_path, settings)
    assert db_path.read_bytes() == before


def as_older_release(db_path: Path, version: int) -> None:
    """Take back the migrations after ``version``, keeping every row.

    The file is then what that release wrote, with data the current code put
    in (the older code's writes no longer fit the current tables).
    """
    conn = sqlite3.connect(db_path)
    if version < 3:
        conn.execute("ALTER TABLE cards DROP COLUMN content_changed_at")
    if version < 2:
        conn.execute("DROP TABLE personal_cards")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_migrations_build_the_same_tables_as_upgrading_does(tmp_path, settings):
    import sqlite_utils

    def tables(path: Path) -> list[tuple[str, str]]:
        with sqlite3.connect(path) as conn:
            return conn.execute(
                "SELECT name, sql FROM sqlite_master ORDER BY name"
            ).fetchall()

    fresh = tmp_path / "fresh.sqlite3"
    conn = sqlite3.connect(fresh, isolation_level=None)
    db = sqlite_utils.Database(conn, execute_plugins=False)
    for version in sorted(MIGRATIONS):
        MIGRATIONS[version](db, NOW)
    conn.close()
    upgraded = tmp_path / "upgraded.sqlite3"
    ReviewStore.open(upgraded, settings).close()
    as_older_release(upgraded, 1)
    ReviewStore.open(upgraded, settings, now=NOW).close()

    assert tables(upgraded) == tables(fresh)


def test_upgrading_an_older_schema_keeps_cards_and_history(db_path, settings):
    # A version-1 file, as the first release wrote it, with one answer in it.
    with ReviewStore.open(db_path, settings) as old:
        old.sync_cards(make_cards(3), NOW)
        study(old, NOW)
        states = old.card_states()
    as_older_release(db_path, 1)

    with ReviewStore.open(db_path, settings) as store:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        assert store.card_states() == states
        assert len(store.review_log()) == 1
        assert store.add_personal_card("F", "B", ("Docker",), NOW).kind == "personal"


def test_upgrade_to_version_3_dates_page_cards_by_the_upgrade(db_path, settings):
    cards = make_cards(3)
    with ReviewStore.open(db_path, settings) as old:
        old.sync_cards(cards, NOW)
        study(old, NOW)
        mine = old.add_personal_card("F", "B", ("Docker",), NOW)
        states, log = old.card_states(), old.review_log()
    as_older_release(db_path, 2)
    upgraded_at = NOW + timedelta(days=30)

    with ReviewStore.open(db_path, settings, now=upgraded_at) as store:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION == 3
        assert store.card_states() == states
        assert store.review_log() == log
        assert store.personal_cards() == [mine]
        # The store cannot tell which page cards were reworded before the
        # upgrade, so none is dated earlier than it; personal cards are never
        # edited, so their creation is their last change.
        assert store.content_changed_at([*cards, mine]) == {
            **{card.id: upgraded_at for card in cards},
            mine.id: NOW,
        }
        store.sync_cards(cards, upgraded_at + timedelta(days=1))
        assert store.content_changed_at(cards[:1]) == {cards[0].id: upgraded_at}


def test_database_uses_wal_and_passes_integrity_check(store):
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.integrity_check() == ["ok"]


def test_real_page_cards_sync_once_and_come_in_page_order(db_path, settings):
    from content import build_flashcards, default_page

    cards = build_flashcards(default_page())
    with ReviewStore.open(db_path, settings) as store:
        first = store.sync_cards(cards, NOW)
        again = store.sync_cards(cards, NOW + timedelta(days=1))
        shown = [
            study(store, NOW + timedelta(seconds=i), Rating.Easy) for i in range(5)
        ]

    assert len(first.added) == len(cards) > 40
    assert again == type(again)((), (), (), ())
    assert shown == [c.id for c in sorted(cards, key=lambda c: c.order)[:5]]
