"""`Assistant`: the one object the CLI, the chat and the tests talk to.

It opens (or builds) the index, then answers questions: clean the input,
rewrite follow-ups, retrieve, pick the quote, or decline honestly.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from pathlib import Path

from . import messages
from .answer import Reply, format_answer, quote, rank_sentences, sources_of
from .embedding import Encoder, load_encoders
from .followup import rewrite
from .index import Index, IndexUnavailable, Progress, build_index, is_current, load_index, read_manifest
from .language import detect_language
from .lexical import words
from .retrieval import Retriever

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
ENGLISH_WEIGHTS = {"minilm": 1.0, "e5": 1.0, "bm25": 1.0, "passage": 0.5}
OTHER_LANGUAGE_WEIGHTS = {"minilm": 0.2, "e5": 1.5, "bm25": 0.5, "passage": 0.5}
# Answer only with enough evidence; calibrated on eval/union_qa.jsonl (see `python -m assistant eval`).
MIN_ENGLISH_SIMILARITY = 0.35
MIN_MULTILINGUAL_SIMILARITY = 0.84


class Assistant:
    def __init__(self, corpus_dir: Path, index_dir: Path, encoders: list[Encoder], index: Index) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.encoders = encoders
        self._lock = threading.Lock()
        self.index = index
        self.retriever = Retriever(index, encoders)

    @classmethod
    def open(cls, corpus_dir: str | Path = "corpus", index_dir: str | Path = "index",
             multilingual: bool = True, progress: Progress | None = None,
             encoders: list[Encoder] | None = None) -> "Assistant":
        """Load the index when it matches the corpus and models; build it otherwise.
        Pass `encoders` to share already loaded models between assistants."""
        encoders = encoders or load_encoders(multilingual=multilingual)
        index = ensure_index(Path(corpus_dir), Path(index_dir), encoders, progress)
        return cls(corpus_dir, index_dir, encoders, index)

    def rebuild(self, progress: Progress | None = None) -> dict:
        """Re-index the corpus and swap the new index in; answers keep flowing meanwhile."""
        index = build_index(self.corpus_dir, self.index_dir, self.encoders, progress)
        with self._lock:
            self.index, self.retriever = index, Retriever(index, self.encoders)
        return index.manifest["stats"]

    def example_questions(self, language: str = "en") -> list[str]:
        return messages.examples_for(language, count=6 if language == "en" else 3)

    def ask(self, question: str, history: list[dict] | None = None) -> Reply:
        question = clean_question(question)
        language = detect_language(question)
        problem = self._input_problem(question, language)
        if problem:
            return problem
        query = rewrite(question, history or [])
        with self._lock:
            index, retriever = self.index, self.retriever
        retrieval = retriever.search(query)
        weights = ENGLISH_WEIGHTS if language == "en" else OTHER_LANGUAGE_WEIGHTS
        candidates = rank_sentences(index, retrieval, weights)
        evidence = _evidence(candidates)
        if not candidates or not _is_answerable(evidence, language):
            return self._decline(language, query, evidence, retrieval)
        text = format_answer(quote(index, candidates[0]), question, language)
        return Reply(True, text, sources_of(retrieval), language, [], query, evidence)

    def _input_problem(self, question: str, language: str) -> Reply | None:
        examples = messages.examples_for(language)
        if not words(question):
            return Reply(False, _with_examples(messages.EMPTY, examples), [], language, examples)
        if len(question) > MAX_QUESTION_CHARS:
            text = messages.TOO_LONG.format(length=len(question), limit=MAX_QUESTION_CHARS)
            return Reply(False, _with_examples(text, examples), [], language, examples)
        return None

    def _decline(self, language, query, evidence, retrieval) -> Reply:
        examples = messages.examples_for(language)
        text = messages.decline_text(language, examples)
        return Reply(False, text, sources_of(retrieval), language, examples, query, evidence)


def ensure_index(corpus_dir: Path, index_dir: Path, encoders: list[Encoder],
                 progress: Progress | None = None) -> Index:
    """Load the index when it is current and intact; build it when missing, stale or damaged."""
    if is_current(read_manifest(index_dir), corpus_dir, encoders):
        try:
            return load_index(index_dir)
        except IndexUnavailable as error:
            log.warning("rebuilding: %s", error)
    return build_index(corpus_dir, index_dir, encoders, progress)


def clean_question(question: object) -> str:
    """Text only: drop control characters (NUL, bidi overrides) and surrounding space."""
    text = question if isinstance(question, str) else ""
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in "\n\t")
    return re.sub(r"\s+", " ", text).strip()


def _with_examples(lead: str, examples: list[str]) -> str:
    return lead + "\n" + "\n".join(f"- {example}" for example in examples)


def _evidence(candidates) -> dict:
    if not candidates:
        return {}
    best = candidates[0].signals
    return {name: round(max(c.signals.get(name, 0.0) for c in candidates), 4) for name in best}


def _is_answerable(evidence: dict, language: str) -> bool:
    if language == "en" and evidence.get("minilm", 0.0) >= MIN_ENGLISH_SIMILARITY:
        return True
    return evidence.get("e5", 0.0) >= MIN_MULTILINGUAL_SIMILARITY
