"""Text handling for search: cleaning questions, tokens for BM25, sentences.

The lexical side of the search matches words, so both the chunks and the
questions go through the same ``tokens`` function: casefolded, stop words
dropped, and a light suffix stripping so that "caching", "cached" and
"cache" meet. It is deliberately simple: the page is small and technical,
and a full stemmer would mangle command names such as ``docker.sock``.
"""

from __future__ import annotations

import re
import unicodedata

# A question longer than this is cut before it is embedded or matched. The
# model reads at most 256 word pieces anyway, and a 50,000-character paste
# must not make the lexical side scan thousands of terms.
MAX_QUESTION_CHARS = 600

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that carry no topic: question words, pronouns, auxiliaries. They stay
# in the text the model embeds; only the lexical side ignores them.
STOP_WORDS = _word_set(
    """
    a an the and or but if then else of to in on at by for from with without
    into onto over under about as is are was were be been being am do does did
    doing done have has had having can could should would will shall may might
    must i me my mine we us our you your he she him her they them their it its
    this that these those there here what which who whom whose when where why
    how so not no yes just also too very than such some any each every all
    both either neither more most much many other another own same only
    please tell explain mean means give show want know get got let lets
    don doesn didn isn aren wasn weren shouldn couldn wouldn won haven hasn
    hadn ll ve re s t d m
    """
)

# Words that point back at an earlier question: "how do I fix it?".
ANAPHORS = _word_set("it its this that these those they them their one ones there same")

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(`\[])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl)\.$", re.IGNORECASE)


def clean_question(text: str) -> str:
    """Make a learner's question safe and cheap to search.

    Control and format characters become spaces (a pasted terminal log may
    hold escape codes), whitespace collapses, and the result is cut at
    ``MAX_QUESTION_CHARS`` on a word boundary. Letters of any script, emoji,
    SQL or HTML fragments are kept as they are: they are only ever matched
    against the page, never executed or rendered.

    Args:
        text: the question as typed or pasted.

    Returns:
        The cleaned question; empty when nothing but whitespace remained.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") else char
        for char in text[: MAX_QUESTION_CHARS * 4]
    )
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_QUESTION_CHARS:
        cut = text[:MAX_QUESTION_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text


def stem(word: str) -> str:
    """Strip common English endings so that inflected forms match.

    ``caching``, ``cached``, ``caches`` and ``cache`` all give ``cach``;
    ``killed`` and ``kill`` give ``kill``; short words are left alone.
    """
    if len(word) > 3 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for ending, shortest in (("ing", 6), ("ed", 6)):
        if len(word) >= shortest and word.endswith(ending):
            word = word[: -len(ending)]
            # "stopped" → "stopp" → "stop"; but "killed" keeps its double l.
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """The terms of a text as the lexical search sees them.

    Args:
        text: any text, Markdown already made plain.

    Returns:
        Stemmed, casefolded words without stop words, in text order.
    """
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return [stem(word) for word in words if word not in STOP_WORDS]


def content_words(text: str) -> list[str]:
    """The words of a question that name a topic (no stop words, no anaphors)."""
    words = _WORD.findall(text.casefold())
    return [w for w in words if w not in STOP_WORDS and w not in ANAPHORS]


def has_anaphor(text: str) -> bool:
    """Whether a question refers back with "it", "that", "those" and the like."""
    return any(word in ANAPHORS for word in _WORD.findall(text.casefold()))


def sentences(text: str) -> list[str]:
    """Split plain prose into sentences.

    A full stop ends a sentence only before a capital, a digit, a quote or a
    bracket, so ``docker.sock``, ``3.11.4`` and ``e.g. alpine`` stay whole.
    Fragments of fewer than three words ("Result:") join the next sentence,
    so that every sentence the answerer can pick reads on its own.
    """
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return []
    parts: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if parts and _ABBREVIATION.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    merged: list[str] = []
    carry = ""
    for part in parts:
        part = f"{carry} {part}".strip() if carry else part
        if len(part.split()) < 3:
            carry = part
            continue
        carry = ""
        merged.append(part)
    if carry:
        if merged:
            merged[-1] = f"{merged[-1]} {carry}"
        else:
            merged.append(carry)
    return merged
