"""``python -m exports anki``: the command-line contract from DESIGN.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from exports.__main__ import main
from tests.anki_import import imported_note_count, note_mtimes

PROJECT = Path(__file__).resolve().parent.parent
FIXED = "2026-03-10T09:30:00+00:00"


@pytest.fixture(autouse=True)
def empty_data_dir(tmp_path, monkeypatch):
    """No review history: the export holds exactly the page's cards."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("PREP_DATA_DIR", str(folder))
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        status = main(["anki", *args])
    except SystemExit as stop:
        status = stop.code
    out, err = capsys.readouterr()
    return status, out, err


def test_module_writes_the_deck_and_prints_the_note_count(
    tmp_path, docker_cards, empty_data_dir
):
    out = tmp_path / "docker.apkg"
    result = subprocess.run(
        [sys.executable, "-m", "exports", "anki", "--out", str(out)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={"PATH": "", "PREP_DATA_DIR": str(empty_data_dir)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{len(docker_cards)}\n"
    assert imported_note_count(out, tmp_path / "anki") == len(docker_cards)


def test_sections_choose_the_sub_decks(tmp_path, capsys, docker_cards):
    chosen = ["Docker Security — Production Hardening", "What is Docker?"]
    out = tmp_path / "two.apkg"
    status, stdout, _ = run(
        capsys, "--out", str(out), "--section", chosen[0], "--section", chosen[1]
    )

    expected = sum(card.top_level in chosen for card in docker_cards)
    assert status == 0
    assert 0 < expected < len(docker_cards)
    assert stdout == f"{expected}\n"
    assert imported_note_count(out, tmp_path / "anki") == expected


def test_unknown_section_lists_valid_ones_and_writes_nothing(
    tmp_path, capsys, docker_cards
):
    out = tmp_path / "deck.apkg"
    status, stdout, stderr = run(capsys, "--out", str(out), "--section", "Kubernetes")

    assert status == 2
    assert stdout == ""
    assert "Unknown section 'Kubernetes'" in stderr
    for title in {card.top_level for card in docker_cards}:
        assert repr(title) in stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]


def test_unwritable_path_says_so_and_leaves_no_file(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out in (tmp_path / "missing" / "deck.apkg", blocker / "deck.apkg"):
        status, stdout, stderr = run(capsys, "--out", str(out))

        assert status == 1
        assert stdout == ""
        assert f"Cannot write the deck to {out}" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "data"]


def test_fixed_timestamp_gives_identical_files(tmp_path, capsys):
    first, second = tmp_path / "1.apkg", tmp_path / "2.apkg"
    assert run(capsys, "--out", str(first), "--timestamp", FIXED)[0] == 0
    assert run(capsys, "--out", str(second), "--timestamp", FIXED)[0] == 0

    assert first.read_bytes() == second.read_bytes()


def test_bad_timestamp_is_a_usage_error(tmp_path, capsys):
    status, _, stderr = run(
        capsys, "--out", str(tmp_path / "d.apkg"), "--timestamp", "yesterday"
    )

    assert status == 2
    assert "--timestamp 'yesterday' is not an ISO 8601 time" in stderr


def test_difficult_without_review_history_explains_what_to_do(tmp_path, capsys):
    out = tmp_path / "difficult.apkg"
    status, stdout, stderr = run(capsys, "--out", str(out), "--difficult")

    assert status == 1
    assert stdout == ""
    assert "--difficult needs" in stderr
    assert "export without --difficult" in stderr.lower()
    assert not out.exists()


def test_difficult_keeps_cards_rated_again_and_full_export_adds_personal(
    tmp_path, capsys, docker_cards, empty_data_dir
):
    from datetime import datetime

    from fsrs import Rating

    from settings import load_settings
    from spaced_repetition import DEFAULT_FILENAME, ReviewStore

    now = datetime.fromisoformat(FIXED)
    with ReviewStore.open(empty_data_dir / DEFAULT_FILENAME, load_settings()) as store:
        store.sync_cards(docker_cards, now)
        first, second = docker_cards[0], docker_cards[1]
        store.answer(first.id, Rating.Again, now)
        store.answer(second.id, Rating.Good, now)
        store.add_personal_card(
            "What does `docker events` show?", "Lifecycle events.", ("Docker",), now
        )

    out = tmp_path / "difficult.apkg"
    status, printed, _ = run(
        capsys, "--out", str(out), "--difficult", "--timestamp", FIXED
    )
    assert (status, printed) == (0, "1\n")

    everything = tmp_path / "all.apkg"
    status, printed, _ = run(capsys, "--out", str(everything), "--timestamp", FIXED)
    assert (status, printed) == (0, f"{len(docker_cards) + 1}\n")
    assert imported_note_count(everything, tmp_path / "anki") == len(docker_cards) + 1


def test_notes_carry_when_their_card_last_changed_in_the_review_store(
    tmp_path, capsys, docker_cards, empty_data_dir
):
    from dataclasses import replace
    from datetime import datetime, timedelta

    from exports import note_guid
    from settings import load_settings
    from spaced_repetition import DEFAULT_FILENAME, ReviewStore

    exported = datetime.fromisoformat(FIXED)
    synced = exported - timedelta(days=20)
    # The store last saw the first card with other wording: the page changed
    # after the last sync, so that card cannot take the stored date.
    stale = replace(docker_cards[0], front="Its wording before the page changed?")
    with ReviewStore.open(empty_data_dir / DEFAULT_FILENAME, load_settings()) as store:
        store.sync_cards([stale, *docker_cards[1:]], synced)
        mine = store.add_personal_card(
            "What does `docker events` show?",
            "Lifecycle events.",
            ("Docker",),
            synced + timedelta(days=2),
        )

    out = tmp_path / "dated.apkg"
    status, printed, _ = run(capsys, "--out", str(out), "--timestamp", FIXED)

    assert (status, printed) == (0, f"{len(docker_cards) + 1}\n")
    expected = {note_guid(card): int(synced.timestamp()) for card in docker_cards}
    expected[note_guid(docker_cards[0])] = int(exported.timestamp())
    expected[note_guid(mine)] = int((synced + timedelta(days=2)).timestamp())
    assert note_mtimes(out) == expected
