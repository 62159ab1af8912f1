"""Command line: ``python -m retrieval ask|eval``.

``ask [--json] [QUESTION]`` answers one question, or one question a line
from standard input (one answer a line). ``eval`` prints the search and
refusal figures on the labelled set. The model loads once per process.
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
    from .evaluation import evaluate, format_report, load_eval_set

    questions = load_eval_set(args.set, engine.chunks)
    print(format_report(evaluate(engine, questions)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from .evaluation import EVAL_SET

    parser = argparse.ArgumentParser(prog="python -m retrieval")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer a question from the study pages")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("question", nargs="*", help="the question; omit to read stdin")
    evaluate = commands.add_parser("eval", help="measure search and refusals")
    evaluate.add_argument("--set", type=Path, default=EVAL_SET, help="JSON-lines file")
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
