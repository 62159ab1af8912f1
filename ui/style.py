"""Small CSS fixes so the pages read well on a laptop and on a phone.

Streamlit's defaults let a wide Markdown table or a long shell command push
the page sideways on a phone. These rules keep every such block inside its
column and let it scroll on its own instead.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["apply"]

_CSS = """
<style>
/* Wide tables and code scroll inside their own box, never the page. */
[data-testid="stMarkdownContainer"] table {
  display: block;
  max-width: 100%;
  overflow-x: auto;
}
[data-testid="stMarkdownContainer"] pre,
[data-testid="stCode"] pre {
  max-width: 100%;
  overflow-x: auto;
}
[data-testid="stMarkdownContainer"] code {
  overflow-wrap: anywhere;
}
[data-testid="stMarkdownContainer"] pre code {
  overflow-wrap: normal;
  white-space: pre;
}
/* The flashcard's text is the point of the Review page. */
.st-key-card-face [data-testid="stMarkdownContainer"] {
  font-size: 1.08rem;
}
@media (max-width: 640px) {
  .block-container { padding-left: 1rem; padding-right: 1rem; }
  /* Four rating buttons in two even rows rather than three and one. */
  .st-key-ratings > div { flex: 1 1 calc(50% - 0.5rem) !important; }
}
</style>
"""


def apply() -> None:
    """Add the app's CSS to the page (takes no space)."""
    st.html(_CSS)
