"""Link each step of a page's learning roadmap to what the page teaches about it.

A roadmap item such as "Multi-stage builds" names a topic, not a heading, so
the link is a word match. Each section (outside the roadmap) and each
interview Q&A is a document with two fields:

- its *heading*: a section's title plus the terms its definition lists
  define (``**Image** — ...``), or a Q&A's question;
- its *text*: a section's own paragraphs, lists, tables and code, or a
  Q&A's answer.

Each field is ranked with BM25 (``rank_bm25.BM25Okapi``), and a document's
score is its heading score plus a share of its text score. Ranking the fields
apart matters: a Q&A's answer is ten times longer than a section's text, and
one BM25 over whole documents lets that length bury the very question that
names the item ("Explain Docker layer caching" for "Layer caching and
order"). The page title's words ("Docker") are left out because every
document is about them.

Functions:
    roadmap_sections: every roadmap step with the sections and questions its
        items concern.
    roadmap_card_ids: the flashcards an item or a step covers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from content.cards import definition_terms, qa_card_id
from content.model import (
    QA,
    CodeBlock,
    Flashcard,
    ListBlock,
    Page,
    Paragraph,
    RoadmapStep,
    Section,
)
from content.text import plain

__all__ = ["RoadmapItem", "RoadmapLink", "roadmap_card_ids", "roadmap_sections"]

# English function words and roadmap verbs that say what to do rather than
# what about; matching on them would tie every document. "run" is one of the
# verbs: the page uses it for a state ("the container is running slowly"),
# which tied "Run first container" to the debugging questions.
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "below",
        "by",
        "first",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "run",
        "the",
        "to",
        "understand",
        "use",
        "using",
        "vs",
        "why",
        "with",
        "without",
        "write",
        "your",
    ]
)

# Text matches count less than heading matches: a word in a paragraph says
# less about what a section is for than the same word in its heading.
_TEXT_WEIGHT = 0.35
# A document is linked only when it holds this share of the item's words,
# weighted by rarity (heading words in full, text words by _TEXT_WEIGHT).
# Below it the page does not really cover the item, and a weak link misleads
# more than none: "Install Docker Desktop" must not reach the table row that
# says Docker Scout is "Built into Docker Desktop".
_LEAST_COVERAGE = 0.3
# Of the documents that pass, those scoring at least this share of the best
# are kept, so an item taught in two places ("Multi-stage builds": two
# sections and two questions) gets both, and a passing mention does not.
_KEEP_SHARE = 0.7
# A screenful per item on a phone; beyond this the extra links are ties on
# common words rather than more places that teach the item.
_MOST_LINKS_PER_ITEM = 5


@dataclass(frozen=True)
class RoadmapItem:
    """One item of a roadmap step and what the page teaches about it.

    Attributes:
        text: the item as the page states it.
        sections: the sections it concerns, in page order.
        questions: the interview Q&As it concerns, each with the section
            holding it, in page order.
    """

    text: str
    sections: tuple[Section, ...]
    questions: tuple[tuple[Section, QA], ...] = ()

    @property
    def covered(self) -> bool:
        """Whether the page teaches the item at all."""
        return bool(self.sections or self.questions)


@dataclass(frozen=True)
class RoadmapLink:
    """A roadmap step with its items and what they concern.

    Attributes:
        step: the step as the page states it.
        items: each item with its links; an item the page does not cover has
            none.
        sections: the union of the items' sections, in page order.
        questions: the union of the items' questions, in page order.
    """

    step: RoadmapStep
    items: tuple[RoadmapItem, ...]
    sections: tuple[Section, ...]
    questions: tuple[tuple[Section, QA], ...] = ()


@dataclass(frozen=True)
class _Document:
    """A section (``qa`` is None) or a Q&A, as words per field.

    ``order`` is its position among the documents, which follow the page, and
    its row in the BM25 indexes.
    """

    section: Section
    qa: QA | None
    heading: list[str]
    text: list[str]
    order: int


def _stem(word: str) -> str:
    # Just enough to meet "caching" and "cached" with "cache", "scanning" with
    # "scan" and "communication" with "communicate". Both sides go through the
    # same cuts, so odd stems ("imag") still match; a full stemmer would also
    # mangle command names for no gain on a page this size.
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if len(word) > 6 and word.endswith("ion"):
        word = word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    tokens = re.findall(r"[a-z0-9]+", plain(text).casefold())
    return [_stem(token) for token in tokens if token not in _STOP_WORDS]


def _section_text(section: Section) -> str:
    # The section's own blocks only: its Q&As are documents of their own, and
    # folding them in would make "Interview Questions" match every item.
    parts: list[str] = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, ListBlock):
            parts.extend(block.items)
        elif isinstance(block, CodeBlock):
            parts.append(block.code)
        else:
            parts.extend(block.header)
            parts.extend(cell for row in block.rows for cell in row)
    return " ".join(parts)


def _documents(page: Page, skip: set[str]) -> list[_Document]:
    # The roadmap's own sections, and the page's top heading, are never
    # candidates: the one would link items to themselves, the other to all.

    def words(text: str) -> list[str]:
        return [word for word in _words(text) if word not in skip]

    documents = []
    for section in page.sections:
        if len(section.path) < 2 or "roadmap" in section.title_path.casefold():
            continue
        # A defined term names what the section teaches as plainly as its
        # heading: "Core Docker Concepts" is where Image and Container are.
        heading = " ".join([section.title, *definition_terms(section)])
        documents.append(
            _Document(
                section,
                None,
                words(heading),
                words(_section_text(section)),
                len(documents),
            )
        )
        for qa in section.qas:
            documents.append(
                _Document(
                    section, qa, words(qa.question), words(qa.answer), len(documents)
                )
            )
    return documents


def _rarity(documents: Sequence[_Document]) -> dict[str, float]:
    # Plain idf over whole documents, for judging coverage. BM25Okapi's own idf
    # floors words found in over half the documents at a positive constant,
    # which is right for ranking but would let "container" alone cover
    # "Container-to-container communication".
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(set(document.heading) | set(document.text))
    total = len(documents)
    return {
        word: math.log((total + 1) / (count + 0.5)) for word, count in frequency.items()
    }


def _is_inside(inner: Section, outer: Section) -> bool:
    return len(inner.path) > len(outer.path) and inner.path[: len(outer.path)] == (
        outer.path
    )


class _Index:
    """The page's documents ranked field by field, and each word's rarity."""

    def __init__(self, page: Page) -> None:
        self.page_words = set(_words(page.title))
        self.documents = _documents(page, self.page_words)
        # BM25Okapi cannot index an empty corpus or divide by an empty field's
        # average length; a placeholder word no query contains stands in.
        self.headings = BM25Okapi([d.heading or ["\0"] for d in self.documents])
        self.texts = BM25Okapi([d.text or ["\0"] for d in self.documents])
        self.rarity = _rarity(self.documents)
        # A word the page never uses is at least as rare as its rarest one: it
        # counts against coverage ("nginx", "Desktop") rather than being
        # ignored.
        self.unseen = max(self.rarity.values(), default=1.0)

    def query(self, text: str) -> list[str]:
        return list(dict.fromkeys(w for w in _words(text) if w not in self.page_words))

    def scores(self, query: list[str]) -> list[float]:
        both = self.headings.get_scores(query) + _TEXT_WEIGHT * self.texts.get_scores(
            query
        )
        return [float(score) for score in both]

    def coverage(self, document: _Document, query: list[str]) -> float:
        possible = sum(self.rarity.get(word, self.unseen) for word in query)
        found = 0.0
        for word in query:
            if word in document.heading:
                found += self.rarity[word]
            elif word in document.text:
                found += _TEXT_WEIGHT * self.rarity[word]
        return found / possible if possible > 0 else 0.0


def _link_item(index: _Index, text: str) -> RoadmapItem:
    query = index.query(text)
    if not query:
        return RoadmapItem(text, ())
    scores = index.scores(query)

    # Documents that hold enough of the item, then those near the best.
    coverage = {d.order: index.coverage(d, query) for d in index.documents}
    eligible = [
        d
        for d in index.documents
        if scores[d.order] > 0 and coverage[d.order] >= _LEAST_COVERAGE
    ]
    best = max((scores[d.order] for d in eligible), default=0.0)
    ranked = sorted(
        (d for d in eligible if scores[d.order] >= _KEEP_SHARE * best),
        key=lambda d: (-scores[d.order], d.order),
    )[:_MOST_LINKS_PER_ITEM]

    # A kept section gives way to a section around it that covers the item
    # at least as well: the outer one's cards include the inner one's, and
    # "Multi-Stage Builds" is the place to study rather than the Java example
    # under it. An outer section that only mentions the item (the Security
    # Checklist's row on Trivy) does not swallow "Trivy — scan for
    # vulnerabilities".
    kept: dict[int, _Document] = {}
    for document in ranked:
        if document.qa is None:
            document = min(
                (
                    outer
                    for outer in eligible
                    if outer.qa is None
                    and _is_inside(document.section, outer.section)
                    and coverage[outer.order] >= coverage[document.order]
                ),
                key=lambda outer: len(outer.section.path),
                default=document,
            )
        kept[document.order] = document
    chosen = [kept[order] for order in sorted(kept)]
    return RoadmapItem(
        text,
        tuple(d.section for d in chosen if d.qa is None),
        tuple((d.section, d.qa) for d in chosen if d.qa is not None),
    )


def roadmap_sections(page: Page) -> tuple[RoadmapLink, ...]:
    """Every roadmap step of a page, each with what its items concern.

    An item links to the sections and interview Q&As that hold enough of its
    words and score close to the best of them; an item the page does not
    cover links to nothing. Of a section and one inside it, the outer one is
    kept when it covers the item as well, since its cards include the inner
    one's.

    Args:
        page: a parsed page; a page without a roadmap gives ``()``.

    Returns:
        One link per roadmap step, in the page's order.
    """
    if not page.roadmap:
        return ()
    index = _Index(page)
    links = []
    for step in page.roadmap:
        items = tuple(_link_item(index, text) for text in step.items)
        sections = {s.id: s for item in items for s in item.sections}
        questions = {qa_card_id(s, qa): (s, qa) for i in items for s, qa in i.questions}
        links.append(
            RoadmapLink(
                step,
                items,
                tuple(sorted(sections.values(), key=lambda s: s.line)),
                tuple(sorted(questions.values(), key=lambda pair: pair[1].line)),
            )
        )
    return tuple(links)


def roadmap_card_ids(
    target: RoadmapItem | RoadmapLink, cards: Iterable[Flashcard]
) -> tuple[str, ...]:
    """The ids of the flashcards a roadmap item or step covers.

    A card is covered when it comes from a linked section or one inside it,
    or when it is the card of a linked question.

    Args:
        target: an item, or a whole step.
        cards: the cards of the page the roadmap belongs to; cards of other
            pages could share a heading path and must not be passed.

    Returns:
        The covered ids, each once, in the order of ``cards``.
    """
    paths = [section.path for section in target.sections]
    questions = {qa_card_id(section, qa) for section, qa in target.questions}
    return tuple(
        card.id
        for card in cards
        if card.id in questions
        or any(card.section_path[: len(path)] == path for path in paths)
    )
