"""Link each step of a page's learning roadmap to the sections it concerns.

A roadmap item such as "Multi-stage builds" names a topic, not a heading, so
the link is a keyword match: an item's words are compared with section
titles, rarer words counting for more, and a section's own text breaks ties
and catches items whose words no title uses. The page title's words ("Docker")
are left out because every section is about them.

Functions:
    roadmap_sections: every roadmap step with the sections its items concern.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from content.model import CodeBlock, ListBlock, Page, Paragraph, RoadmapStep, Section
from content.text import plain

__all__ = ["RoadmapItem", "RoadmapLink", "roadmap_sections"]

# English function words and roadmap verbs that say what to do rather than
# what about; matching on them would tie every section.
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

# A section is kept when it scores at least this share of the item's best
# section, so an item touching two places ("images vs containers") gets both.
_KEEP_SHARE = 0.6
# Text matches count less than title matches: a word in a paragraph says less
# about what a section is for than the same word in its heading.
_BODY_WEIGHT = 0.35
_MOST_SECTIONS_PER_ITEM = 3
# An item is linked only when its best section matches this share of the
# item's words (by weight); below it the page does not really cover the item,
# and a weak link would mislead more than none.
_LEAST_COVERAGE = 0.3


@dataclass(frozen=True)
class RoadmapItem:
    """One item of a roadmap step and the sections it concerns, page order."""

    text: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class RoadmapLink:
    """A roadmap step with its items and the sections they concern.

    Attributes:
        step: the step as the page states it.
        items: each item with its sections; an item the page does not cover
            has none.
        sections: the union of the items' sections, in page order.
    """

    step: RoadmapStep
    items: tuple[RoadmapItem, ...]
    sections: tuple[Section, ...]


def _stem(word: str) -> str:
    # Just enough to meet "networking" with "networks" and "caching" with
    # "cache"; both sides go through the same cuts, so odd stems still match.
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _words(text: str) -> set[str]:
    tokens = re.findall(r"[a-z0-9]+", plain(text).casefold())
    return {_stem(token) for token in tokens if token not in _STOP_WORDS}


def _body_text(section: Section) -> str:
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
    parts.extend(f"{qa.question} {qa.answer}" for qa in section.qas)
    return " ".join(parts)


def _is_inside(inner: Section, outer: Section) -> bool:
    return len(inner.path) > len(outer.path) and inner.path[: len(outer.path)] == (
        outer.path
    )


def _outermost(sections: Iterable[Section]) -> list[Section]:
    chosen = list(sections)
    return [s for s in chosen if not any(_is_inside(s, other) for other in chosen)]


def roadmap_sections(page: Page) -> tuple[RoadmapLink, ...]:
    """Every roadmap step of a page, each with the sections its items concern.

    The roadmap's own sections, and the page's top heading, are never
    candidates. When a section and one inside it both match, only the outer
    one is kept, since its progress includes the inner one's.

    Args:
        page: a parsed page; a page without a roadmap gives ``()``.

    Returns:
        One link per roadmap step, in the page's order.
    """
    if not page.roadmap:
        return ()
    candidates = [
        section
        for section in page.sections
        if len(section.path) > 1 and "roadmap" not in section.title_path.casefold()
    ]
    page_words = _words(page.title)
    titles = {s.id: _words(s.title) - page_words for s in candidates}
    bodies = {s.id: _words(_body_text(s)) - page_words for s in candidates}

    # Rarer words tell sections apart; "image" in many headings counts less
    # than "trivy" in one.
    frequency: Counter[str] = Counter()
    for section in candidates:
        frequency.update(titles[section.id] | bodies[section.id])
    total = len(candidates)

    def weight(word: str) -> float:
        return math.log((1 + total) / (1 + frequency[word])) + 1

    def score(section: Section, words: set[str]) -> float:
        in_title = sum(weight(w) for w in words & titles[section.id])
        in_body = sum(weight(w) for w in words & bodies[section.id])
        return in_title + _BODY_WEIGHT * in_body

    order = {section.id: index for index, section in enumerate(page.sections)}
    links = []
    for step in page.roadmap:
        items = []
        for text in step.items:
            words = _words(text) - page_words
            scored = [(score(s, words), s) for s in candidates] if words else []
            best = max((value for value, _ in scored), default=0.0)
            possible = sum(weight(w) for w in words)
            if best <= 0 or best < _LEAST_COVERAGE * possible:
                items.append(RoadmapItem(text, ()))
                continue
            kept = [s for value, s in scored if value >= _KEEP_SHARE * best]
            ranked = sorted(kept, key=lambda s: -score(s, words))
            top = _outermost(ranked)[:_MOST_SECTIONS_PER_ITEM]
            items.append(
                RoadmapItem(text, tuple(sorted(top, key=lambda s: order[s.id])))
            )
        union = {s.id: s for item in items for s in item.sections}
        sections = tuple(sorted(union.values(), key=lambda s: order[s.id]))
        links.append(RoadmapLink(step, tuple(items), sections))
    return tuple(links)
