"""Question -> ranked passages: BM25 + MiniLM + multilingual E5, fused by RRF.

Each retriever ranks the chunks on its own; reciprocal rank fusion combines
the ranks, which needs no score calibration across such different scales.
The query vectors are kept, so answer selection can score sentences with them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .chunking import Chunk
from .embedding import Encoder
from .index import Index

RRF_K = 60
CANDIDATES_PER_RETRIEVER = 20


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused RRF score
    ranks: dict[str, int] = field(default_factory=dict)  # retriever -> 1-based rank
    scores: dict[str, float] = field(default_factory=dict)  # retriever -> raw score


@dataclass
class Retrieval:
    """Everything later stages and the staff inspector need about one search."""

    query: str
    hits: list[Hit]
    query_vectors: dict[str, np.ndarray]


class Retriever:
    def __init__(self, index: Index, encoders: list[Encoder]) -> None:
        self.index = index
        self.encoders = [e for e in encoders if e.name in index.dense]

    def search(self, query: str, top_k: int = 5) -> Retrieval:
        rankings: dict[str, list[tuple[int, float]]] = {"bm25": self._bm25(query)}
        vectors = {}
        for encoder in self.encoders:
            vectors[encoder.name] = encoder.encode_query(query)
            rankings[encoder.name] = self._dense(encoder.name, vectors[encoder.name])
        return Retrieval(query, fuse(self.index.chunks, rankings)[:top_k], vectors)

    def _bm25(self, query: str) -> list[tuple[int, float]]:
        scores = self.index.bm25_chunks.scores(query)
        order = np.argsort(-scores, kind="stable")[:CANDIDATES_PER_RETRIEVER]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def _dense(self, name: str, vector: np.ndarray) -> list[tuple[int, float]]:
        faiss_index = self.index.dense[name].faiss_index
        if faiss_index.ntotal == 0:
            return []
        k = min(CANDIDATES_PER_RETRIEVER, faiss_index.ntotal)
        scores, ids = faiss_index.search(vector.reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


def fuse(chunks: list[Chunk], rankings: dict[str, list[tuple[int, float]]]) -> list[Hit]:
    """Reciprocal rank fusion: score = sum over retrievers of 1 / (RRF_K + rank)."""
    hits: dict[int, Hit] = {}
    for name, ranking in rankings.items():
        for rank, (chunk_id, score) in enumerate(ranking, start=1):
            hit = hits.setdefault(chunk_id, Hit(chunks[chunk_id], 0.0))
            hit.score += 1.0 / (RRF_K + rank)
            hit.ranks[name] = rank
            hit.scores[name] = score
    return sorted(hits.values(), key=lambda hit: -hit.score)
