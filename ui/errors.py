"""The one place where the packages' errors become messages on the page.

Every page runs inside :func:`shown_as_error` (``app.py`` wraps the page), so
an error a package raises on purpose appears as ``st.error`` with the
package's own message, which says what went wrong and what to do. Anything
else is logged with its traceback for the server's log and the learner sees a
short apology instead of a stack trace.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from content import ContentError
from exports import ExportError
from retrieval.errors import RetrievalError
from settings import SettingsError
from spaced_repetition import StoreError

logger = logging.getLogger(__name__)

__all__ = ["EXPECTED_ERRORS", "DataFileError", "report", "shown_as_error"]


class DataFileError(Exception):
    """A file in the data folder cannot be opened or written."""


# Errors whose messages are written for the learner; they are shown as they
# are.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (
    ContentError,
    DataFileError,
    ExportError,
    RetrievalError,
    SettingsError,
    StoreError,
)


def report(error: Exception) -> None:
    """Show one error on the page: the message, or an apology if unexpected."""
    if isinstance(error, EXPECTED_ERRORS):
        st.error(str(error), icon=":material/error:")
        return
    if isinstance(error, (sqlite3.Error, OSError)):
        logger.exception("Reading or writing the data folder failed", exc_info=error)
        st.error(
            f"The review data could not be read or written ({error}). Check "
            "that the data folder shown on the Settings page is writable and "
            "has free space, then reload the page.",
            icon=":material/error:",
        )
        return
    logger.exception("Unexpected error while drawing the page", exc_info=error)
    st.error(
        f"Something unexpected went wrong ({type(error).__name__}). Reload the "
        "page to try again; if it keeps happening, the server's log has the "
        "details to report.",
        icon=":material/error:",
    )


@contextmanager
def shown_as_error() -> Iterator[None]:
    """Run a block, turning any exception into a message on the page.

    Streamlit's own rerun and stop signals derive from ``BaseException`` and
    pass through untouched.
    """
    try:
        yield
    except Exception as error:
        report(error)
