"""The study material: Markdown pages parsed into a typed model, and flashcards.

Functions:
    load_pages: every page in a folder, with the ones that could not be used.
    load_page: one page file.
    default_page: the Docker page shipped with the app.
    build_flashcards: the cards of a page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from content.cards import build_flashcards
from content.errors import ContentError
from content.model import Flashcard, Page, Section
from content.parser import load_page, parse_page

__all__ = [
    "PAGES_DIR",
    "ContentError",
    "Flashcard",
    "LoadResult",
    "Page",
    "Section",
    "build_flashcards",
    "default_page",
    "load_page",
    "load_pages",
    "parse_page",
]

PAGES_DIR = Path(__file__).resolve().parent / "pages"
DEFAULT_PAGE = "docker.md"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    """The pages that loaded, and an error for each file that did not."""

    pages: tuple[Page, ...]
    skipped: tuple[ContentError, ...]


def load_pages(pages_dir: Path | None = None) -> LoadResult:
    """Load every ``*.md`` page in a folder, default page first.

    A page that cannot be used is skipped with a logged warning and its
    ``ContentError`` in ``skipped``; the others still load.

    Args:
        pages_dir: the folder; defaults to the pages shipped with the app.
    """
    folder = Path(pages_dir) if pages_dir else PAGES_DIR
    files = sorted(folder.glob("*.md"), key=lambda p: (p.name != DEFAULT_PAGE, p.name))
    pages, skipped = [], []
    for path in files:
        try:
            pages.append(load_page(path))
        except ContentError as error:
            logger.warning("Skipped study page: %s", error)
            skipped.append(error)
    return LoadResult(tuple(pages), tuple(skipped))


def default_page() -> Page:
    """The Docker learning page shipped with the app.

    Raises:
        ContentError: the shipped page was edited into an unusable state.
    """
    return load_page(PAGES_DIR / DEFAULT_PAGE)
