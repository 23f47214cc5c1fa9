"""Question -> ranked passages: BM25 + MiniLM + multilingual E5, fused by RRF.

Each retriever ranks the chunks on its own; reciprocal rank fusion combines
the ranks, which needs no score calibration across such different scales.
The query vectors are kept, so answer selection can score sentences with them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import faiss
import numpy as np

from assistant import settings
from assistant.ingest.chunking import Chunk
from assistant.ingest.store import Index
from assistant.models.embedding import Encoder, encode_queries
from assistant.retrieval.centering import LanguageCentering


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
    centered: list[str] = field(default_factory=list)  # models that ranked with a language-centered vector


class Retriever:
    def __init__(self, index: Index, encoders: list[Encoder], centering: LanguageCentering | None = None) -> None:
        self.index = index
        self.encoders = [e for e in encoders if e.name in index.dense]
        self.centering = centering or LanguageCentering()

    @property
    def models(self) -> set[str]:
        """The dense models this index has vectors for."""
        return {encoder.name for encoder in self.encoders}

    def search(self, query: str, top_k: int = 5, weights: dict[str, float] | None = None,
               lexical_boost: float = 0.0, depth: int = settings.CANDIDATES_PER_RETRIEVER,
               models: set[str] | None = None, known_vectors: dict[str, np.ndarray] | None = None,
               language: str = "en") -> Retrieval:
        """Rank passages; `weights` per retriever (default 1) let the multilingual model lead
        for questions that are not in English, where BM25 and MiniLM see mostly noise.
        `lexical_boost` adds BM25, scaled to 0..1, to the dense scores themselves: a small nudge
        from shared names and numbers that rank fusion would turn into a whole rank.
        `depth` is how many chunks each retriever contributes (deeper for recall benchmarks).
        `models` limits the dense models consulted (default: all); `known_vectors` are query
        vectors a first search already computed, so a second one does not encode them again.
        For a question in `language`, the multilingual vector ranks passages language-centered."""
        bm25_scores = self._bm25(query)
        rankings: dict[str, list[tuple[int, float]]] = {"bm25": _ranking(bm25_scores, depth)}
        top = float(bm25_scores.max()) if len(bm25_scores) else 0.0
        boost = lexical_boost * bm25_scores / top if lexical_boost and top > 0 else None
        known = known_vectors or {}
        wanted = [e for e in self.encoders if models is None or e.name in models]
        fresh = encode_queries([e for e in wanted if e.name not in known], query)
        vectors = {e.name: known[e.name] if e.name in known else fresh[e.name] for e in wanted}
        for encoder in wanted:
            ranking_vector = self.centering.center(encoder, vectors[encoder.name], language)
            rankings[encoder.name] = self._dense(encoder.name, ranking_vector, depth, boost)
        centered = [e.name for e in wanted if self.centering.applies(e.name, language)]
        return Retrieval(query, fuse(self.index.chunks, rankings, weights or {})[:top_k], vectors, centered)

    def _bm25(self, query: str) -> np.ndarray:
        return self.index.bm25_chunks.scores(query)

    def _dense(self, name: str, vector: np.ndarray, depth: int,
               boost: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Chunks by their own similarity plus that of their best sentence: a question usually
        targets one sentence, which a whole-passage vector dilutes (+4 to +6 points of R@1 on
        XQuAD's cross-lingual questions, `bench/xquad.py`)."""
        dense = self.index.dense[name]
        if dense.faiss_index.ntotal == 0:
            return []
        whole = _search(dense.faiss_index, vector, depth)
        best_sentence: dict[int, float] = {}
        for row, score in _search(dense.sentence_index, vector, depth * settings.SENTENCES_PER_CHUNK).items():
            chunk_id = int(self.index.sentence_owner[row])
            best_sentence[chunk_id] = max(score, best_sentence.get(chunk_id, -1.0))
        whole_floor, sentence_floor = min(whole.values()), min(best_sentence.values(), default=0.0)
        combined = {chunk_id: whole.get(chunk_id, whole_floor) + best_sentence.get(chunk_id, sentence_floor)
                    + (float(boost[chunk_id]) if boost is not None else 0.0)
                    for chunk_id in whole.keys() | best_sentence.keys()}
        return sorted(combined.items(), key=lambda item: -item[1])[:depth]


def _ranking(scores: np.ndarray, depth: int) -> list[tuple[int, float]]:
    """The `depth` best positive scores, best first (ties by index). Only these are sorted:
    sorting all the scores of a 100k-chunk corpus cost more than the rest of the search."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > depth:
        cut = -np.partition(-scores[positive], depth - 1)[depth - 1]  # the depth-th best score
        above, tied = positive[scores[positive] > cut], positive[scores[positive] == cut]
        positive = np.concatenate([above, tied[:depth - len(above)]])
    order = positive[np.lexsort((positive, -scores[positive]))]
    return [(int(i), float(scores[i])) for i in order]


def _search(faiss_index: faiss.Index, vector: np.ndarray, k: int) -> dict[int, float]:
    scores, ids = faiss_index.search(vector.reshape(1, -1), min(k, faiss_index.ntotal))
    return {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0}


def fuse(chunks: list[Chunk], rankings: dict[str, list[tuple[int, float]]],
         weights: dict[str, float]) -> list[Hit]:
    """Weighted reciprocal rank fusion: score = sum over retrievers of weight / (settings.RRF_K + rank)."""
    hits: dict[int, Hit] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, (chunk_id, score) in enumerate(ranking, start=1):
            hit = hits.setdefault(chunk_id, Hit(chunks[chunk_id], 0.0))
            hit.score += weight / (settings.RRF_K + rank)
            hit.ranks[name] = rank
            hit.scores[name] = score
    return sorted(hits.values(), key=lambda hit: -hit.score)
