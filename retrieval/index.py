"""The search index: chunk and unit vectors in FAISS, BM25 over the same text.

On disk (under ``Settings.data_dir / "index"``) an index is four files:

* ``manifest.json``: format, fingerprint, chunk ids, counts and dimension;
* ``chunks.faiss``: one normalised vector per chunk (inner product = cosine);
* ``units.npy``: one normalised vector per quotable unit, in chunk order, so
  that answering needs the question's vector and dot products only;
* nothing for BM25: it is rebuilt from the chunks' text in milliseconds,
  which keeps pickles out of the data folder.

The fingerprint covers the chunks (so the page content), the model folder
and the chunker version; any difference means the saved vectors may not
match, and the caller rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .chunker import CHUNKER_VERSION, Chunk
from .embedder import Embedder
from .errors import IndexUnreadable
from .text import tokens

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK_VECTORS = "chunks.faiss"
UNIT_VECTORS = "units.npy"

_NUMBER = re.compile(r"(?<![\w.])\d+(?!\w|\.\d)")

Progress = Callable[[int, int, str], None]

__all__ = ["SearchIndex", "build_index", "fingerprint", "load_index", "save_index"]


class SearchIndex:
    """Dense and lexical search over a fixed list of chunks.

    Attributes:
        chunks: the chunks, in the order of the vectors.
        chunk_vectors: array ``(len(chunks), dimension)``.
        unit_vectors: array ``(total units, dimension)``.
        unit_start: for chunk ``i``, its units are rows
            ``unit_start[i]:unit_start[i + 1]`` of ``unit_vectors``.
    """

    def __init__(
        self,
        chunks: Sequence[Chunk],
        chunk_vectors: np.ndarray,
        unit_vectors: np.ndarray,
        faiss_index=None,
    ) -> None:
        import faiss
        from rank_bm25 import BM25Okapi

        self.chunks = list(chunks)
        self.chunk_vectors = np.ascontiguousarray(chunk_vectors, dtype=np.float32)
        self.unit_vectors = np.ascontiguousarray(unit_vectors, dtype=np.float32)
        counts = [len(chunk.units) for chunk in self.chunks]
        self.unit_start = np.concatenate([[0], np.cumsum(counts)]).astype(int)
        if faiss_index is None:
            faiss_index = faiss.IndexFlatIP(self.chunk_vectors.shape[1])
            faiss_index.add(self.chunk_vectors)
        self.faiss = faiss_index
        # BM25 matches the title too: a row's text never says "exit code"
        # without its heading, and a Q&A's question is part of its title.
        self._bm25 = BM25Okapi([tokens(c.search_text) or ["_"] for c in self.chunks])
        self.vocabulary = frozenset(
            t for c in self.chunks for t in tokens(c.search_text)
        )
        self.unit_terms = [[set(tokens(u.text)) for u in c.units] for c in self.chunks]
        # Table rows keyed by a number (exit codes), for exact matching.
        self.number_rows: dict[str, list[int]] = {}
        for position, chunk in enumerate(self.chunks):
            key = chunk.key.removeprefix("row-")
            if chunk.kind == "row" and key.isdigit():
                self.number_rows.setdefault(key, []).append(position)

    def __len__(self) -> int:
        return len(self.chunks)

    def dense(
        self, vector: np.ndarray, k: int | None = None
    ) -> list[tuple[int, float]]:
        """Chunks by cosine similarity to a question vector, best first."""
        k = min(k or len(self.chunks), len(self.chunks))
        scores, ids = self.faiss.search(vector.reshape(1, -1).astype(np.float32), k)
        return [
            (int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0
        ]

    def lexical(
        self, terms: Sequence[str], k: int | None = None
    ) -> list[tuple[int, float]]:
        """Chunks by BM25 score for these terms, best first; zero scores left out."""
        if not terms:
            return []
        scores = self._bm25.get_scores(list(terms))
        order = np.argsort(-scores, kind="stable")[: k or len(self.chunks)]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def rows_named(self, question: str) -> list[int]:
        """Positions of number-keyed table rows whose number the question has."""
        numbers = set(_NUMBER.findall(question))
        return [p for n in numbers for p in self.number_rows.get(n, ())]

    def units_of(self, position: int) -> np.ndarray:
        """The unit vectors of the chunk at this position."""
        return self.unit_vectors[
            self.unit_start[position] : self.unit_start[position + 1]
        ]


def _model_identity(model_path: Path) -> list[tuple[str, int]]:
    # Names and sizes of the model's files: cheap, and different for any
    # other model or a different export of the same one. Hashing the weights
    # would cost a second at every start.
    files = sorted(p for p in Path(model_path).rglob("*") if p.is_file())
    return [(str(p.relative_to(model_path)), p.stat().st_size) for p in files]


def fingerprint(chunks: Sequence[Chunk], model_path: Path) -> str:
    """A digest of the chunks, the model folder and the chunker version.

    Args:
        chunks: the chunks the index is (or would be) built from.
        model_path: the embedding model's folder.

    Returns:
        A hex digest; equal digests mean saved vectors can be reused.
    """
    digest = hashlib.sha256()
    digest.update(f"format {FORMAT} chunker {CHUNKER_VERSION}\n".encode())
    digest.update(json.dumps(_model_identity(model_path)).encode())
    for chunk in chunks:
        digest.update(json.dumps(asdict(chunk), sort_keys=True).encode())
    return digest.hexdigest()


def build_index(
    chunks: Sequence[Chunk], embedder: Embedder, progress: Progress | None = None
) -> SearchIndex:
    """Embed every chunk and every unit and build both searches.

    Args:
        chunks: the chunks to index.
        embedder: the loaded model.
        progress: called as ``progress(done, total, message)`` while
            embedding; ``total`` counts chunks and units together.

    Returns:
        The index, not yet saved.
    """
    units = [unit.text for chunk in chunks for unit in chunk.units]
    total = len(chunks) + len(units)

    def chunk_progress(done: int, _total: int, message: str) -> None:
        if progress is not None:
            progress(done, total, message)

    def unit_progress(done: int, _total: int, message: str) -> None:
        if progress is not None:
            progress(len(chunks) + done, total, message)

    chunk_vectors = embedder.encode(
        [chunk.search_text for chunk in chunks],
        progress=chunk_progress,
        message="Embedding the page's sections",
    )
    unit_vectors = embedder.encode(
        units, progress=unit_progress, message="Embedding sentences for answers"
    )
    return SearchIndex(chunks, chunk_vectors, unit_vectors)


def save_index(index: SearchIndex, folder: Path, digest: str) -> None:
    """Write an index to a folder, replacing what was there.

    The files are written to a temporary folder beside the target and then
    swapped in, so a crash mid-write leaves the old index or none, never a
    half-written one.

    Args:
        index: the index to save.
        folder: the index folder (created if missing).
        digest: the fingerprint the index was built for.
    """
    import faiss

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".index-", dir=folder.parent))
    try:
        faiss.write_index(index.faiss, str(staging / CHUNK_VECTORS))
        np.save(staging / UNIT_VECTORS, index.unit_vectors, allow_pickle=False)
        manifest = {
            "format": FORMAT,
            "fingerprint": digest,
            "dimension": int(index.chunk_vectors.shape[1]),
            "units": int(index.unit_vectors.shape[0]),
            "chunk_ids": [chunk.id for chunk in index.chunks],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")
        if folder.exists():
            old = folder.with_name(f".{folder.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_index(folder: Path, chunks: Sequence[Chunk], digest: str) -> SearchIndex:
    """Load a saved index if it was built for exactly these chunks and model.

    Args:
        folder: the index folder.
        chunks: the current chunks.
        digest: the current fingerprint.

    Returns:
        The loaded index.

    Raises:
        IndexUnreadable: a file is missing, unreadable or inconsistent, or
            the fingerprint differs; the message says which.
    """
    import faiss

    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except FileNotFoundError as error:
        raise IndexUnreadable(f"no saved index in {folder}") from error
    except (OSError, ValueError) as error:
        raise IndexUnreadable(f"{folder / MANIFEST} is unreadable ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexUnreadable(f"{folder / MANIFEST} has an unknown format")
    if manifest.get("fingerprint") != digest:
        raise IndexUnreadable("the page, the model or the chunker changed")
    if manifest.get("chunk_ids") != [chunk.id for chunk in chunks]:
        raise IndexUnreadable(f"{folder / MANIFEST} lists other chunks")

    try:
        faiss_index = faiss.read_index(str(folder / CHUNK_VECTORS))
        unit_vectors = np.load(folder / UNIT_VECTORS, allow_pickle=False)
    except (OSError, RuntimeError, ValueError, EOFError) as error:
        raise IndexUnreadable(
            f"a vector file in {folder} is unreadable ({error})"
        ) from error

    dimension = manifest.get("dimension")
    units = sum(len(chunk.units) for chunk in chunks)
    if faiss_index.ntotal != len(chunks) or faiss_index.d != dimension:
        raise IndexUnreadable(
            f"{CHUNK_VECTORS} holds {faiss_index.ntotal} vectors of {faiss_index.d} "
            f"numbers; expected {len(chunks)} of {dimension}"
        )
    if unit_vectors.shape != (units, dimension) or unit_vectors.dtype != np.float32:
        raise IndexUnreadable(
            f"{UNIT_VECTORS} has shape {unit_vectors.shape}; expected ({units}, {dimension})"
        )
    chunk_vectors = faiss_index.reconstruct_n(0, faiss_index.ntotal)
    if not (np.isfinite(chunk_vectors).all() and np.isfinite(unit_vectors).all()):
        raise IndexUnreadable(f"the vectors in {folder} hold non-numbers")
    return SearchIndex(chunks, chunk_vectors, unit_vectors, faiss_index)
