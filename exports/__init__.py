"""Exports of the study cards to other tools: an Anki ``.apkg`` deck.

Typical use, as the app's Export page does it::

    deck = exports.build_deck(cards, page_title=page.title, sections=chosen)
    # Each note is dated by when its card's content last changed, so that a
    # re-import updates only the notes that changed.
    modified = store.content_changed_at(deck.cards)
    data = exports.apkg_bytes(deck, timestamp=datetime.now(UTC), modified=modified)
    # data is ready for st.download_button; deck.note_count for its label

The command line offers the same: ``python -m exports anki --out PATH``.
"""

from exports.anki import (
    MODEL_ID,
    AnkiDeck,
    DeckWriteError,
    ExportError,
    NothingToExportError,
    UnknownSectionError,
    apkg_bytes,
    build_deck,
    deck_id_for,
    note_fields,
    note_guid,
    note_tags,
    parent_deck_name,
    section_titles,
    write_apkg,
)

__all__ = [
    "MODEL_ID",
    "AnkiDeck",
    "DeckWriteError",
    "ExportError",
    "NothingToExportError",
    "UnknownSectionError",
    "apkg_bytes",
    "build_deck",
    "deck_id_for",
    "note_fields",
    "note_guid",
    "note_tags",
    "parent_deck_name",
    "section_titles",
    "write_apkg",
]
