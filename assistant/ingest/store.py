"""The index as loaded: the live version's files read back and checked against their manifest.

A version folder holds manifest.json, chunks.json, vocabulary.json, translations.json,
centering.json, each dense model's vectors
(`assistant.ingest.vectors`) and the BM25 indexes bm25-chunks/ and bm25-sentences/. Its manifest
records the build settings and a hash of every corpus file, so any edit makes the index stale,
and a checksum of every file of the version, so damage is found at load.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.ingest.chunking import CHUNKING_PARAMS, Chunk
from assistant.ingest.documents import SIDECAR_SUFFIX, corpus_files
from assistant.ingest.translations import Translations
from assistant.ingest.vectors import DenseIndex, load_dense
from assistant.ingest.versions import MANIFEST, current_version, file_hash
from assistant.models.embedding import Encoder
from assistant.models.lexical import TOKENIZER_VERSION, LexicalIndex

FORMAT_VERSION = 5  # 4: translations.json, chunks' `aligned`; 5: centering.json

TRANSLATIONS = "translations.json"
CENTERING = "centering.json"  # the multilingual model's mean reference question per language
Manifest = dict[str, Any]  # JSON: settings, dense, files, skipped, checksums, stats, built_at


class IndexUnavailable(Exception):
    """No usable index: missing, stale, or failing its checksums."""


@dataclass
class Index:
    folder: Path
    manifest: Manifest
    chunks: list[Chunk]
    dense: dict[str, DenseIndex]
    bm25_chunks: LexicalIndex
    bm25_sentences: LexicalIndex
    sentence_owner: np.ndarray  # sentence row -> chunk id
    first_sentence: np.ndarray  # chunk id -> its first sentence row
    vocabulary: frozenset[str]  # folded corpus words, for spelling correction
    translations: Translations = field(default_factory=Translations)  # quoted, never searched
    centering: dict[str, Any] = field(default_factory=dict)  # retrieval.centering.reference_means

    def sentence_rows(self, chunk_id: int) -> range:
        start = int(self.first_sentence[chunk_id])
        return range(start, start + len(self.chunks[chunk_id].sentences))

    def sentence_at(self, row: int) -> tuple[Chunk, int]:
        """The chunk a sentence row belongs to, and the sentence's position in it."""
        chunk = self.chunks[int(self.sentence_owner[row])]
        return chunk, row - int(self.first_sentence[chunk.id])


def build_settings(encoders: list[Encoder]) -> dict[str, Any]:
    """Everything besides the corpus that shapes the index: a change means a rebuild."""
    return {
        "format": FORMAT_VERSION,
        "models": {encoder.name: encoder.model_id for encoder in encoders},
        "chunking": CHUNKING_PARAMS,
        "tokenizer": TOKENIZER_VERSION,
    }


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """Hash of every corpus file and sidecar: any edit makes the index stale."""
    paths = corpus_files(corpus_dir) + sorted(Path(corpus_dir).rglob(f"*{SIDECAR_SUFFIX}"))
    return {p.relative_to(corpus_dir).as_posix(): file_hash(p) for p in sorted(set(paths))}


def read_manifest(index_dir: Path) -> Manifest | None:
    """The live version's manifest; None when there is none or it cannot be read."""
    folder = current_version(index_dir)
    if folder is None:
        return None
    try:
        return _read_json_object(folder / MANIFEST)
    except (OSError, ValueError):
        return None


def is_current(manifest: Manifest | None, corpus_dir: Path, encoders: list[Encoder]) -> bool:
    """The index was built from this corpus, with these encoders and settings."""
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
        manifest = _read_json_object(folder / MANIFEST)
        if verify:
            _verify_checksums(folder, manifest)
        return read_version(folder, manifest)
    except IndexUnavailable:
        raise
    except Exception as error:  # truncated or garbage files
        raise IndexUnavailable(f"damaged index in {folder}: {error}") from error


def read_version(folder: Path, manifest: Manifest) -> Index:
    """A version's files as an Index, its vectors memory-mapped."""
    chunks = [Chunk.from_dict(item) for item in json.loads((folder / "chunks.json").read_text())]
    counts = np.array([len(chunk.sentences) for chunk in chunks], dtype=np.int64)
    return Index(
        folder=folder,
        manifest=manifest,
        chunks=chunks,
        dense={name: load_dense(folder, name, len(chunks)) for name in dense_models(manifest)},
        bm25_chunks=LexicalIndex.load(folder / "bm25-chunks"),
        bm25_sentences=LexicalIndex.load(folder / "bm25-sentences"),
        sentence_owner=np.repeat(np.arange(len(chunks)), counts),
        first_sentence=np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if len(chunks) else counts,
        vocabulary=frozenset(json.loads((folder / "vocabulary.json").read_text())),
        translations=_read_translations(folder),
        centering=read_centering(folder),
    )


def _read_translations(folder: Path) -> Translations:
    """A version built before translations were kept has none (its vectors are still reused)."""
    path = folder / TRANSLATIONS
    return Translations.from_json(path.read_text()) if path.exists() else Translations()


def read_centering(folder: Path | None) -> dict[str, Any]:
    """A version's centering means; none for a version built before they were kept."""
    path = folder / CENTERING if folder else None
    return _read_json_object(path) if path and path.exists() else {}


def dense_models(manifest: Manifest) -> list[str]:
    """The models a version has vectors for (a size-limited model may be left out)."""
    models: list[str] = manifest.get("dense", list(manifest["settings"]["models"]))
    return models


def _verify_checksums(folder: Path, manifest: Manifest) -> None:
    for name, expected in manifest["checksums"].items():
        path = folder / name
        if not path.is_file() or file_hash(path) != expected:
            raise IndexUnavailable(f"checksum mismatch for {path}")


def _read_json_object(path: Path) -> Manifest:
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path} holds no JSON object")
    return data
