"""Answers built only from the page: the typed result and its composition.

An answer is a selection of the retrieved chunks' units (sentences, list
items, table rows, code lines), each quoted verbatim and followed by the
number of the citation it came from. The Markdown keeps that checkable:
splitting it at the ``[n]`` markers gives pieces that, stripped of spaces and
of a leading ``- `` for list items, occur in citation ``n``'s text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .chunker import Chunk, Unit

__all__ = ["Answer", "Citation", "Evidence", "SectionRef", "compose"]

# Status values of an Answer.
ANSWERED = "answered"
NOT_COVERED = "not_covered"
INVALID = "invalid"


@dataclass(frozen=True)
class Citation:
    """A chunk an answer quotes, numbered as in the answer's ``[n]`` markers.

    Attributes:
        number: the ``n`` of ``[n]``, from 1.
        id: the chunk id (``<section id>#<key>``).
        title: heading path joined by " › " (for a Q&A, then its question).
        text: the chunk's plain text; every quoted piece occurs in it.
        score: fused relevance from 0 to 1 (1: first in both rankings).
        section_id: the section the chunk belongs to.
        page: slug of the page.
    """

    number: int
    id: str
    title: str
    text: str
    score: float
    section_id: str
    page: str

    def to_json(self) -> dict:
        """The contract's citation object: ``id``, ``title``, ``text``, ``score``."""
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Evidence:
    """One quoted piece of an answer and the citation it comes from."""

    text: str
    kind: str
    citation: int


@dataclass(frozen=True)
class SectionRef:
    """A section named in a refusal as the closest the page has."""

    id: str
    title: str


@dataclass(frozen=True)
class Answer:
    """The engine's reply to one question.

    Attributes:
        question: the question as asked.
        answer: Markdown with ``[n]`` markers, or the refusal or input message.
        grounded: true when the answer is built from the page.
        citations: the quoted chunks, best first, numbered from 1.
        status: ``answered``, ``not_covered`` (refused) or ``invalid``
            (nothing to search for).
        resolved_question: what was searched; differs from ``question`` for
            a follow-up resolved with the conversation.
        evidence: the quoted pieces in answer order.
        closest_sections: for a refusal, the sections nearest the question.
        suggestions: two or three of the page's own interview questions
            close to this answer.
        confidence: the evidence score compared with the refusal threshold.
        notice: a remark on the input, such as that it was shortened.
    """

    question: str
    answer: str
    grounded: bool
    citations: tuple[Citation, ...] = ()
    status: str = ANSWERED
    resolved_question: str = ""
    evidence: tuple[Evidence, ...] = ()
    closest_sections: tuple[SectionRef, ...] = ()
    suggestions: tuple[str, ...] = ()
    confidence: float = 0.0
    notice: str = ""
    is_follow_up: bool = field(default=False)

    def to_json(self) -> dict:
        """Exactly the object ``python -m retrieval ask --json`` prints."""
        return {
            "question": self.question,
            "answer": self.answer,
            "grounded": self.grounded,
            "citations": [citation.to_json() for citation in self.citations],
        }


@dataclass(frozen=True)
class Candidate:
    """A retrieved chunk with its fused score and its position in the index."""

    position: int
    chunk: Chunk
    score: float


# A unit's score blends its own similarity to the question with its chunk's
# fused score: a table row is one unit, and a row the question names (exit
# code 137) must not lose to a neighbour row that merely shares a word. A
# unit is kept if it scores within RELATIVE of the best one.
UNIT_SHARE = 0.5
RELATIVE = 0.75
CANDIDATES = 3
MAX_UNITS = 4
MAX_PER_CHUNK = 3
LEXICAL_BONUS = 0.15


def _render(picked: Sequence[tuple[int, int, Unit]]) -> str:
    """Markdown for the picked units: ``(citation, position, unit)`` in order."""
    blocks: list[str] = []
    current_kind, current_citation, lines = "", 0, []

    def flush() -> None:
        if lines:
            joiner = " " if current_kind == "sentence" else "\n"
            blocks.append(joiner.join(lines))

    for number, _position, unit in picked:
        kind = unit.kind
        if kind != current_kind or number != current_citation or kind == "row":
            flush()
            current_kind, current_citation, lines = kind, number, []
        if kind == "item":
            lines.append(f"- {unit.text} [{number}]")
        elif kind == "code":
            # Indented: a code line such as "# Stage 1" must not become a heading.
            lines.append(f"    {unit.text} [{number}]")
        else:
            lines.append(f"{unit.text} [{number}]")
    flush()
    return "\n\n".join(blocks)


def compose(
    candidates: Sequence[Candidate],
    unit_vectors: Sequence[np.ndarray],
    query_vector: np.ndarray,
    query_terms: set[str],
    unit_terms: Sequence[Sequence[set[str]]],
) -> tuple[str, tuple[Citation, ...], tuple[Evidence, ...]]:
    """Pick the units that best answer a question and lay them out.

    A unit scores a blend of its cosine similarity to the question and its
    chunk's fused score, plus a small bonus for the question's terms it
    contains.

    Args:
        candidates: the top chunks, best first (at most three are used).
        unit_vectors: for each candidate, its units' vectors.
        query_vector: the question's vector.
        query_terms: the question's lexical terms.
        unit_terms: for each candidate, each unit's lexical terms.

    Returns:
        The Markdown answer, its citations and its evidence.
    """
    scored: list[tuple[float, int, int]] = []
    for rank, candidate in enumerate(candidates[:CANDIDATES]):
        if not candidate.chunk.units:
            continue
        similarity = unit_vectors[rank] @ query_vector
        prior = (1 - UNIT_SHARE) * candidate.score
        for position, unit_set in enumerate(unit_terms[rank]):
            overlap = len(unit_set & query_terms) / max(len(query_terms), 1)
            value = UNIT_SHARE * float(similarity[position]) + prior
            scored.append((value + LEXICAL_BONUS * overlap, rank, position))
    if not scored:
        return "", (), ()
    scored.sort(key=lambda item: -item[0])
    best = scored[0][0]
    chosen: list[tuple[int, int]] = []
    per_chunk: dict[int, int] = {}
    said: set[str] = set()
    for value, rank, position in scored:
        if len(chosen) == MAX_UNITS or value < best * RELATIVE:
            break
        # A sentence can stand in two chunks (a section's prose and the code
        # block it introduces); say it once, citing where it scored best.
        text = candidates[rank].chunk.units[position].text
        if per_chunk.get(rank, 0) == MAX_PER_CHUNK or text in said:
            continue
        said.add(text)
        per_chunk[rank] = per_chunk.get(rank, 0) + 1
        chosen.append((rank, position))

    # Reading order: chunks by rank, units in the order the page has them.
    chosen.sort()
    numbers: dict[int, int] = {}
    for rank, _ in chosen:
        numbers.setdefault(rank, len(numbers) + 1)
    citations = tuple(
        Citation(
            number=number,
            id=candidates[rank].chunk.id,
            title=candidates[rank].chunk.title,
            text=candidates[rank].chunk.text,
            score=candidates[rank].score,
            section_id=candidates[rank].chunk.section_id,
            page=candidates[rank].chunk.page,
        )
        for rank, number in numbers.items()
    )
    picked = [
        (numbers[rank], position, candidates[rank].chunk.units[position])
        for rank, position in chosen
    ]
    evidence = tuple(
        Evidence(unit.text, unit.kind, number) for number, _, unit in picked
    )
    return _render(picked), citations, evidence
