"""Small text helpers shared by the parser, the cards and the other packages."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from markdown_it import MarkdownIt


@cache
def markdown() -> MarkdownIt:
    """The one Markdown parser configuration the app uses.

    CommonMark plus tables; raw HTML is off, so ``<image>`` in a page stays
    text instead of becoming a tag.
    """
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def plain(text: str) -> str:
    """Turn inline Markdown into plain text: ``**Image** — `FROM x` `` → ``Image — FROM x``."""
    tokens = markdown().parseInline(text)
    if not tokens:
        return ""
    parts = []
    for token in tokens[0].children or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def slug(text: str) -> str:
    """A lowercase, hyphenated form of a heading or key for use in ids.

    Letters of any script are kept; emoji, punctuation and spaces become
    single hyphens. A text with no letters or digits gives ``"x"``.
    """
    text = unicodedata.normalize("NFKC", plain(text)).casefold()
    return re.sub(r"[\W_]+", "-", text).strip("-") or "x"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"(])")
_STEP = re.compile(r"(?=\bStep \d+\s*[:—-])")


def key_points(answer: str) -> tuple[str, ...]:
    """Split a model answer into the points worth recalling.

    A point is a sentence; "Step 1 — …" also starts a point where the page
    runs a lead-in and its first step together ("Systematic approach: Step 1"),
    and the lead-in itself is dropped.
    """
    text = plain(" ".join(answer.split()))
    parts = (
        step.strip()
        for sentence in _SENTENCE_END.split(text)
        for step in _STEP.split(sentence)
    )
    # A bare lead-in such as "Systematic approach:" introduces points but is
    # not one to recall.
    return tuple(part for part in parts if len(part) > 1 and not part.endswith(":"))
