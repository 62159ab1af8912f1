"""Re-importing a newer export updates only the notes whose card changed.

The review store dates each card's content, the exporter dates each note by
it, and the real ``anki`` library imports the decks into a fresh collection,
as a learner's desktop app would. Anki updates a note only when the incoming
one is dated after its own copy, and stamps the learner's own edits with the
wall clock, so the fixed clocks here lie in the past.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from anki.collection import (
    Collection,
)

import exports
from settings import Settings
from spaced_repetition import ReviewStore
from tests.anki_import import import_deck

SYNCED = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
FIRST_EXPORT = SYNCED + timedelta(days=1)
REWORDED = SYNCED + timedelta(days=10)
SECOND_EXPORT = REWORDED + timedelta(hours=2)


@pytest.fixture
def store(tmp_path, docker_cards):
    """A review store that has seen the Docker page's cards once."""
    settings = Settings(data_dir=tmp_path, timezone="UTC")
    with ReviewStore.open(tmp_path / "review.sqlite3", settings) as store:
        store.sync_cards(docker_cards, SYNCED)
        yield store


def export(store: ReviewStore, cards, path, at: datetime):
    """Export as the app does: notes dated by the store, the rest by ``at``."""
    deck = exports.build_deck(cards, page_title="Docker")
    modified = store.content_changed_at(deck.cards)
    return exports.write_apkg(deck, path, timestamp=at, modified=modified)


def note_id(col: Collection, card) -> int:
    """The id of a card's note in Anki (GUIDs hold search syntax, so scan)."""
    guid = exports.note_guid(card)
    return next(n for n in col.find_notes("") if col.get_note(n).guid == guid)


def notes_by_guid(col: Collection) -> dict[str, tuple]:
    """Every note as Anki holds it: fields, tags and modification time."""
    notes = (col.get_note(note_id) for note_id in col.find_notes(""))
    return {
        note.guid: (list(note.fields), sorted(note.tags), note.mod) for note in notes
    }


def test_reimport_updates_the_reworded_note_and_keeps_learner_edits(
    tmp_path, store, collection, docker_cards
):
    first = import_deck(
        collection, export(store, docker_cards, tmp_path / "v1.apkg", FIRST_EXPORT)
    )
    assert len(first.new) == len(docker_cards)

    # The learner fixes a typo in one note, in Anki.
    edited_card, changed_card = docker_cards[1], docker_cards[0]
    edited = collection.get_note(note_id(collection, edited_card))
    edited["Back"] = "My own words for this answer."
    collection.update_note(edited)
    before = notes_by_guid(collection)

    # Then the page rewords another card, and the app syncs the store.
    reworded = replace(changed_card, back="A clearer answer, written later.")
    cards = [reworded, *docker_cards[1:]]
    assert store.sync_cards(cards, REWORDED).updated == (reworded.id,)
    log = import_deck(
        collection, export(store, cards, tmp_path / "v2.apkg", SECOND_EXPORT)
    )

    reworded_guid = exports.note_guid(reworded)
    assert [note.id.nid for note in log.updated] == [note_id(collection, reworded)]
    assert len(log.new) == 0
    assert len(log.duplicate) == len(docker_cards) - 1
    assert not (log.conflicting or log.first_field_match)
    after = notes_by_guid(collection)
    assert after[reworded_guid][0] == exports.note_fields(reworded)
    assert after[exports.note_guid(edited_card)][0][1] == (
        "My own words for this answer."
    )
    del before[reworded_guid], after[reworded_guid]
    assert after == before

    again = import_deck(collection, tmp_path / "v2.apkg")
    assert len(again.updated) == len(again.new) == 0


def test_card_reworded_after_the_last_sync_is_still_updated(
    tmp_path, store, collection, docker_cards
):
    # An export from a page changed since the store last saw it (the command
    # line does not sync) cannot take the stored date for that card.
    import_deck(
        collection, export(store, docker_cards, tmp_path / "v1.apkg", FIRST_EXPORT)
    )
    reworded = replace(docker_cards[0], front="Reworded, not yet synced?")
    cards = [reworded, *docker_cards[1:]]

    log = import_deck(
        collection, export(store, cards, tmp_path / "v2.apkg", SECOND_EXPORT)
    )

    assert [note.id.nid for note in log.updated] == [note_id(collection, reworded)]
    assert len(log.duplicate) == len(docker_cards) - 1
    updated = collection.get_note(note_id(collection, reworded))
    assert updated.fields == exports.note_fields(reworded)
