"""Build the Anki deck (``.apkg``) from a page's flashcards.

The deck is a parent deck named after the page (``Docker Interview Prep``)
with one sub-deck per top-level section. Every id that Anki uses to match an
import against what the learner already has is fixed here or derived from
what a card is, never drawn at random:

- the note type id is a constant, so a newer export updates its look in place;
- deck ids come from a fixed base plus a hash of the deck name;
- a note's GUID comes from the card id, which survives rewording, so a
  reworded card updates its note and keeps the learner's review history.

Anki updates a note whose GUID it already has only when the incoming note's
modification time is strictly newer than its own copy's; it never compares
fields. Otherwise it keeps its copy and lists the note under ``duplicate`` in
the import log. An imported note keeps the modification time it came with,
and an edit in Anki stamps the edit's time. So each note is dated by when its
card's content last changed (from the review store), not by the export: a
re-import updates only the notes reworded since the learner's copy, and an
edit the learner made in Anki to any other note stays (a rewording after the
edit replaces it: the later change wins). Cards without such a date carry
the export's timestamp and are updated on every import, the safe side when
nothing says whether they changed.

Given the same cards, the same modification times and the same timestamp, the
``.apkg`` is byte-identical: the zip entries carry a date derived from the
timestamp and the collection is built in memory, so neither the clock nor a
temporary file name leaks in.

Classes:
    AnkiDeck: the notes chosen for export, ready to write.
    ExportError, UnknownSectionError, NothingToExportError, DeckWriteError.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import genanki

from content.model import PATH_SEPARATOR, Flashcard
from exports.html import block_html, inline_html, text_html

logger = logging.getLogger(__name__)

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
    "parent_deck_name",
    "write_apkg",
]

# Chosen once and never to change: Anki matches note types by id, and a new id
# would make every re-import create a second note type and duplicate notes.
MODEL_ID = 1_607_392_411
MODEL_NAME = "Interview Prep (Front, Back, Section, Level)"

# Deck ids are this base plus 32 bits of a hash of the deck's full name. The
# sum stays below 2**53 so the ids survive Anki's JavaScript side unchanged.
DECK_ID_BASE = 1_700_000_000_000

FIELDS = ("Front", "Back", "Section", "Level")

QUESTION_TEMPLATE = """\
<div class="section">{{Section}}</div>
<div class="front">{{Front}}</div>"""

ANSWER_TEMPLATE = """\
{{FrontSide}}
<hr id="answer">
<div class="back">{{Back}}</div>
{{#Level}}<div class="level">{{Level}}</div>{{/Level}}"""

# In night mode Anki's apps add the class `nightMode` or `night_mode` to the
# card or around it; colours are variables so that one rule set serves both
# modes. Code and wide tables scroll sideways rather than wrapping, so shell
# commands keep their line breaks on a phone.
CSS = """\
.card {
  --text: #1d1f23;
  --muted: #5f6670;
  --rule: #d5d9de;
  --code-bg: #f3f4f6;
  --accent: #1d63ed;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto,
    "Helvetica Neue", Arial, sans-serif;
  font-size: 19px;
  line-height: 1.5;
  color: var(--text);
  background: transparent;
  text-align: left;
  max-width: 42em;
  margin: 0 auto;
  padding: 0 0.75em;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  --text: #e6e8eb;
  --muted: #a3aab3;
  --rule: #454b54;
  --code-bg: #2a2e35;
  --accent: #7aa7ff;
}
.section { font-size: 0.75em; color: var(--muted); margin-bottom: 0.6em; }
.front { font-size: 1.1em; font-weight: 600; }
.back p { margin: 0.5em 0; }
.back ul, .back ol { padding-left: 1.4em; margin: 0.5em 0; }
.level {
  display: inline-block;
  margin-top: 0.8em;
  padding: 0.1em 0.5em;
  font-size: 0.7em;
  letter-spacing: 0.05em;
  color: var(--accent);
  border: 1px solid var(--accent);
  border-radius: 0.3em;
}
hr#answer { border: none; border-top: 1px solid var(--rule); margin: 0.9em 0; }
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.88em;
  background: var(--code-bg);
  padding: 0.05em 0.3em;
  border-radius: 0.25em;
}
pre {
  background: var(--code-bg);
  padding: 0.6em 0.8em;
  border-radius: 0.4em;
  overflow-x: auto;
  white-space: pre;
}
pre code { padding: 0; background: none; font-size: 0.85em; }
table {
  border-collapse: collapse;
  margin: 0.5em 0;
  display: block;
  overflow-x: auto;
  max-width: 100%;
}
th, td { border: 1px solid var(--rule); padding: 0.3em 0.5em; vertical-align: top; }
th { background: var(--code-bg); }
@media (max-width: 600px) {
  .card { font-size: 17px; padding: 0 0.4em; }
}
"""


class ExportError(Exception):
    """The deck could not be built or written as asked."""


class UnknownSectionError(ExportError):
    """A chosen section is not one of the page's top-level sections."""


class NothingToExportError(ExportError):
    """The choices left no card to export."""


class DeckWriteError(ExportError):
    """The ``.apkg`` file could not be written where asked."""


@dataclass(frozen=True)
class AnkiDeck:
    """The notes chosen for export, ready to write as an ``.apkg``.

    Attributes:
        title: the parent deck's name, such as ``Docker Interview Prep``.
        cards: the exported cards, in deck order then page order.
        deck_names: every deck in the package, parent first.
    """

    title: str
    cards: tuple[Flashcard, ...]
    deck_names: tuple[str, ...]

    @property
    def note_count(self) -> int:
        """How many notes the package holds (one per card)."""
        return len(self.cards)


def parent_deck_name(page_title: str) -> str:
    """The parent deck's name for a page: ``Docker Interview Prep``."""
    return f"{_deck_component(page_title)} Interview Prep"


def deck_id_for(deck_name: str) -> int:
    """The stable Anki deck id for a full deck name (``A::B``)."""
    digest = hashlib.sha256(deck_name.encode("utf-8")).digest()
    return DECK_ID_BASE + int.from_bytes(digest[:4], "big")


def note_guid(card: Flashcard) -> str:
    """The Anki note GUID for a card, derived from its id only."""
    return genanki.guid_for(card.id)


def build_deck(
    cards: Iterable[Flashcard],
    *,
    page_title: str,
    sections: Collection[str] | None = None,
    only_ids: Collection[str] | None = None,
) -> AnkiDeck:
    """Choose the cards to export and arrange them in decks.

    Args:
        cards: the page's flashcards, plus any the learner made.
        page_title: the page's title; the parent deck is named after it.
        sections: top-level section titles to keep (matched ignoring case and
            extra spaces), or ``None`` for all of them.
        only_ids: card ids to keep, such as the ones the learner found
            difficult, or ``None`` for every card. Ids not among ``cards``
            are ignored: the card may have left the page since.

    Returns:
        The deck, ready for :func:`write_apkg` or :func:`apkg_bytes`.

    Raises:
        UnknownSectionError: a title in ``sections`` is not a top-level
            section of the cards; the message lists the valid ones.
        NothingToExportError: the choices leave no card.
        ExportError: two cards share an id.
    """
    cards = sorted(cards, key=lambda card: (card.order, card.id))
    _check_unique_ids(cards)

    if sections is not None:
        cards = _in_sections(cards, sections)
    if only_ids is not None:
        wanted = set(only_ids)
        missing = wanted - {card.id for card in cards}
        if missing:
            logger.info(
                "%d chosen card ids are not among the cards to export "
                "(removed from the page or outside the chosen sections)",
                len(missing),
            )
        cards = [card for card in cards if card.id in wanted]
    if not cards:
        chosen = "all" if sections is None else (_listing(sections) or "none")
        kept = "all cards" if only_ids is None else f"{len(only_ids)} chosen cards"
        raise NothingToExportError(
            f"No cards are left to export with these choices (sections: "
            f"{chosen}; {kept}). Choose more sections, or export the whole deck."
        )

    title = parent_deck_name(page_title)
    by_deck: dict[str, list[Flashcard]] = {}
    for card in cards:
        by_deck.setdefault(_sub_deck_name(title, card), []).append(card)
    deck_names = (title, *sorted(by_deck))
    ordered = tuple(card for name in sorted(by_deck) for card in by_deck[name])
    return AnkiDeck(title=title, cards=ordered, deck_names=deck_names)


def apkg_bytes(
    deck: AnkiDeck,
    *,
    timestamp: datetime,
    modified: Mapping[str, datetime] | None = None,
) -> bytes:
    """The deck as ``.apkg`` bytes, for a download button.

    Args:
        deck: from :func:`build_deck`.
        timestamp: when the export was made (time zone aware); it dates the
            note type, the decks and every note missing from ``modified``.
            Pass the current time; a fixed value gives byte-identical output.
        modified: card id to when that card's content last changed (time zone
            aware), such as ``ReviewStore.content_changed_at(deck.cards)``.
            Anki re-imports a note only when this is newer than its own copy,
            so a card whose content may have changed since must be left out
            rather than given an older time. Ids not in the deck are ignored.

    Returns:
        The bytes of the ``.apkg`` (a zip file).

    Raises:
        ExportError: the timestamp or a modification time has no time zone.
    """
    seconds = _epoch_seconds(timestamp)
    note_times = _note_times(deck, modified or {})
    package = genanki.Package(_genanki_decks(deck))

    # genanki's own writer dates the zip entries with the wall clock and a
    # temporary file's mtime; building the collection in memory and zipping
    # it ourselves keeps the output a function of the cards and timestamp.
    connection = sqlite3.connect(":memory:")
    try:
        id_numbers = iter(range(int(seconds * 1000), 2**63))
        package.write_to_db(connection.cursor(), seconds, id_numbers)
        # genanki dates every note with the package's timestamp; the notes
        # table is Anki's file format, so redating rows there is stable.
        connection.executemany("UPDATE notes SET mod = ? WHERE guid = ?", note_times)
        connection.commit()
        collection = connection.serialize()
    finally:
        connection.close()

    buffer = io.BytesIO()
    date_time = _zip_date(timestamp)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in (
            ("collection.anki2", collection),
            ("media", json.dumps({}).encode()),
        ):
            entry = zipfile.ZipInfo(name, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix; the default depends on the machine
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return buffer.getvalue()


def write_apkg(
    deck: AnkiDeck,
    path: str | os.PathLike[str],
    *,
    timestamp: datetime,
    modified: Mapping[str, datetime] | None = None,
) -> Path:
    """Write the deck to an ``.apkg`` file, replacing it in one step.

    The bytes go to a temporary file in the same folder that is then renamed
    over ``path``, so a failed write leaves neither a partial deck nor a
    damaged earlier one behind.

    Args:
        deck: from :func:`build_deck`.
        path: where to write, usually ending in ``.apkg``.
        timestamp: when the export was made; see :func:`apkg_bytes`.
        modified: when each card's content last changed; see
            :func:`apkg_bytes`.

    Returns:
        The path written.

    Raises:
        DeckWriteError: the folder is missing or not writable, or ``path``
            is a folder.
        ExportError: the timestamp or a modification time has no time zone.
    """
    target = Path(path)
    data = apkg_bytes(deck, timestamp=timestamp, modified=modified)

    if target.is_dir():
        raise DeckWriteError(
            f"Cannot write the deck to {target}: it is a folder. "
            "Give a file name such as deck.apkg."
        )
    folder = target.parent
    if not folder.is_dir():
        raise DeckWriteError(
            f"Cannot write the deck to {target}: the folder {folder} does not "
            "exist. Create it first or choose another path."
        )

    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(
            dir=folder, prefix=f".{target.name}.", suffix=".part"
        )
        temporary = Path(name)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise DeckWriteError(
            f"Cannot write the deck to {target}: {error.strerror or error}. "
            "Choose a folder you can write to."
        ) from error

    logger.info("Wrote %d notes to %s", deck.note_count, target)
    return target


def section_titles(cards: Iterable[Flashcard]) -> list[str]:
    """The top-level section titles of the cards, in page order, once each."""
    titles: dict[str, None] = {}
    for card in sorted(cards, key=lambda card: (card.order, card.id)):
        titles.setdefault(card.top_level, None)
    return list(titles)


def note_fields(card: Flashcard) -> list[str]:
    """The HTML of a card's note fields, in the note type's field order."""
    return [
        inline_html(card.front),
        block_html(card.back),
        text_html(PATH_SEPARATOR.join(card.section_path[1:]) or card.top_level),
        text_html(card.level or ""),
    ]


def note_tags(card: Flashcard) -> list[str]:
    """A card's tags as Anki takes them: no spaces, level and kind included.

    The content package already tags section, level (``level-engineer``)
    and kind (``kind-qa``); the last two are added here if a card, such as
    one the learner made, lacks them. Anki splits tags on spaces, so a space
    inside a tag becomes ``_``; Anki ignores case, so repeats differing only
    in case are dropped.
    """
    tags = [*card.tags, f"kind-{card.kind}"]
    if card.level:
        tags.append(f"level-{card.level.lower()}")
    cleaned: dict[str, str] = {}
    for tag in tags:
        tag = re.sub(r"\s+", "_", tag.strip())
        if tag:
            cleaned.setdefault(tag.casefold(), tag)
    return list(cleaned.values())


# ---------------------------------------------------------------------------
# Helpers


def _model() -> genanki.Model:
    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[
            {"name": "Card", "qfmt": QUESTION_TEMPLATE, "afmt": ANSWER_TEMPLATE}
        ],
        css=CSS,
        sort_field_index=0,
    )


def _genanki_decks(deck: AnkiDeck) -> list[genanki.Deck]:
    model = _model()
    decks = {name: genanki.Deck(deck_id_for(name), name) for name in deck.deck_names}
    for card in deck.cards:
        note = genanki.Note(
            model=model,
            fields=note_fields(card),
            tags=note_tags(card),
            guid=note_guid(card),
            # Anki keeps the relative order of new cards on import, so the
            # learner meets them in page order.
            due=card.order,
        )
        decks[_sub_deck_name(deck.title, card)].add_note(note)
    return list(decks.values())


def _sub_deck_name(title: str, card: Flashcard) -> str:
    return f"{title}::{_deck_component(card.top_level)}"


def _deck_component(name: str) -> str:
    # "::" separates levels of Anki deck names; inside one title it would
    # create an unintended sub-deck.
    return " ".join(name.replace("::", ":").split())


def _normal(title: str) -> str:
    return " ".join(title.split()).casefold()


def _in_sections(
    cards: Sequence[Flashcard], sections: Collection[str]
) -> list[Flashcard]:
    valid = section_titles(cards)
    by_normal = {_normal(title): title for title in valid}
    unknown = [title for title in sections if _normal(title) not in by_normal]
    if unknown:
        raise UnknownSectionError(
            f"Unknown section {_listing(unknown)}. The deck's sections are: "
            f"{_listing(valid)}. Give one of these titles as it is written."
        )
    chosen = {by_normal[_normal(title)] for title in sections}
    return [card for card in cards if card.top_level in chosen]


def _check_unique_ids(cards: Sequence[Flashcard]) -> None:
    seen: dict[str, Flashcard] = {}
    for card in cards:
        if card.id in seen:
            raise ExportError(
                f"Two cards share the id {card.id!r} ({seen[card.id].front!r} "
                f"and {card.front!r}); each Anki note needs its own. Give the "
                "cards different keys in the page."
            )
        seen[card.id] = card


def _listing(titles: Iterable[str]) -> str:
    return ", ".join(repr(title) for title in titles)


def _epoch_seconds(timestamp: datetime) -> float:
    if timestamp.tzinfo is None or timestamp.utcoffset() is None:
        raise ExportError(
            f"The export timestamp {timestamp.isoformat()} has no time zone; "
            "pass an aware datetime such as datetime.now(UTC)."
        )
    return timestamp.timestamp()


def _note_times(
    deck: AnkiDeck, modified: Mapping[str, datetime]
) -> list[tuple[int, str]]:
    # In deck order, so the rows change in the same order on every run.
    times = []
    for card in deck.cards:
        moment = modified.get(card.id)
        if moment is None:
            continue
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ExportError(
                f"The modification time {moment.isoformat()} of card {card.id!r} "
                "has no time zone; pass aware datetimes, such as those of "
                "ReviewStore.content_changed_at."
            )
        # Anki stores whole seconds, as genanki writes the export's own time.
        times.append((int(moment.timestamp()), note_guid(card)))
    return times


def _zip_date(timestamp: datetime) -> tuple[int, int, int, int, int, int]:
    # Zip dates start in 1980 and have no time zone; UTC keeps them the same
    # on every machine.
    moment = max(timestamp.astimezone(UTC), datetime(1980, 1, 1, tzinfo=UTC))
    return (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )
