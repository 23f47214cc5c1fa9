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
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import faiss
import numpy as np

from .chunking import CHUNKING_PARAMS, Chunk, chunk_documents
from .documents import corpus_files, load_corpus, SIDECAR_SUFFIX
from .embedding import Encoder
from .lexical import TOKENIZER_VERSION, LexicalIndex, surface_vocabulary

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
CURRENT = "CURRENT"
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
    return hashlib.sha1(f"{model_id}\n{text}".encode("utf-8")).hexdigest()


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
    for name in manifest["settings"]["models"]:
        vectors = np.load(folder / f"{name}.npy")
        dense[name] = DenseIndex(faiss.read_index(str(folder / f"{name}.faiss")), vectors[len(chunks):],
                                 faiss.read_index(str(folder / f"{name}-sentences.faiss")))
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


# ---------------------------------------------------------------- building


def build_index(corpus_dir: Path, index_dir: Path, encoders: list[Encoder],
                progress: Progress | None = None) -> Index:
    """Build a new version from the corpus, then switch to it atomically."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    started = time.perf_counter()
    fingerprint = corpus_fingerprint(corpus_dir)
    documents, errors = load_corpus(corpus_dir)
    chunks = chunk_documents(documents)
    texts = embedded_texts(chunks)
    index_dir.mkdir(parents=True, exist_ok=True)
    _remove_unfinished_builds(index_dir)
    cache = _previous_embeddings(index_dir)
    folder = index_dir / f"tmp-{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    stats = {"chunks": len(chunks), "encoded": 0, "reused": 0}
    for encoder in encoders:
        vectors, encoded = _embed_with_cache(encoder, texts, cache, progress)
        stats["encoded"] += encoded
        stats["reused"] += len(texts) - encoded
        _save_dense(folder, encoder.name, vectors, len(chunks))
    LexicalIndex.build([c.context_text for c in chunks]).save(folder / "bm25-chunks")
    LexicalIndex.build(texts[len(chunks):]).save(folder / "bm25-sentences")
    vocabulary = sorted(surface_vocabulary([c.context_text for c in chunks]))
    (folder / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False))
    (folder / "chunks.json").write_text(json.dumps([c.to_dict() for c in chunks], ensure_ascii=False))
    manifest = {
        "settings": build_settings(encoders),
        "files": fingerprint,
        "skipped": errors,
        "stats": {**stats, "seconds": round(time.perf_counter() - started, 3)},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "checksums": _checksums(folder),
    }
    _write_durably(folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    live = _publish(index_dir, folder)
    return _read_version(live, manifest)


def _save_dense(folder: Path, name: str, vectors: np.ndarray, chunk_count: int) -> None:
    np.save(folder / f"{name}.npy", vectors)
    for rows, suffix in ((vectors[:chunk_count], ""), (vectors[chunk_count:], "-sentences")):
        faiss_index = faiss.IndexFlatIP(vectors.shape[1])
        faiss_index.add(np.ascontiguousarray(rows))
        faiss.write_index(faiss_index, str(folder / f"{name}{suffix}.faiss"))


def _embed_with_cache(encoder: Encoder, texts: list[str], cache: dict[str, np.ndarray],
                      progress: Progress | None) -> tuple[np.ndarray, int]:
    """Encode only texts whose hash is not cached; return the matrix and the count encoded."""
    hashes = [text_hash(encoder.model_id, text) for text in texts]
    missing = [i for i, h in enumerate(hashes) if h not in cache]
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        if h in cache:
            vectors[i] = cache[h]
    step = 64
    for begin in range(0, len(missing), step):
        batch = missing[begin:begin + step]
        vectors[batch] = encoder.encode_passages([texts[i] for i in batch])
        if progress:
            progress(f"encoding ({encoder.name})", min(begin + step, len(missing)), len(missing))
    return vectors, len(missing)


def _previous_embeddings(index_dir: Path) -> dict[str, np.ndarray]:
    """Vectors of the live version by text hash, so unchanged text is not encoded again."""
    try:
        previous = load_index(index_dir)
    except IndexUnavailable:
        return {}
    texts = embedded_texts(previous.chunks)
    cache = {}
    for name, model_id in previous.manifest["settings"]["models"].items():
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


def _publish(index_dir: Path, folder: Path) -> Path:
    """Rename the finished build into place, then point CURRENT at it in one atomic step."""
    _fsync_tree(folder)
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
