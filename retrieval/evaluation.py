"""Measure the search and the refusals on the labelled question sets.

There are three sets, in the same format, each spent by a different amount:

- The tuning set (``retrieval/eval/questions.jsonl``) chose the fusion
  weight, the evidence score's weights and the refusal threshold, so its
  figures are optimistic.
- The development set (``retrieval/eval/held_out.jsonl``) was written apart
  from the tuning set, then used to diagnose failures and to choose the
  unfamiliar-word penalty. Its figures are optimistic too, less so.
- The held-out set (``retrieval/eval/held_out_2.jsonl``) was written without
  reading the other two, from the page and from what candidates ask, and is
  never used to choose anything: its figures are the honest estimate. Tuning
  on it would spend it; write a new held-out set before choosing values from
  this one.

Each set holds one JSON object a line:
``{"question": str, "answers": [label, ...]}``. A label is either a chunk id
with its key (``<section id>#qa-3``, ``<section id>#row-137``), matching that
chunk only, or a bare section id, matching any chunk of that section (its
prose, parts or code). Labels name what a chunk is, not its wording, so they
survive rewording and small chunker changes. An empty ``answers`` list marks
a question the page does not cover.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from .chunker import Chunk
from .errors import EvalSetError

EVAL_DIR = Path(__file__).resolve().parent / "eval"
# The set the weights and the threshold were chosen on.
TUNING_SET = EVAL_DIR / "questions.jsonl"
# Written apart from the tuning set, then used to choose the unfamiliar-word
# penalty: no longer an unbiased measurement.
DEV_SET = EVAL_DIR / "held_out.jsonl"
# Written blind to the other two and kept apart from every choice.
HELD_OUT_SET = EVAL_DIR / "held_out_2.jsonl"
METHODS = ("lexical", "dense", "rrf", "fused")

# The false-refusal rate the calibration may spend to refuse uncovered
# questions; the target for covered questions.
FALSE_REFUSAL_BUDGET = 0.05

__all__ = [
    "DEV_SET",
    "HELD_OUT_SET",
    "TUNING_SET",
    "EvalQuestion",
    "Report",
    "calibrate",
    "evaluate",
    "load_eval_set",
]


@dataclass(frozen=True)
class EvalQuestion:
    """A labelled question; ``answers`` is empty when the page lacks it."""

    question: str
    answers: tuple[str, ...]
    line: int

    @property
    def covered(self) -> bool:
        """Whether the page answers this question."""
        return bool(self.answers)


def matches(chunk: Chunk, label: str) -> bool:
    """Whether a chunk is one a label accepts."""
    return chunk.id == label if "#" in label else chunk.section_id == label


def load_eval_set(
    path: Path = TUNING_SET, chunks: Sequence[Chunk] = ()
) -> list[EvalQuestion]:
    """Read the labelled questions, checking each label names a chunk.

    Args:
        path: the JSON-lines file.
        chunks: the indexed chunks; when given, every label must match one.

    Raises:
        EvalSetError: a line is not JSON of the expected shape, or a label
            matches no chunk; the message names the file and line.
    """
    questions = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            question, answers = item["question"], item["answers"]
            if not isinstance(question, str) or not isinstance(answers, list):
                raise TypeError("question must be text and answers a list")
        except (ValueError, KeyError, TypeError) as error:
            raise EvalSetError(
                f"{path}:{number}: expected an object with 'question' (text) and "
                f"'answers' (a list of chunk or section ids), got {line[:80]!r} "
                f"({error}). Fix the line."
            ) from error
        for label in answers:
            if chunks and not any(matches(chunk, label) for chunk in chunks):
                raise EvalSetError(
                    f"{path}:{number}: label {label!r} matches no chunk of the "
                    "loaded pages. Fix the label to a current section id, or a "
                    "chunk id such as '<section id>#qa-3'."
                )
        questions.append(EvalQuestion(question, tuple(answers), number))
    return questions


@dataclass(frozen=True)
class Report:
    """Everything ``python -m retrieval eval`` prints.

    Attributes:
        rankings: per method, ``recall@1``, ``recall@5`` and ``mrr``.
        covered: number of covered questions.
        uncovered: number of uncovered questions.
        threshold: the refusal threshold in use.
        refusal_rate: share of uncovered questions refused at ``threshold``.
        false_refusal_rate: share of covered questions refused at it.
        calibrated: the threshold ``calibrate`` picks on this set.
        misses: covered questions whose fused top 5 holds no right chunk.
        wrongly_answered: uncovered questions answered at ``threshold``.
        wrongly_refused: covered questions refused at ``threshold``.
    """

    rankings: dict[str, dict[str, float]]
    covered: int
    uncovered: int
    threshold: float
    refusal_rate: float
    false_refusal_rate: float
    calibrated: float
    misses: tuple[str, ...]
    wrongly_answered: tuple[str, ...]
    wrongly_refused: tuple[str, ...]


def calibrate(covered: Sequence[float], uncovered: Sequence[float]) -> float:
    """The refusal threshold that refuses the most uncovered questions while
    refusing at most ``FALSE_REFUSAL_BUDGET`` of the covered ones.

    Candidates lie midway between neighbouring observed scores, so the
    threshold does not sit exactly on one question's score.

    Args:
        covered: evidence scores of covered questions.
        uncovered: evidence scores of uncovered questions.

    Returns:
        The threshold (a question scoring below it is refused).
    """
    scores = sorted(set(covered) | set(uncovered))
    candidates = [0.0] + [(a + b) / 2 for a, b in pairwise(scores)]
    allowed = int(FALSE_REFUSAL_BUDGET * len(covered))
    best, best_key = 0.0, (-1, 0.0)
    for threshold in candidates:
        false_refusals = sum(score < threshold for score in covered)
        if false_refusals > allowed:
            continue
        refused = sum(score < threshold for score in uncovered)
        # Most uncovered refused; among ties, the widest margin below the
        # covered scores (the lowest threshold).
        key = (refused, -threshold)
        if key > best_key:
            best, best_key = threshold, key
    return best


def evaluate(engine, questions: Sequence[EvalQuestion]) -> Report:
    """Rank every question by each method and measure refusals.

    Args:
        engine: a loaded ``Engine``.
        questions: the labelled set.

    Returns:
        The report.
    """
    from .text import clean_question

    sums = {m: {"recall@1": 0.0, "recall@5": 0.0, "mrr": 0.0} for m in METHODS}
    covered_scores, uncovered_scores = [], []
    misses = []
    for item in questions:
        found = engine.retrieve(clean_question(item.question))
        if not item.covered:
            uncovered_scores.append((found.confidence, item.question))
            continue
        covered_scores.append((found.confidence, item.question))
        for method in METHODS:
            ranking = [i for i, _ in getattr(found, method)]
            rank = next(
                (
                    r
                    for r, i in enumerate(ranking, 1)
                    if any(matches(engine.chunks[i], a) for a in item.answers)
                ),
                None,
            )
            if rank is not None:
                sums[method]["recall@1"] += rank == 1
                sums[method]["recall@5"] += rank <= 5
                sums[method]["mrr"] += 1 / rank
            if method == "fused" and (rank is None or rank > 5):
                misses.append(item.question)
    n = max(len(covered_scores), 1)
    rankings = {m: {k: v / n for k, v in sums[m].items()} for m in METHODS}
    threshold = engine.threshold
    wrongly_refused = tuple(q for s, q in covered_scores if s < threshold)
    wrongly_answered = tuple(q for s, q in uncovered_scores if s >= threshold)
    return Report(
        rankings=rankings,
        covered=len(covered_scores),
        uncovered=len(uncovered_scores),
        threshold=threshold,
        refusal_rate=1 - len(wrongly_answered) / max(len(uncovered_scores), 1),
        false_refusal_rate=len(wrongly_refused) / n,
        calibrated=calibrate(
            [s for s, _ in covered_scores], [s for s, _ in uncovered_scores]
        ),
        misses=tuple(misses),
        wrongly_answered=wrongly_answered,
        wrongly_refused=wrongly_refused,
    )


def format_report(report: Report, title: str = "", tuned_on: bool = True) -> str:
    """The report as the plain-text table the eval command prints.

    Args:
        report: what ``evaluate`` measured.
        title: a heading naming the set, underlined; none when empty.
        tuned_on: whether the threshold in use was chosen on this set. When
            not, the threshold this set would pick is shown as unused.
    """
    heading = [title, "=" * len(title), ""] if title else []
    lines = [
        *heading,
        f"Questions: {report.covered} covered, {report.uncovered} not covered",
        "",
        f"{'ranking':<10}{'recall@1':>10}{'recall@5':>10}{'MRR':>8}",
    ]
    names = {"lexical": "BM25", "dense": "dense", "rrf": "RRF", "fused": "fused"}
    for method in METHODS:
        r = report.rankings[method]
        lines.append(
            f"{names[method]:<10}{r['recall@1']:>10.3f}{r['recall@5']:>10.3f}"
            f"{r['mrr']:>8.3f}"
        )
    calibrated = (
        f"calibrated on this set: {report.calibrated:.3f}"
        if tuned_on
        else f"this set would pick {report.calibrated:.3f}; not used"
    )
    lines += [
        "",
        f"Refusal threshold in use: {report.threshold:.3f} ({calibrated})",
        f"Uncovered questions refused: {report.refusal_rate:.1%}",
        f"Covered questions falsely refused: {report.false_refusal_rate:.1%}",
    ]
    for title, items in (
        ("Covered questions missing from the fused top 5", report.misses),
        ("Uncovered questions answered anyway", report.wrongly_answered),
        ("Covered questions refused", report.wrongly_refused),
    ):
        if items:
            lines += ["", f"{title}:"] + [f"  - {q}" for q in items]
    return "\n".join(lines)
