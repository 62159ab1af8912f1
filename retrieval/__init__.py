"""Grounded answers from the study pages: hybrid search and quoted answers.

Functions:
    load_engine: load the model and the index (building it when needed).
    chunk_pages: cut pages into the chunks the search ranks.

Classes:
    Engine: ``ask`` a question, ``search`` the chunks.
    Answer, Citation, Evidence, SectionRef: what ``Engine.ask`` returns.
    Chunk, Unit: the searchable pieces of a page.
    RetrievalError, ModelLoadError, IndexUnreadable, EvalSetError: errors.

torch, FAISS and sentence-transformers load only when an engine is loaded,
so importing this package is quick.
"""

from __future__ import annotations

from .answer import Answer, Citation, Evidence, SectionRef
from .chunker import Chunk, Unit, chunk_pages
from .engine import Engine, load_engine
from .errors import EvalSetError, IndexUnreadable, ModelLoadError, RetrievalError

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
    "Engine",
    "EvalSetError",
    "Evidence",
    "IndexUnreadable",
    "ModelLoadError",
    "RetrievalError",
    "SectionRef",
    "Unit",
    "chunk_pages",
    "load_engine",
]
