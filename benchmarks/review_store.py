"""Time the review store against Anki's own scheduler on collections of one size.

Builds, in a temporary folder, a review store with 100,000 cards and 1,000,000
review-log rows, and an Anki collection (the ``anki`` package and its Rust
backend) with the same cards, states and log, then prints p50/p95 in
milliseconds for: fetching the next card, answering a card (the four answer
previews plus the write), and computing the Progress-page stats; with the ratio
ours / Anki's.

Run:  .venv/bin/python benchmarks/review_store.py [--cards N] [--log N] [--rounds N]

Not run in CI: building both collections takes a few minutes.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content.model import Flashcard
from settings import Settings
from spaced_repetition import Phase, Rating, ReviewStore
from spaced_repetition.schedule import NEW_CARD, review_card, study_day
from spaced_repetition.stats import progress
from spaced_repetition.store import _queue, _state_values, _ts

SECTIONS = [f"Section {i}" for i in range(20)]
RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
WEIGHTS = (10, 5, 78, 7)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def simulate_histories(cards: int, log_rows: int, now: datetime, seed: int):
    """Review histories made with the real scheduler, ending before ``now``.

    Returns (per card: list of (rating, at, before, after)); cards past the
    point where ``log_rows`` is reached stay new.
    """
    rng = random.Random(seed)
    from spaced_repetition.schedule import StudySettings

    config = StudySettings().scheduler_config()
    histories: list[list[tuple]] = []
    total = 0
    for index in range(cards):
        history: list[tuple] = []
        if total < log_rows:
            state = NEW_CARD
            at = now - timedelta(days=rng.uniform(1, 900))
            while at < now and total < log_rows:
                rating = rng.choices(RATINGS, WEIGHTS)[0]
                after = review_card(state, rating, at, config, f"card-{index}")
                history.append((rating, at, state, after))
                state = after
                total += 1
                at = after.due + timedelta(seconds=rng.uniform(0, 6 * 3600))
        histories.append(history)
    return histories, config


def build_store(path: Path, histories, config, now: datetime) -> ReviewStore:
    settings = Settings(new_per_day=20, reviews_per_day=9999, timezone="UTC")
    store = ReviewStore.open(path, settings)
    cards = [
        Flashcard(
            id=f"card-{i}",
            page="docker",
            kind="qa",
            front=f"Question {i}?",
            back=f"Answer {i}.",
            section_path=("Docker", SECTIONS[i % len(SECTIONS)]),
            tags=("qa",),
            order=i,
        )
        for i in range(len(histories))
    ]
    store.sync_cards(cards, now - timedelta(days=1000))
    study = store.study_settings()
    # Bulk load straight into the tables (an answer at a time would take an
    # hour); the rows are the scheduler's own output, so the log replays.
    conn = store._conn
    conn.execute("BEGIN IMMEDIATE")
    scheduler_id = store._scheduler_id(conn, config)
    log, updates = [], []
    for i, history in enumerate(histories):
        for rating, at, before, after in history:
            log.append(
                (
                    f"card-{i}",
                    int(rating),
                    _ts(at),
                    study_day(at, study).isoformat(),
                    random.randint(1000, 15000),
                    scheduler_id,
                    *_state_values(before),
                    *_state_values(after),
                )
            )
        if history:
            last = history[-1][3]
            updates.append(
                (*_state_values(last), _queue(last.phase, 0, 0), f"card-{i}")
            )
    conn.executemany(
        "INSERT INTO review_log (card_id, rating, reviewed_at, day, duration_ms, "
        "scheduler_id, before_phase, before_step, before_stability, "
        "before_difficulty, before_due, before_last_review, before_reps, "
        "before_lapses, after_phase, after_step, after_stability, "
        "after_difficulty, after_due, after_last_review, after_reps, after_lapses) "
        "VALUES (" + ", ".join("?" * 22) + ")",
        log,
    )
    conn.executemany(
        "UPDATE cards SET phase = ?, step = ?, stability = ?, difficulty = ?, "
        "due = ?, last_review = ?, reps = ?, lapses = ?, queue = ? WHERE id = ?",
        updates,
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return store


def build_anki(path: Path, histories, now: datetime):
    from anki.collection import AddNoteRequest, Collection

    col = Collection(str(path))
    col.set_config("fsrs", True)
    model = col.models.by_name("Basic")
    deck_id = col.decks.id("Docker")
    conf = col.decks.config_dict_for_deck_id(deck_id)
    conf["new"]["perDay"] = 20
    conf["rev"]["perDay"] = 9999
    col.decks.update_config(conf)
    requests = []
    for i in range(len(histories)):
        note = col.new_note(model)
        note["Front"] = f"Question {i}?"
        note["Back"] = f"Answer {i}."
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    for start in range(0, len(requests), 10_000):
        col.add_notes(requests[start : start + 10_000])
    card_ids = col.db.list("SELECT id FROM cards ORDER BY id")
    col.decks.select(deck_id)

    # Card states and the review log go in with SQL: answering a million
    # reviews through the scheduler would take hours. The values mirror the
    # store's: same due days, intervals, stability and difficulty.
    today = col.sched.today
    today_date = now.date()
    kind = {Phase.Learning: 0, Phase.Review: 1, Phase.Relearning: 2, Phase.New: 0}
    card_rows, revlog = [], []
    stamp = int((now - timedelta(days=1000)).timestamp() * 1000)
    for cid, history in zip(card_ids, histories, strict=True):
        if not history:
            continue
        last = history[-1][3]
        due_day = today + (last.due.date() - today_date).days
        interval = max(1, (last.due - last.last_review).days)
        if last.phase == Phase.Review:
            queue, ctype, due = 2, 2, due_day
        else:  # learning steps are due by the second
            queue, ctype, due = (
                1,
                1 if last.phase == Phase.Learning else 3,
                int(last.due.timestamp()),
            )
        data = f'{{"s":{last.stability:.4f},"d":{last.difficulty:.4f}}}'
        card_rows.append(
            (ctype, queue, due, interval, last.reps, last.lapses, data, cid)
        )
        for rating, at, before, after in history:
            stamp = max(stamp + 1, int(at.timestamp() * 1000))
            ivl = (
                (after.due - at).days
                if after.phase == Phase.Review
                else -int((after.due - at).total_seconds())
            )
            revlog.append(
                (stamp, cid, int(rating), ivl, 0, 2500, 8000, kind[before.phase])
            )
    # Anki's own db proxy commits row by row, so the bulk rows go in through
    # sqlite3 in one transaction while the collection is closed.
    col.close()
    conn = sqlite3.connect(path)
    conn.create_collation("unicase", _unicase)
    with conn:
        conn.executemany(
            "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, reps = ?, "
            "lapses = ?, data = ?, factor = 2500 WHERE id = ?",
            card_rows,
        )
        conn.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, "
            "type) VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
            revlog,
        )
    conn.execute("ANALYZE")
    conn.close()
    col = Collection(str(path))
    col.decks.select(deck_id)
    return col


def _unicase(a: str, b: str) -> int:
    return (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run_ours(store: ReviewStore, now: datetime, rounds: int, seed: int):
    rng = random.Random(seed)
    fetch, answer, stats = [], [], []
    for _ in range(rounds):
        took, queued = timed(lambda at=now: store.next_card(at))
        fetch.append(took)
        if queued is None:
            break
        rating = rng.choices(RATINGS, WEIGHTS)[0]
        card_id = queued.card.id

        def answer_once(card_id=card_id, rating=rating, at=now):
            store.preview(card_id, at)
            return store.answer(card_id, rating, at, 5000)

        took, _ = timed(answer_once)
        answer.append(took)
        now += timedelta(seconds=8)
    for _ in range(max(5, rounds // 20)):
        took, _ = timed(lambda: progress(store, now))
        stats.append(took)
    return fetch, answer, stats


def run_anki(col, rounds: int, seed: int):
    from anki.scheduler.v3 import CardAnswer

    rng = random.Random(seed)
    answers = (CardAnswer.AGAIN, CardAnswer.HARD, CardAnswer.GOOD, CardAnswer.EASY)
    fetch, answer, stats = [], [], []
    for _ in range(rounds):
        took, queued = timed(lambda: col.sched.get_queued_cards(fetch_limit=1))
        fetch.append(took)
        if not queued.cards:
            break
        top = queued.cards[0]
        rating = rng.choices(answers, WEIGHTS)[0]

        def answer_once(top=top, rating=rating):
            card = col.get_card(top.card.id)
            card.start_timer()
            states = col._backend.get_scheduling_states(card.id)
            col.sched.describe_next_states(states)  # the four button labels
            return col.sched.answer_card(
                col.sched.build_answer(card=card, states=states, rating=rating)
            )

        took, _ = timed(answer_once)
        answer.append(took)
    for _ in range(max(5, rounds // 20)):
        # Anki's statistics screen: review heatmap, future due, retention.
        took, _ = timed(lambda: col._backend.graphs(search="deck:Docker", days=365))
        stats.append(took)
    return fetch, answer, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--log", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    folder = Path(tempfile.mkdtemp(prefix="review-bench-"))
    print(f"Building {args.cards:,} cards and {args.log:,} log rows in {folder}")
    took, (histories, config) = timed(
        lambda: simulate_histories(args.cards, args.log, now, args.seed)
    )
    rows = sum(len(h) for h in histories)
    print(f"  simulated {rows:,} answers with FSRS in {took:.0f} s")
    took, store = timed(
        lambda: build_store(folder / "review.sqlite3", histories, config, now)
    )
    print(f"  review store filled in {took:.0f} s")
    took, col = timed(lambda: build_anki(folder / "collection.anki2", histories, now))
    histories.clear()
    print(f"  Anki collection filled in {took:.0f} s")

    ours = run_ours(store, now, args.rounds, args.seed)
    theirs = run_anki(col, args.rounds, args.seed)
    print()
    print(
        f"{'operation':<34}{'ours p50':>10}{'p95':>9}{'Anki p50':>10}{'p95':>9}"
        f"{'ratio p50':>11}{'p95':>7}"
    )
    names = (
        "next card",
        "answer (preview + write)",
        "stats (Progress page / graphs)",
    )
    for name, mine, anki in zip(names, ours, theirs, strict=True):
        m50, m95 = percentiles(mine)
        a50, a95 = percentiles(anki)
        print(
            f"{name:<34}{m50:>10.2f}{m95:>9.2f}{a50:>10.2f}{a95:>9.2f}"
            f"{m50 / a50:>10.2f}x{m95 / a95:>6.2f}x"
        )
    print("\ntimes in milliseconds; ratio = ours / Anki's (below 1 is faster)")
    print(
        f"samples: {len(ours[0])} fetches, {len(ours[1])} answers, {len(ours[2])} stats"
    )
    store.close()
    col.close()


if __name__ == "__main__":
    main()
