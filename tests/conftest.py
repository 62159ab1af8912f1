"""Fixtures shared across the test suite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import content


@pytest.fixture(scope="session")
def docker_page() -> content.Page:
    """The Docker page shipped with the app, parsed once."""
    return content.default_page()


@pytest.fixture(scope="session")
def docker_cards(docker_page) -> list[content.Flashcard]:
    """The Docker page's flashcards."""
    return content.build_flashcards(docker_page)


@pytest.fixture
def fixed_now() -> datetime:
    """A fixed UTC clock: Tuesday 2026-03-10, 09:30 UTC."""
    return datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


# Retrieval: the real embedding model, loaded once per session (about 10 s),
# and an engine over the Docker page whose index lives in a session folder.


@pytest.fixture(scope="session")
def embedder():
    """The packaged all-MiniLM-L6-v2, loaded from its folder (no network)."""
    from retrieval.embedder import load_embedder
    from settings import load_settings

    return load_embedder(load_settings({}).model_path())


@pytest.fixture(scope="session")
def engine_settings(tmp_path_factory):
    """Settings whose data folder is a fresh session folder."""
    from settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("engine-data"))


@pytest.fixture(scope="session")
def engine(embedder, engine_settings, docker_page):
    """A search engine over the Docker page, index built in a temp folder."""
    from retrieval import load_engine

    return load_engine(engine_settings, [docker_page], embedder=embedder)


@pytest.fixture
def collection(tmp_path):
    """A fresh, empty Anki collection, closed after the test."""
    from tests.anki_import import new_collection

    col = new_collection(tmp_path / "anki")
    yield col
    col.close()
