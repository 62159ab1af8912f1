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
