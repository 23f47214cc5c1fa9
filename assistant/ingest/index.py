"""Chunks -> the on-disk index: FAISS per dense model, BM25, chunk table, manifest.

Layout of the index folder:
    CURRENT            name of the live version folder (replaced atomically)
    v-<id>/            one complete build: manifest.json, chunks.json,
                       <model>.npy (chunk rows, then sentence rows), <model>.faiss (chunks),
                       <model>-sentences.faiss,
                       bm25-chunks/, bm25-sentences/
A build writes a new version folder and only then points CURRENT at it, so a
crash mid-build leaves the previous index in use. Embeddings are reused by
content hash: an unchanged chunk or sentence is never encoded again.

Scale: a FAISS index is exact (flat) up to EXACT_SEARCH_LIMIT vectors, above
that an inverted file (IVF) that scans a few percent of the vectors (recall@10
against exact search is measured by bench/scale.py). Vector files are memory-
mapped, not read: loading is instant and the pages are shared with the OS cache.
The multilingual model encodes several times slower than MiniLM, so it is left
out above MULTILINGUAL_MAX_CHUNKS chunks (questions in other languages are then
declined rather than answered from English-only signals).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from assistant.ingest.chunking import CHUNKING_PARAMS, Chunk, chunk_documents
from assistant.ingest.documents import SIDECAR_SUFFIX, corpus_files, load_corpus
from assistant.models.embedding import Encoder
from assistant.models.lexical import TOKENIZER_VERSION, LexicalIndex, surface_vocabulary, tokenize

log = logging.getLogger(__name__)

FORMAT_VERSION = 3
CURRENT = "CURRENT"
EXACT_SEARCH_LIMIT = 50_000  # vectors: flat search stays under ~10 ms on one busy core
IVF_LISTS_PER_SQRT = 2  # IVF lists = 2 * sqrt(vectors): 1,414 lists for 500,000 sentences
IVF_PROBED_SHARE = 6  # probe 1/6 of the lists: recall@10 0.98 against exact search on 3.5k real sentences
IVF_TRAINING_PER_LIST = 40  # k-means sample size per list, the FAISS recommendation's lower end
ENCODING_BLOCK = 512  # texts per encoder call: long enough for length-sorted batches, short for progress
# Chunks above which the slow multilingual index is skipped; 0 never skips.
MULTILINGUAL_MAX_CHUNKS = int(os.environ.get("ASSISTANT_MULTILINGUAL_MAX_CHUNKS", "20000"))
SIZE_LIMITED_MODELS = {"e5": MULTILINGUAL_MAX_CHUNKS}
MEMO_MAX_TEXTS = 100_000  # BM25 tokens kept between builds up to ~20k chunks (~1 GB of lists at 100k)
Progress = Callable[[str, int, int], None]  # (stage, done, total)


class IndexUnavailable(Exception):
    """No usable index: missing, stale, or failing its checksums."""


@dataclass
class DenseIndex:
    """One model's vectors: FAISS indexes over chunks and over sentences, and the sentence matrix."""

    faiss_index: faiss.Index
    sentence_vectors: np.ndarray
    sentence_index: faiss.Index


@dataclass
class Index:
    folder: Path
    manifest: dict
    chunks: list[Chunk]
    dense: dict[str, DenseIndex]
    bm25_chunks: LexicalIndex
    bm25_sentences: LexicalIndex
    sentence_owner: np.ndarray  # sentence row -> chunk id
    first_sentence: np.ndarray  # chunk id -> its first sentence row
    vocabulary: frozenset[str]  # folded corpus words, for spelling correction

    def sentence_rows(self, chunk_id: int) -> range:
        start = int(self.first_sentence[chunk_id])
        return range(start, start + len(self.chunks[chunk_id].sentences))

    def sentence_at(self, row: int):
        chunk = self.chunks[int(self.sentence_owner[row])]
        return chunk, row - int(self.first_sentence[chunk.id])


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def text_hash(model_id: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\n{text}".encode()).hexdigest()


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """Hash of every corpus file and sidecar: any edit makes the index stale."""
    paths = corpus_files(corpus_dir) + sorted(Path(corpus_dir).rglob(f"*{SIDECAR_SUFFIX}"))
    return {p.relative_to(corpus_dir).as_posix(): file_hash(p) for p in sorted(set(paths))}


def build_settings(encoders: list[Encoder]) -> dict:
    return {
        "format": FORMAT_VERSION,
        "models": {encoder.name: encoder.model_id for encoder in encoders},
        "chunking": CHUNKING_PARAMS,
        "tokenizer": TOKENIZER_VERSION,
    }


def embedded_texts(chunks: list[Chunk]) -> list[str]:
    """Rows of each model's matrix: every chunk with its heading, then every sentence."""
    texts = [chunk.context_text for chunk in chunks]
    texts += [chunk.sentence_context(i) for chunk in chunks for i in range(len(chunk.sentences))]
    return texts


# ---------------------------------------------------------------- reading


def current_version(index_dir: Path) -> Path | None:
    pointer = Path(index_dir) / CURRENT
    try:
        name = pointer.read_text().strip()
    except OSError:
        return None
    folder = Path(index_dir) / name
    return folder if name and folder.is_dir() else None


def read_manifest(index_dir: Path) -> dict | None:
    folder = current_version(index_dir)
    if folder is None:
        return None
    try:
        return json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def is_current(manifest: dict | None, corpus_dir: Path, encoders: list[Encoder]) -> bool:
    return (
        manifest is not None
        and manifest.get("settings") == build_settings(encoders)
        and manifest.get("files") == corpus_fingerprint(corpus_dir)
    )


def load_index(index_dir: Path, verify: bool = True) -> Index:
    """Load the live version; raise IndexUnavailable when it is missing or damaged."""
    folder = current_version(index_dir)
    if folder is None:
        raise IndexUnavailable(f"no index in {index_dir}")
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        if verify:
            _verify_checksums(folder, manifest)
        return _read_version(folder, manifest)
    except IndexUnavailable:
        raise
    except Exception as error:  # truncated or garbage files
        raise IndexUnavailable(f"damaged index in {folder}: {error}") from error


def _verify_checksums(folder: Path, manifest: dict) -> None:
    for name, expected in manifest["checksums"].items():
        path = folder / name
        if not path.is_file() or file_hash(path) != expected:
            raise IndexUnavailable(f"checksum mismatch for {path}")


def _read_version(folder: Path, manifest: dict) -> Index:
    chunks = [Chunk.from_dict(item) for item in json.loads((folder / "chunks.json").read_text())]
    dense = {}
    for name in dense_models(manifest):
        vectors = np.load(folder / f"{name}.npy", mmap_mode="r")
        dense[name] = DenseIndex(_read_faiss(folder / f"{name}.faiss"), vectors[len(chunks):],
                                 _read_faiss(folder / f"{name}-sentences.faiss"))
    counts = np.array([len(chunk.sentences) for chunk in chunks], dtype=np.int64)
    return Index(
        folder=folder,
        manifest=manifest,
        chunks=chunks,
        dense=dense,
        bm25_chunks=LexicalIndex.load(folder / "bm25-chunks"),
        bm25_sentences=LexicalIndex.load(folder / "bm25-sentences"),
        sentence_owner=np.repeat(np.arange(len(chunks)), counts),
        first_sentence=np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if len(chunks) else counts,
        vocabulary=frozenset(json.loads((folder / "vocabulary.json").read_text())),
    )


def dense_models(manifest: dict) -> list[str]:
    """The models a version has vectors for (a size-limited model may be left out)."""
    return manifest.get("dense", list(manifest["settings"]["models"]))


def _read_faiss(path: Path) -> faiss.Index:
    """Memory-mapped: no copy into the process, pages shared with the OS cache."""
    return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)


# ---------------------------------------------------------------- building


def build_index(corpus_dir: Path, index_dir: Path, encoders: list[Encoder],
                progress: Progress | None = None) -> Index:
    """Build a new version from the corpus, then switch to it atomically."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    timer = StageTimer()
    fingerprint = corpus_fingerprint(corpus_dir)
    documents, errors = load_corpus(corpus_dir)
    chunks = chunk_documents(documents)
    texts = embedded_texts(chunks)
    timer.lap("read")
    index_dir.mkdir(parents=True, exist_ok=True)
    _remove_unfinished_builds(index_dir)
    cache = _previous_embeddings(index_dir)
    timer.lap("cache")
    folder = index_dir / f"tmp-{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    stats = {"chunks": len(chunks), "encoded": 0, "reused": 0}
    built = dense_encoders(encoders, len(chunks))
    for encoder in built:
        vectors, encoded = _embed_with_cache(encoder, texts, cache, progress)
        stats["encoded"] += encoded
        stats["reused"] += len(texts) - encoded
        timer.lap("encode")
        _save_dense(folder, encoder.name, vectors, len(chunks))
        timer.lap("faiss")
    LexicalIndex.build([c.context_text for c in chunks], TOKENS).save(folder / "bm25-chunks")
    LexicalIndex.build(texts[len(chunks):], TOKENS).save(folder / "bm25-sentences")
    TOKENS.keep_if_at_most(MEMO_MAX_TEXTS)
    vocabulary = sorted(surface_vocabulary([c.context_text for c in chunks]))
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False))
    (folder / "chunks.json").write_text(json.dumps([c.to_dict() for c in chunks], ensure_ascii=False))
    timer.lap("bm25")
    manifest = {
        "settings": build_settings(encoders),
        "dense": [encoder.name for encoder in built],
        "files": fingerprint,
        "skipped": errors,
        "checksums": _checksums(folder),
    }
    timer.lap("checksums")
    live = _publish(index_dir, folder, manifest, stats, timer)
    return _read_version(live, manifest)  # _publish completed it with stats and the build time


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


class BuildMemo:
    """A text function's results from the previous build in this process, so that a rebuild
    after a small edit (the staff console's) computes them only for the changed text."""

    def __init__(self, function: Callable[[str], object]) -> None:
        self.function = function
        self.previous: dict[str, object] = {}
        self.current: dict[str, object] = {}

    def __call__(self, text: str):
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


def _save_dense(folder: Path, name: str, vectors: np.ndarray, chunk_count: int) -> None:
    np.save(folder / f"{name}.npy", vectors)
    for rows, suffix in ((vectors[:chunk_count], ""), (vectors[chunk_count:], "-sentences")):
        faiss.write_index(vector_index(np.ascontiguousarray(rows)), str(folder / f"{name}{suffix}.faiss"))


def vector_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product search for small sets; an inverted file above EXACT_SEARCH_LIMIT."""
    count, dim = vectors.shape
    if count <= EXACT_SEARCH_LIMIT:
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index
    lists = int(IVF_LISTS_PER_SQRT * np.sqrt(count))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(count, min(count, IVF_TRAINING_PER_LIST * lists), replace=False)
    index.train(vectors[np.sort(sample)])
    index.add(vectors)
    index.nprobe = max(1, lists // IVF_PROBED_SHARE)
    return index


def _embed_with_cache(encoder: Encoder, texts: list[str], cache: dict[str, np.ndarray],
                      progress: Progress | None) -> tuple[np.ndarray, int]:
    """Encode only texts whose hash is not cached; return the matrix and the count encoded.
    Missing texts go to the encoder sorted by length, so its batches carry little padding."""
    hashes = [text_hash(encoder.model_id, text) for text in texts]
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    missing = []
    for i, h in enumerate(hashes):
        cached = cache.get(h)
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
        matrix = np.load(previous.folder / f"{name}.npy")
        for text, vector in zip(texts, matrix):
            cache[text_hash(model_id, text)] = vector
    return cache


def _checksums(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): file_hash(path)
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _publish(index_dir: Path, folder: Path, manifest: dict, stats: dict, timer: StageTimer) -> Path:
    """Write the manifest last, rename the finished build into place, then point CURRENT at it
    in one atomic step."""
    _fsync_tree(folder)
    timer.lap("fsync")
    manifest["stats"] = {**stats, "seconds": timer.total(), "stages": timer.seconds}
    manifest["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _write_durably(folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    live = index_dir / f"v-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    folder.rename(live)
    pointer = index_dir / f"{CURRENT}.tmp"
    _write_durably(pointer, live.name)
    os.replace(pointer, index_dir / CURRENT)
    _fsync_dir(index_dir)
    for old in index_dir.glob("v-*"):
        if old != live:
            shutil.rmtree(old, ignore_errors=True)
    return live


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_unfinished_builds(index_dir: Path) -> None:
    for leftover in index_dir.glob("tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
