"""The candidates a question is answered from: passages searched, their sentences ranked.

English is searched with MiniLM and BM25 first, and with every model only when their best sentence
does not clearly lead; other languages with the multilingual model, nudged by BM25.
"""
from __future__ import annotations

from assistant import settings
from assistant.answer.decision import evidence_for, is_answerable
from assistant.answer.ranking import rank_sentences
from assistant.ingest.store import Index
from assistant.retrieval.retriever import Retrieval, Retriever
from assistant.types import Candidate


def search_english(index: Index, retriever: Retriever, query: str) -> tuple[Retrieval, list[Candidate]]:
    """Passages and ranked sentences, from MiniLM and BM25 alone when their best sentence clearly
    leads; otherwise searched again with every model, reusing the vectors already computed."""
    retrieval = retriever.search(query, models=settings.ENGLISH_FIRST_PASS)
    candidates = rank_sentences(index, retrieval, query, settings.ENGLISH_WEIGHTS)
    if is_settled(candidates, query, index.vocabulary) or retriever.models <= retrieval.query_vectors.keys():
        return retrieval, candidates
    retrieval = retriever.search(query, known_vectors=retrieval.query_vectors)
    return retrieval, rank_sentences(index, retrieval, query, settings.ENGLISH_WEIGHTS)


def search_other_language(index: Index, retriever: Retriever, query: str,
                          language: str) -> tuple[Retrieval, list[Candidate]]:
    """The multilingual model alone (MiniLM is English-only), nudged by BM25."""
    retrieval = retriever.search(query, weights=settings.OTHER_LANGUAGE_RETRIEVERS,
                                 lexical_boost=settings.OTHER_LANGUAGE_LEXICAL_BOOST,
                                 models=settings.OTHER_LANGUAGE_MODELS, language=language)
    return retrieval, rank_sentences(index, retrieval, query, settings.OTHER_LANGUAGE_WEIGHTS)


def is_settled(candidates: list[Candidate], query: str, vocabulary: frozenset[str]) -> bool:
    """The best sentence clearly leads, or MiniLM, which decides English declines, finds nothing
    close enough to answer with."""
    if len(candidates) < 2:
        return bool(candidates)
    return (candidates[0].score - candidates[1].score >= settings.SETTLED_LEAD
            or not is_answerable(evidence_for(candidates, query, vocabulary), "en"))
