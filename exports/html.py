"""Card text as the HTML that Anki fields hold.

Anki shows a field as HTML, so card text cannot go in as it is: the page
holds ``<image>``-like placeholders and shell redirections (``2>&1 > out.log``)
that a web view would swallow as tags or entities. Markdown is rendered with
raw HTML switched off, which escapes every ``<``, ``>`` and ``&`` that is not
markup we produced ourselves.
"""

from __future__ import annotations

import html
from functools import cache

from markdown_it import MarkdownIt

__all__ = ["block_html", "inline_html", "text_html"]


@cache
def _markdown() -> MarkdownIt:
    # CommonMark plus the two GitHub extensions the page uses. Linkify stays
    # off: it needs an extra package and would turn `example.com` in commands
    # into links.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def block_html(markdown: str) -> str:
    """Render Markdown that may hold paragraphs, lists, tables and code.

    Fenced code becomes ``<pre><code>`` with its line breaks kept.

    Args:
        markdown: the text of a card's back.

    Returns:
        HTML for an Anki field, without a trailing newline.
    """
    rendered = _markdown().render(markdown)
    # markdown-it ends every code block with a newline before </code>, which
    # shows as an empty last line inside the grey code box.
    rendered = rendered.replace("\n</code></pre>", "</code></pre>")
    return rendered.strip()


def inline_html(markdown: str) -> str:
    """Render one line of inline Markdown (bold, code, links), no paragraph.

    Args:
        markdown: the text of a card's front.

    Returns:
        HTML for an Anki field.
    """
    return _markdown().renderInline(markdown).strip()


def text_html(text: str) -> str:
    """Escape plain text (a section path, a level) for an Anki field."""
    return html.escape(text, quote=False)
