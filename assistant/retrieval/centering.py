"""Language centering: moving a question's multilingual vector away from its language.

A question in Chinese or Russian sits, in the multilingual model's space, near other
questions in the same language whatever they ask; that shared part says nothing about
which English passage answers. Taking away half the mean vector of ordinary questions in
the question's language removes much of it (`bench/xquad.py`, questions in de/es/ru/zh on the
English paragraphs: passage R@1 mean 0.840 -> 0.862, Chinese 0.732 -> 0.782). The means come from
the general-knowledge questions below, written for this purpose on no topic of the union's
texts or of the XQuAD articles, the same questions in every language. Their means are computed
when the index is built and kept in it (`reference_means`): encoding them took the first visitors in
each language 5 to 7 s after a start under load (bench/load.py). Without them, a language's
questions are encoded on its first question (once per process), or all at once by `prepare`.
English questions are not centered: they share the passages' language.
"""
from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import numpy as np

from assistant import rules, settings
from assistant.models.embedding import Encoder

CENTERED_MODELS = {"e5"}  # the multilingual model; MiniLM only ever sees English

# the same general-knowledge questions in every language (rules/centering.toml)
REFERENCE_QUESTIONS: dict[str, list[str]] = rules.load("centering")


Means = dict[str, Any]  # {"references": fingerprint, "means": {model id: {language: vector}}}, as in the index


def _references_fingerprint() -> str:
    """Changes when the reference questions do: means kept from before are then computed anew."""
    return hashlib.sha256(json.dumps(REFERENCE_QUESTIONS, sort_keys=True).encode()).hexdigest()[:16]


def _mean_vector(encoder: Encoder, language: str) -> np.ndarray:
    mean: np.ndarray = np.mean([encoder.encode_query(q) for q in REFERENCE_QUESTIONS[language]], axis=0)
    return mean


def reference_means(encoders: list[Encoder], previous: Means) -> Means:
    """Each centered model's mean reference vector per language, for the index; those of the
    previous index are kept when its references and model are the same (E5 takes seconds)."""
    fingerprint = _references_fingerprint()
    kept = previous.get("means", {}) if previous.get("references") == fingerprint else {}
    means = {encoder.model_id: kept.get(encoder.model_id) or
             {language: _mean_vector(encoder, language).tolist() for language in REFERENCE_QUESTIONS}
             for encoder in encoders if encoder.name in CENTERED_MODELS}
    return {"references": fingerprint, "means": means}


class LanguageCentering:
    """Per encoder and language, the mean vector of the reference questions, computed once."""

    def __init__(self) -> None:
        self._means: dict[tuple[str, str], np.ndarray] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()  # guards `_locks`

    def use(self, encoders: list[Encoder], stored: Means) -> None:
        """Take the means an index keeps (`reference_means`), unless its references are outdated."""
        if stored.get("references") != _references_fingerprint():
            return
        for encoder in encoders:
            for language, vector in stored["means"].get(encoder.model_id, {}).items():
                self._means.setdefault((encoder.name, language), np.asarray(vector, dtype=np.float32))

    @staticmethod
    def applies(model: str, language: str) -> bool:
        """Not for English, for languages without reference questions or for the English-only model."""
        return model in CENTERED_MODELS and language in REFERENCE_QUESTIONS

    def center(self, encoder: Encoder, vector: np.ndarray, language: str) -> np.ndarray:
        """The question's vector without its language's mean, unit length again; unchanged where
        centering does not apply."""
        if not self.applies(encoder.name, language):
            return vector
        centered = vector - settings.CENTERING_STRENGTH * self._mean(encoder, language)
        return (centered / np.linalg.norm(centered)).astype(vector.dtype)

    def prepare(self, encoders: list[Encoder]) -> None:
        """Encode every language's reference questions now, not on its first question."""
        for encoder in encoders:
            if encoder.name in CENTERED_MODELS:
                for language in REFERENCE_QUESTIONS:
                    self._mean(encoder, language)

    def _mean(self, encoder: Encoder, language: str) -> np.ndarray:
        key = (encoder.name, language)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        # two first questions in a language at once encode its references once; a question in
        # another language does not wait for them (under load, all of them took 5 to 7 s)
        with lock:
            if key not in self._means:
                self._means[key] = _mean_vector(encoder, language)
            return self._means[key]
