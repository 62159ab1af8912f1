"""What the pages share, loaded once per server process.

The study pages, the search engine and the review store are kept with
``st.cache_resource``, keyed by the folders they come from, so every browser
tab and every rerun reuses them; only the first visit after a start pays for
loading the model and, on a fresh data folder, building the index.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

import content
from settings import Settings, load_settings
from spaced_repetition import DEFAULT_FILENAME, ReviewStore
from ui.errors import DataFileError

__all__ = [
    "Study",
    "database_path",
    "engine",
    "index_path",
    "now",
    "settings",
    "store",
    "study",
]


@dataclass(frozen=True)
class Study:
    """The loaded study pages and every card made from them.

    Attributes:
        loaded: the pages that loaded and the files that were skipped.
        cards: the flashcards of every loaded page, page by page.
    """

    loaded: content.LoadResult
    cards: tuple[content.Flashcard, ...]

    @property
    def pages(self) -> tuple[content.Page, ...]:
        """The pages that loaded, the default page first."""
        return self.loaded.pages

    @property
    def title(self) -> str:
        """The title the app and the Anki deck carry: the first page's."""
        return self.pages[0].title if self.pages else "Interview"

    def section_path(self, section_id: str) -> tuple[str, ...]:
        """The heading path of a section of any loaded page, or ``()``."""
        for page in self.pages:
            try:
                return page.section(section_id).path
            except KeyError:
                continue
        return ()


def now() -> datetime:
    """The current moment, time zone aware, as the packages expect it."""
    return datetime.now(UTC)


def settings() -> Settings:
    """The app's settings, read from the environment on every run.

    Reading them is cheap, and reading them afresh means the folders in use
    are always the ones the environment names.
    """
    return load_settings()


def database_path(current: Settings) -> Path:
    """The learner's review database file."""
    return Path(current.data_dir) / DEFAULT_FILENAME


def index_path(current: Settings) -> Path:
    """The folder of the saved search index."""
    return Path(current.data_dir) / "index"


@st.cache_resource(show_spinner=False)
def _study(pages_dir: str) -> Study:
    loaded = content.load_pages(Path(pages_dir))
    cards = tuple(
        card for page in loaded.pages for card in content.build_flashcards(page)
    )
    return Study(loaded, cards)


def study(current: Settings) -> Study:
    """The study pages in the configured folder and their cards.

    Raises:
        DataFileError: no page in the folder could be used; the message lists
            why each file was skipped.
    """
    loaded = _study(str(current.pages_dir))
    if not loaded.pages:
        reasons = " ".join(str(error) for error in loaded.loaded.skipped)
        raise DataFileError(
            f"Expected at least one usable study page (*.md) in {current.pages_dir}, "
            f"found none. {reasons or 'The folder has no Markdown files.'} "
            "Fix the pages listed, or unset PREP_PAGES_DIR to use the Docker page."
        )
    return loaded


@st.cache_resource(show_spinner=False)
def _engine(index_dir: str, pages_dir: str, model: str, _current: Settings, _study):
    # Imported here: torch and the model take seconds to import, and the
    # Review, Progress and Export pages never need them.
    from retrieval.engine import load_engine

    bar = st.progress(0.0, text="Loading the search engine…")

    def progress(done: int, total: int, message: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 0.0, text=message)

    try:
        return load_engine(
            _current, _study.pages, progress=progress, index_dir=Path(index_dir)
        )
    finally:
        bar.empty()


def engine(current: Settings, loaded: Study):
    """The search engine over the study pages, loaded once per process.

    The first call in a process loads the embedding model and loads the saved
    index, or builds and saves it on a fresh data folder, behind a progress
    bar; later calls return at once.

    Raises:
        RetrievalError: the model or the pages cannot be used.
        SettingsError: the configured model folder does not exist.
    """
    return _engine(
        str(index_path(current)),
        str(current.pages_dir),
        current.embedding_model,
        current,
        loaded,
    )


@st.cache_resource(show_spinner=False)
def _store(path: str, pages_dir: str, _current: Settings, _study: Study) -> ReviewStore:
    try:
        opened = ReviewStore.open(Path(path), _current)
    except (OSError, sqlite3.Error) as error:
        raise DataFileError(
            f"Cannot open the review database {path}: "
            f"{getattr(error, 'strerror', None) or error}. Make its folder "
            "writable, or set PREP_DATA_DIR to a folder you can write to, then "
            "reload the page."
        ) from error
    try:
        opened.sync_cards(_study.cards, now())
    except (OSError, sqlite3.Error) as error:
        opened.close()
        raise DataFileError(
            f"Cannot save the cards to the review database {path}: {error}. "
            "Make the file and its folder writable, or set PREP_DATA_DIR to a "
            "folder you can write to, then reload the page."
        ) from error
    return opened


def store(current: Settings, loaded: Study) -> ReviewStore:
    """The learner's review store, opened once per process and synced with the cards.

    A store that cannot be opened is not remembered, so fixing the folder
    and reloading the page is enough.

    Raises:
        StoreError: the file is not this app's database, or is newer.
        DataFileError: the file or its folder cannot be read or written.
    """
    return _store(str(database_path(current)), str(current.pages_dir), current, loaded)
