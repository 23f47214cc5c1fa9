"""The reader's path for English questions, measured beside the rule-based one (not yet serving).

MiniLM and BM25 find the passages; the cheap ranking (`answer.rank_sentences` with
PRESELECTION_WEIGHTS) preselects the sentences the reader reads. Each candidate's final score
is the calibrated combination of the reader's logit with the retrieval signals
(`Reader.combined`, learned on held-out SQuAD articles by `training/calibrate_reader.py`); the
question is declined when the best one is below the reader's threshold.

`Assistant.ask` does not use it yet: on the union's questions it chose worse sentences and
declined no better than the rules (docs/reader.md has the figures). `bench/xquad.py`,
`bench/xquad_noans.py` and the calibration run it, so each retrained reader is measured the
same way.
"""
from __future__ import annotations

import numpy as np

from .answer import Candidate, rank_sentences
from .index import Index
from .reader import Reader
from .retrieval import Retrieval, Retriever

READER_CANDIDATES = 8  # sentences the reader reads, the cheap ranking's best first
PRESELECTION_MODELS = {"minilm"}
PRESELECTION_WEIGHTS = {"minilm": 1.0, "bm25": 0.75, "passage": 0.4}
FEATURES = ("reader", "minilm", "bm25", "passage")


def features_of(candidates: list[Candidate]) -> list[dict[str, float]]:
    """What the combination weighs, per candidate: the reader's logit, the MiniLM cosine, BM25
    scaled to 0..1 over the candidates read, and the passage's rank (0 best, -1 next, ...)."""
    bm25 = np.array([c.signals.get("bm25", 0.0) for c in candidates])
    top = float(bm25.max()) if len(bm25) else 0.0
    return [{"reader": c.signals["reader"], "minilm": c.signals.get("minilm", 0.0),
             "bm25": float(c.signals.get("bm25", 0.0) / top) if top > 0 else 0.0,
             "passage": c.signals.get("passage", 0.0)} for c in candidates]


def read(reader: Reader, question: str, candidates: list[Candidate],
         limit: int = READER_CANDIDATES) -> list[Candidate]:
    """The first `limit` candidates, read and ordered by their combined score (a logit); each keeps
    the signals "reader" and "combined"."""
    chosen = candidates[:limit]
    readings = reader.read(question, [c.chunk.sentence_context(c.sentence) for c in chosen],
                           [c.chunk.sentences[c.sentence].text for c in chosen])
    for candidate, reading in zip(chosen, readings):
        candidate.signals["reader"] = reading.relevance
    for candidate, features in zip(chosen, features_of(chosen)):
        candidate.score = reader.combined(features)
        candidate.signals["combined"] = candidate.score
    return sorted(chosen, key=lambda c: -c.score)


def read_english(index: Index, retriever: Retriever, reader: Reader, query: str,
                 asked: str | None = None) -> tuple[Retrieval, list[Candidate]]:
    """Passages from MiniLM and BM25 for `query` (the question as searched), their best sentences
    read by the reader with `asked` (the question as put, without glossary words), best first."""
    retrieval = retriever.search(query, models=PRESELECTION_MODELS)
    return retrieval, read(reader, asked or query, rank_sentences(index, retrieval, query, PRESELECTION_WEIGHTS))


def answers(reader: Reader, read_candidates: list[Candidate]) -> bool:
    """The best sentence, by the reader's calibrated evidence, answers the question."""
    return bool(read_candidates) and read_candidates[0].score >= reader.threshold
