"""Corpus -> a new index version: chunks, each dense model's vectors, BM25, then the atomic switch.

Embeddings are reused by content hash: an unchanged chunk or sentence is never encoded again.
The multilingual model encodes several times slower than MiniLM, so it is left out above
MULTILINGUAL_MAX_CHUNKS chunks (questions in other languages are then declined rather than
answered from English-only signals).
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.ingest.chunking import Chunk, chunk_documents
from assistant.ingest.documents import load_corpus
from assistant.ingest.store import (
    CENTERING,
    TRANSLATIONS,
    Index,
    IndexUnavailable,
    Manifest,
    build_settings,
    corpus_fingerprint,
    dense_models,
    load_index,
    read_centering,
    read_version,
)
from assistant.ingest.translations import align_translations, split_translations
from assistant.ingest.vectors import read_matrix, save_dense
from assistant.ingest.versions import checksums, current_version, new_build_folder, publish, sync
from assistant.models.embedding import Encoder
from assistant.models.lexical import LexicalIndex, surface_vocabulary, tokenize
from assistant.retrieval.centering import reference_means
from assistant.text import text_hash

log = logging.getLogger(__name__)

ENCODING_BLOCK = 512  # texts per encoder call: long enough for length-sorted batches, short for progress
# Chunks above which the slow multilingual index is skipped; 0 never skips.
MULTILINGUAL_MAX_CHUNKS = int(os.environ.get("ASSISTANT_MULTILINGUAL_MAX_CHUNKS", "20000"))
SIZE_LIMITED_MODELS = {"e5": MULTILINGUAL_MAX_CHUNKS}
# BM25 tokens kept between builds up to ~20k chunks; more would cost too much memory (bench/scale.py)
MEMO_MAX_TEXTS = 100_000
ALIGNING_MODEL = "e5"  # the multilingual model: it places a translated sentence beside its original
Progress = Callable[[str, int, int], None]  # (stage, done, total)


class BuildMemo:
    """A text function's results from the previous build in this process, so that a rebuild
    after a small edit (the staff console's) computes them only for the changed text."""

    def __init__(self, function: Callable[[str], list[str]]) -> None:
        self.function = function
        self.previous: dict[str, list[str]] = {}
        self.current: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        result = self.previous.get(text)
        if result is None:
            result = self.function(text)
        self.current[text] = result
        return result

    def keep_if_at_most(self, count: int) -> None:
        """End of a build: remember this build's results, unless there are too many to hold."""
        self.previous = self.current if len(self.current) <= count else {}
        self.current = {}


TOKENS = BuildMemo(tokenize)


class StageTimer:
    """Seconds per build stage, recorded in the manifest to show where a build spends its time."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + now - self.last, 3)
        self.last = now

    def total(self) -> float:
        return round(time.perf_counter() - self.started, 3)


def build_index(corpus_dir: Path, index_dir: Path, encoders: list[Encoder],
                progress: Progress | None = None) -> Index:
    """Build a new version from the corpus, then switch to it atomically."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    timer = StageTimer()
    fingerprint = corpus_fingerprint(corpus_dir)
    documents, errors = load_corpus(corpus_dir)
    originals, translated = split_translations(documents)
    chunks = chunk_documents(originals)
    texts = embedded_texts(chunks)
    timer.lap("read")
    cache = _previous_embeddings(index_dir)
    timer.lap("cache")
    folder = new_build_folder(index_dir)
    stats: dict[str, int] = {"chunks": len(chunks), "encoded": 0, "reused": 0}
    built = dense_encoders(encoders, len(chunks))
    for encoder in built:
        vectors, encoded = _embed_with_cache(encoder, texts, cache, progress)
        stats["encoded"] += encoded
        stats["reused"] += len(texts) - encoded
        timer.lap("encode")
        save_dense(folder, encoder.name, vectors, len(chunks))
        timer.lap("faiss")
    _save_lexical(folder, chunks, texts[len(chunks):])
    timer.lap("bm25")
    means = reference_means(built, read_centering(current_version(index_dir)))
    (folder / CENTERING).write_text(json.dumps(means))
    timer.lap("centering")
    multilingual = next((encoder for encoder in built if encoder.name == ALIGNING_MODEL), None)
    translations = align_translations(translated, chunks, multilingual)
    (folder / TRANSLATIONS).write_text(translations.to_json())
    timer.lap("translations")
    manifest: Manifest = {
        "settings": build_settings(encoders),
        "dense": [encoder.name for encoder in built],
        "files": fingerprint,
        "skipped": errors,
        "translations": translations.documents,
        "checksums": checksums(folder),
    }
    timer.lap("checksums")
    sync(folder)
    timer.lap("fsync")
    manifest["stats"] = {**stats, "seconds": timer.total(), "stages": timer.seconds}
    return read_version(publish(index_dir, folder, manifest), manifest)


def embedded_texts(chunks: list[Chunk]) -> list[str]:
    """Rows of each model's matrix: every chunk with its heading, then every sentence."""
    texts = [chunk.context_text for chunk in chunks]
    texts += [chunk.sentence_context(i) for chunk in chunks for i in range(len(chunk.sentences))]
    return texts


def dense_encoders(encoders: list[Encoder], chunk_count: int) -> list[Encoder]:
    """The encoders this corpus size is built with: a size-limited model is skipped above its limit."""
    kept = []
    for encoder in encoders:
        limit = SIZE_LIMITED_MODELS.get(encoder.name, 0)
        if limit and chunk_count > limit:
            log.warning("%d chunks: the %s index is skipped above %d chunks (ASSISTANT_MULTILINGUAL_MAX_CHUNKS)",
                        chunk_count, encoder.name, limit)
        else:
            kept.append(encoder)
    return kept


def _save_lexical(folder: Path, chunks: list[Chunk], sentence_texts: list[str]) -> None:
    """BM25 over chunks and over sentences, the chunk table, and the words spelling correction aims at."""
    LexicalIndex.build([c.context_text for c in chunks], TOKENS).save(folder / "bm25-chunks")
    LexicalIndex.build(sentence_texts, TOKENS).save(folder / "bm25-sentences")
    TOKENS.keep_if_at_most(MEMO_MAX_TEXTS)
    vocabulary = sorted(surface_vocabulary([c.context_text for c in chunks]))
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False))
    (folder / "chunks.json").write_text(json.dumps([c.to_dict() for c in chunks], ensure_ascii=False))


def _embed_with_cache(encoder: Encoder, texts: list[str], cache: dict[str, np.ndarray],
                      progress: Progress | None) -> tuple[np.ndarray, int]:
    """Encode only texts whose hash is not cached; return the matrix and the count encoded.
    Missing texts go to the encoder sorted by length, so its batches carry little padding."""
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    missing = []
    for i, text in enumerate(texts):
        cached = cache.get(text_hash(encoder.model_id, text))
        if cached is None:
            missing.append(i)
        else:
            vectors[i] = cached
    missing.sort(key=lambda i: len(texts[i]))
    for begin in range(0, len(missing), ENCODING_BLOCK):
        block = missing[begin:begin + ENCODING_BLOCK]
        vectors[block] = encoder.encode_passages([texts[i] for i in block])
        if progress:
            progress(f"encoding ({encoder.name})", begin + len(block), len(missing))
    return vectors, len(missing)


def _previous_embeddings(index_dir: Path) -> dict[str, np.ndarray]:
    """Vectors of the live version by text hash, so unchanged text is not encoded again."""
    try:
        previous = load_index(index_dir)
    except IndexUnavailable:
        return {}
    texts = embedded_texts(previous.chunks)
    cache = {}
    for name in dense_models(previous.manifest):
        model_id = previous.manifest["settings"]["models"][name]
        for text, vector in zip(texts, read_matrix(previous.folder, name)):
            cache[text_hash(model_id, text)] = vector
    return cache
