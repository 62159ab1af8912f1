"""Import exported decks with the real Anki library, as a learner's Anki would."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)


def new_collection(folder: Path) -> Collection:
    """A fresh, empty Anki collection in ``folder`` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_deck(col: Collection, path: Path):
    """Import an .apkg as Anki's File › Import does, returning Anki's log."""
    request = ImportAnkiPackageRequest(
        package_path=str(path), options=ImportAnkiPackageOptions()
    )
    return col.import_anki_package(request).log


def imported_note_count(deck: Path | bytes, folder: Path) -> int:
    """How many notes a fresh collection holds after importing ``deck``."""
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(deck, bytes):
        (folder / "deck.apkg").write_bytes(deck)
        deck = folder / "deck.apkg"
    col = new_collection(folder)
    try:
        log = import_deck(col, deck)
        assert not (log.duplicate or log.conflicting or log.missing_notetype)
        return col.note_count()
    finally:
        col.close()


def note_mtimes(path: Path) -> dict[str, int]:
    """Each note's modification time in an .apkg, by GUID."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        return dict(connection.execute("SELECT guid, mod FROM notes"))
    finally:
        connection.close()
