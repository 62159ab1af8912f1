"""Command line: ``python -m spaced_repetition stats|optimize``.

``stats`` prints today's queue, true retention, section mastery and the due
forecast of the learner's review database (``--json`` for one JSON object).
``optimize`` fits personal FSRS parameters and prints the predicted workload
before and after; ``--apply`` saves them.

The database is ``review.sqlite3`` in the data folder (``PREP_DATA_DIR``), or
the file given with ``--db``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from settings import SettingsError, load_settings
from spaced_repetition.errors import StoreError
from spaced_repetition.store import DEFAULT_FILENAME, ReviewStore


def _stats(store: ReviewStore, now: datetime, as_json: bool) -> None:
    from spaced_repetition.stats import progress

    figures = progress(store, now)
    counts = store.counts(now)
    if as_json:

        def default(value: object) -> str:
            if isinstance(value, date):
                return value.isoformat()
            raise TypeError(type(value).__name__)

        print(json.dumps({"today": counts, **figures}, default=default))
        return
    print(
        f"Today: {counts['new']} new, {counts['learning']} learning, "
        f"{counts['review']} to review"
    )
    for key in ("retention_7", "retention_30"):
        window = figures[key]  # type: ignore[literal-required]
        share = "-" if window["retention"] is None else f"{window['retention']:.1%}"
        print(
            f"True retention, last {window['days']} days: {share} "
            f"({window['passed']}/{window['reviews']} reviews)"
        )
    print("Mastery by section:")
    for section in figures["mastery"]:
        print(
            f"  {section['mastery']:6.1%}  {section['section']} "
            f"({section['studied']}/{section['cards']} cards studied)"
        )
    week = figures["due_forecast"][:7]
    print("Due in the next 7 days: " + ", ".join(str(d["count"]) for d in week))


def _optimize(store: ReviewStore, now: datetime, apply: bool) -> None:
    from spaced_repetition.optimize import optimize_parameters

    proposal = optimize_parameters(store, now)
    if not proposal.changed:
        print(
            f"FSRS kept the default parameters: {proposal.reviews} answers hold too "
            "few reviews made on a later day. Try again after more study days."
        )
        return
    print(f"Fitted to {proposal.reviews} answers:")
    print("  " + ", ".join(f"{p:.4f}" for p in proposal.parameters))
    print(
        f"Predicted reviews in the next {proposal.horizon_days} days: "
        f"{proposal.workload_before} now, {proposal.workload_after} with these"
    )
    if apply:
        store.update_study_settings(parameters=proposal.parameters)
        print("Saved: later answers are scheduled with these parameters.")
    else:
        print("Run again with --apply to use them.")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m spaced_repetition")
    parser.add_argument("--db", type=Path, help="the review database file")
    commands = parser.add_subparsers(dest="command", required=True)
    stats = commands.add_parser("stats", help="print the Progress-page figures")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    optimize = commands.add_parser("optimize", help="fit personal FSRS parameters")
    optimize.add_argument("--apply", action="store_true", help="save the result")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
        path = args.db or settings.data_dir / DEFAULT_FILENAME
        if not path.exists():
            print(
                f"No review database at {path}: study in the app first, or pass --db.",
                file=sys.stderr,
            )
            return 1
        now = datetime.now(UTC)
        with ReviewStore.open(path, settings) as store:
            if args.command == "stats":
                _stats(store, now, args.json)
            else:
                _optimize(store, now, args.apply)
    except (SettingsError, StoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
