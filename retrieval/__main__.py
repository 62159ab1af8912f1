"""Command line: ``python -m retrieval ask|eval``.

``ask [--json] [QUESTION]`` answers one question, or one question a line
from standard input (one answer a line). ``eval`` prints the search and
refusal figures on the tuning set, the development set and the held-out set
(or on one set given with ``--set``). The model loads once per process.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .answer import Answer
from .errors import RetrievalError


def _render(answer: Answer, as_json: bool, one_line: bool) -> str:
    if as_json:
        return json.dumps(answer.to_json(), ensure_ascii=False)
    if one_line:
        return " ".join(answer.answer.split())
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Sources:"]
        lines += [f"[{c.number}] {c.title}" for c in answer.citations]
    return "\n".join(lines)


def _ask(args: argparse.Namespace, engine) -> int:
    if args.question:
        print(_render(engine.ask(" ".join(args.question)), args.json, False))
        return 0
    for line in sys.stdin:
        print(_render(engine.ask(line.rstrip("\n")), args.json, True), flush=True)
    return 0


def _eval(args: argparse.Namespace, engine) -> int:
    from .evaluation import (
        DEV_SET,
        HELD_OUT_SET,
        TUNING_SET,
        evaluate,
        format_report,
        load_eval_set,
    )

    if args.set is not None:
        sets = [(f"Set {args.set}", args.set, args.set.resolve() == TUNING_SET)]
    else:
        # Every set in one run, so the optimistic figures never appear
        # without the honest ones beside them. Only the tuning set chose the
        # threshold; the development set chose the unfamiliar-word penalty.
        sets = [
            ("Tuning set (used to choose weights and threshold)", TUNING_SET, True),
            (
                "Development set (written apart, then used to choose the "
                "unfamiliar-word penalty)",
                DEV_SET,
                False,
            ),
            ("Held-out set (never used for any choice)", HELD_OUT_SET, False),
        ]
    # Load every set first, so that a bad label fails before any search runs.
    loaded = [
        (title, load_eval_set(path, engine.chunks), tuned_on)
        for title, path, tuned_on in sets
    ]
    reports = [
        format_report(evaluate(engine, questions), title, tuned_on)
        for title, questions, tuned_on in loaded
    ]
    print("\n\n".join(reports))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m retrieval")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer a question from the study pages")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("question", nargs="*", help="the question; omit to read stdin")
    evaluate = commands.add_parser("eval", help="measure search and refusals")
    evaluate.add_argument(
        "--set",
        type=Path,
        help="one JSON-lines file to measure; default: the tuning, development "
        "and held-out sets",
    )
    args = parser.parse_args(argv)

    # Only warnings (such as an index rebuild) reach stderr; stdout carries
    # the answers alone.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    from settings import SettingsError, load_settings

    from .engine import load_engine

    try:
        engine = load_engine(load_settings())
        if args.command == "ask":
            return _ask(args, engine)
        return _eval(args, engine)
    except (RetrievalError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
