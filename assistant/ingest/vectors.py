"""One dense model's vectors on disk: the matrix (<model>.npy: chunk rows, then sentence rows) and
a FAISS index over the chunks (<model>.faiss) and one over the sentences (<model>-sentences.faiss).

A FAISS index is exact (flat) up to EXACT_SEARCH_LIMIT vectors, above that an inverted file (IVF)
that scans a share of the vectors (its recall against exact search is measured by bench/scale.py).
Files are memory-mapped when loaded, not read: loading is instant and the pages are shared with
the OS cache.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

EXACT_SEARCH_LIMIT = 50_000  # vectors: flat search stays fast enough on one busy core (bench/scale.py)
IVF_LISTS_PER_SQRT = 2  # IVF lists = 2 * sqrt(vectors): 1,414 lists for 500,000 sentences
IVF_PROBED_SHARE = 6  # probe 1/6 of the lists: recall@10 against exact search (bench/scale.py)
IVF_TRAINING_PER_LIST = 40  # k-means sample size per list, the FAISS recommendation's lower end


@dataclass
class DenseIndex:
    """One model's vectors: FAISS indexes over chunks and over sentences, and the sentence matrix."""

    faiss_index: faiss.Index
    sentence_vectors: np.ndarray
    sentence_index: faiss.Index


def save_dense(folder: Path, name: str, vectors: np.ndarray, chunk_count: int) -> None:
    """Write a model's matrix and its two FAISS indexes, chunks being the first `chunk_count` rows."""
    np.save(folder / f"{name}.npy", vectors)
    for rows, suffix in ((vectors[:chunk_count], ""), (vectors[chunk_count:], "-sentences")):
        faiss.write_index(vector_index(np.ascontiguousarray(rows)), str(folder / f"{name}{suffix}.faiss"))


def load_dense(folder: Path, name: str, chunk_count: int) -> DenseIndex:
    """A model's vectors and indexes, memory-mapped."""
    vectors = np.load(folder / f"{name}.npy", mmap_mode="r")
    return DenseIndex(_read_faiss(folder / f"{name}.faiss"), vectors[chunk_count:],
                      _read_faiss(folder / f"{name}-sentences.faiss"))


def read_matrix(folder: Path, name: str) -> np.ndarray:
    """A model's whole matrix, chunk rows then sentence rows, read into memory."""
    matrix: np.ndarray = np.load(folder / f"{name}.npy")
    return matrix


def vector_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product search for small sets; an inverted file above EXACT_SEARCH_LIMIT."""
    count, dim = vectors.shape
    if count <= EXACT_SEARCH_LIMIT:
        exact = faiss.IndexFlatIP(dim)
        exact.add(vectors)
        return exact
    lists = int(IVF_LISTS_PER_SQRT * np.sqrt(count))
    inverted = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(count, min(count, IVF_TRAINING_PER_LIST * lists), replace=False)
    inverted.train(vectors[np.sort(sample)])
    inverted.add(vectors)
    inverted.nprobe = max(1, lists // IVF_PROBED_SHARE)
    return inverted


def _read_faiss(path: Path) -> faiss.Index:
    """Memory-mapped: no copy into the process, pages shared with the OS cache."""
    return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
