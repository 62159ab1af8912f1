"""Crash and concurrency safety of the review store, with real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from settings import Settings
from spaced_repetition import Rating, ReviewStore
from tests.factories import make_cards

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETTINGS = Settings(new_per_day=9999, reviews_per_day=99999, timezone="UTC")

# A tab that answers random cards as fast as it can, with the wall clock:
# ``answers`` answers (forever when 0) once the file ``go`` exists.
WORKER = textwrap.dedent(
    """
    import random, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from settings import Settings
    from spaced_repetition import ReviewStore

    path, go, answers, seed = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    store = ReviewStore.open(path, Settings(new_per_day=9999, timezone="UTC"))
    ids = sorted(store.card_states())
    rng = random.Random(seed)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    done = 0
    while answers == 0 or done < answers:
        store.answer(rng.choice(ids), rng.randint(1, 4), datetime.now(UTC), 1000)
        done += 1
    store.close()
    """
)


def start_worker(db: Path, go: Path, answers: int, seed: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(db), str(go), str(answers), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert worker.stdout is not None
    line = worker.stdout.readline()
    assert line.strip() == "ready", worker.stderr.read() if worker.stderr else line
    return worker


def assert_consistent(db: Path) -> int:
    """Check the file after crashes or races; returns the number of answers."""
    with ReviewStore.open(db, SETTINGS) as store:
        assert store.integrity_check() == ["ok"]
        stored = store.card_states(include_retired=True)
        log = store.review_log()
        # An answer is the log row and the card update together: every card
        # has exactly as many answers in its state as rows in the log.
        rows_per_card = Counter(entry.card_id for entry in log)
        assert {cid: s.reps for cid, s in stored.items() if s.reps} == dict(
            rows_per_card
        )
        assert store.replay_states() == stored
        return len(log)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "review.sqlite3"
    with ReviewStore.open(path, SETTINGS) as store:
        store.sync_cards(make_cards(40), NOW)
    return path


@pytest.mark.slow
def test_killed_writer_leaves_whole_answers_only(db, tmp_path):
    go = tmp_path / "go"
    go.touch()
    total = 0
    for round_ in range(4):
        worker = start_worker(db, go, answers=0, seed=round_)
        # Let it answer for a while, then kill it wherever it happens to be.
        time.sleep(0.4 + 0.13 * round_)
        worker.send_signal(signal.SIGKILL)
        worker.communicate()  # reaps it and closes its pipes
        assert worker.returncode == -signal.SIGKILL
        answers = assert_consistent(db)
        assert answers > total
        total = answers


@pytest.mark.slow
def test_two_tabs_answering_at_once_lose_no_answer(db, tmp_path):
    go = tmp_path / "go"
    workers = [start_worker(db, go, answers=300, seed=seed) for seed in (1, 2)]
    go.touch()
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors

    assert assert_consistent(db) == 600


def test_threads_sharing_one_store_lose_no_answer(db):
    ids = [card.id for card in make_cards(40)]
    with ReviewStore.open(db, SETTINGS) as store:

        def answer_many(offset: int) -> None:
            for i in range(100):
                moment = NOW + timedelta(seconds=i * 2 + offset)
                store.answer(ids[(i + offset) % len(ids)], Rating.Good, moment)

        threads = [threading.Thread(target=answer_many, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert assert_consistent(db) == 200
