"""The retrieval package's exceptions.

Classes:
    RetrievalError: base of every error this package raises on purpose.
    ModelLoadError: the embedding model cannot be loaded from its folder.
    IndexUnreadable: a saved index is missing, stale or damaged.
    EvalSetError: a line of the evaluation set cannot be used.
"""

from __future__ import annotations


class RetrievalError(Exception):
    """Something the search engine needs is unusable; the message says the fix."""


class ModelLoadError(RetrievalError):
    """The embedding model folder is missing or not a sentence-transformers model."""


class IndexUnreadable(RetrievalError):
    """A saved index cannot be used as it is; the engine rebuilds it."""


class EvalSetError(RetrievalError):
    """A line of the evaluation set is malformed or names an unknown chunk."""
