"""Command line: ``python -m exports anki --out PATH [--section TITLE]...``.

Writes the Docker page's cards (and the learner's own cards, when a review
store exists) as an Anki deck and prints the number of notes written. With a
review store, each note is dated by when its card's content last changed, so
re-importing updates only the reworded notes. Errors go to standard error
with exit status 2 for a bad choice on the command line and 1 for anything
else.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import content
from content import ContentError
from exports.anki import (
    ExportError,
    NothingToExportError,
    UnknownSectionError,
    build_deck,
    write_apkg,
)
from settings import SettingsError, load_settings

logger = logging.getLogger("exports")

DIFFICULT_DAYS = 14


class StoreUnavailableError(ExportError):
    """The review store that ``--difficult`` needs is not there."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        timestamp = _timestamp(args.timestamp)
    except ValueError as error:
        parser.error(str(error))

    try:
        count = _export_anki(args, timestamp)
    except (UnknownSectionError, NothingToExportError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    except (ExportError, ContentError, SettingsError) as error:
        parser.exit(1, f"{parser.prog}: error: {error}\n")
    print(count)
    return 0


def _export_anki(args: argparse.Namespace, timestamp: datetime) -> int:
    page = content.default_page()
    cards = list(content.build_flashcards(page))
    only_ids = None
    # Without the store every note carries the export's time, so Anki
    # updates them all on re-import.
    modified = None
    store = _open_store(required=args.difficult)
    if store is not None:
        with store:
            if not args.no_personal:
                cards.extend(store.personal_cards())
            if args.difficult:
                only_ids = store.difficult_card_ids(timestamp, days=args.days)
            modified = store.content_changed_at(cards)

    deck = build_deck(
        cards, page_title=page.title, sections=args.section, only_ids=only_ids
    )
    write_apkg(deck, args.out, timestamp=timestamp, modified=modified)
    return deck.note_count


def _open_store(*, required: bool):
    """The learner's review store, or ``None`` when there is none yet.

    Raises:
        StoreUnavailableError: ``required`` and there is no review database,
            or the review database cannot be read.
    """
    from spaced_repetition import DEFAULT_FILENAME, ReviewStore, StoreError

    settings = load_settings()
    path = settings.data_dir / DEFAULT_FILENAME
    if not path.exists():
        # Opening would create an empty database; an export must not.
        if required:
            raise StoreUnavailableError(
                f"--difficult needs review history, but there is no review "
                f"database at {path} yet. Review some cards in the app first "
                "(or set PREP_DATA_DIR to your data folder), or export "
                "without --difficult."
            )
        return None
    try:
        return ReviewStore.open(path, settings)
    except StoreError as error:
        raise StoreUnavailableError(
            f"Cannot read the review database at {path}: {error}"
        ) from error


def _timestamp(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--timestamp {text!r} is not an ISO 8601 time; "
            "write it like 2025-01-31T12:00:00+00:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m exports",
        description="Export the study cards to other tools.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    anki = commands.add_parser(
        "anki",
        help="write an Anki .apkg deck",
        description=(
            "Write the cards as an Anki deck, one sub-deck per top-level "
            "section, and print the number of notes written. Importing a "
            "newer export updates the notes in place."
        ),
    )
    anki.add_argument("--out", required=True, type=Path, help="the .apkg to write")
    anki.add_argument(
        "--section",
        action="append",
        metavar="TITLE",
        help="export only this top-level section; repeat for several",
    )
    anki.add_argument(
        "--difficult",
        action="store_true",
        help="only cards rated Again in the last --days days (needs review history)",
    )
    anki.add_argument(
        "--days",
        type=int,
        default=DIFFICULT_DAYS,
        help=f"how far back --difficult looks (default {DIFFICULT_DAYS})",
    )
    anki.add_argument(
        "--no-personal",
        action="store_true",
        help="leave out the cards you made yourself",
    )
    anki.add_argument(
        "--timestamp",
        metavar="ISO_TIME",
        help="export time to record (default now); fixing it gives identical files",
    )
    anki.add_argument("-v", "--verbose", action="store_true", help="log progress")
    return parser


if __name__ == "__main__":
    sys.exit(main())
