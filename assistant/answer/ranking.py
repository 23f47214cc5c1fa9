"""Candidate sentences -> a ranked list: the retrieval signals, scaled and weighted, plus how well
each sentence fits the form of the question (its year, a count, a stated aim)."""
from __future__ import annotations

import re

import numpy as np

from assistant import settings
from assistant.ingest.store import Index
from assistant.models.lexical import shares_a_word, tokenize
from assistant.query.kinds import ANSWER_PATTERNS, TYPED_KINDS, question_kind
from assistant.retrieval.retriever import Hit, Retrieval
from assistant.types import Candidate


def rank_sentences(index: Index, retrieval: Retrieval, question: str, weights: dict[str, float],
                   chunk_limit: int | None = None) -> list[Candidate]:
    """Score every sentence of the top chunks (`settings.PASSAGES_RANKED` unless `chunk_limit`): a
    weighted sum of the dense, lexical and passage signals, each scaled to 0..1 over the candidates
    (so a clear lead counts, unlike with ranks), plus a bonus when the sentence holds what the
    question asks for (its year, a count)."""
    hits = retrieval.hits[:chunk_limit or settings.PASSAGES_RANKED]
    candidates = [Candidate(hit.chunk, i, row) for hit in hits
                  for i, row in enumerate(index.sentence_rows(hit.chunk.id))]
    if not candidates:
        return []
    signals = _signals(index, retrieval, hits, candidates)
    for name, values in signals.items():
        spread = float(values.max() - values.min())
        contributions = (values - values.min()) / spread if spread > 0 else np.zeros(len(values))
        for candidate, value, contribution in zip(candidates, values, contributions):
            candidate.signals[name] = float(value)
            candidate.score += weights.get(name, 0.0) * float(contribution)
    for candidate in candidates:
        sentence = candidate.chunk.sentences[candidate.sentence]
        candidate.signals["fit"] = answer_fit(sentence.context, question)
        full = settings.FULL_LENGTH_WORDS
        candidate.signals["length"] = min(len(sentence.text.split()), full) / full
        candidate.score += sum(weights.get(name, 0.0) * candidate.signals[name] for name in ("fit", "length"))
    return sorted(candidates, key=lambda c: -c.score)


def _signals(index: Index, retrieval: Retrieval, hits: list[Hit],
             candidates: list[Candidate]) -> dict[str, np.ndarray]:
    rows = np.array([c.row for c in candidates])
    signals = {name: index.dense[name].sentence_vectors[rows] @ vector
               for name, vector in retrieval.query_vectors.items()}
    signals["bm25"] = index.bm25_sentences.scores(retrieval.query)[rows]
    chunk_rank = {hit.chunk.id: rank for rank, hit in enumerate(hits)}
    signals["passage"] = -np.array([chunk_rank[c.chunk.id] for c in candidates], dtype=np.float32)
    return signals


def answer_fit(sentence: str, question: str) -> float:
    """How well the sentence fits the question's form: it holds the kind of answer asked for (a
    year for "when", a count for "how many", a stated aim for "what is your goal?"), and that answer
    names what was asked about ("11 cooperatives" for "how many cooperatives", or for "cuántas
    cooperativas"); for "what kind of support", it qualifies the support; for "what kinds of ...?"
    or "who are ...?", it lists."""
    # a qualified X both holds the kind of answer asked for and names X: two points, like a count
    # that names what was counted
    fit = 2.0 * qualifies_the_asked_thing(sentence, question)
    # "what kinds of organisations?", "who are the stakeholders?": a list answers ("institutions, NGOs, ...")
    fit += float(bool(LIST_QUESTION.match(question) and ENUMERATION.search(sentence)))
    asked = set(tokenize(question))
    kind = question_kind(question)
    pattern = ANSWER_PATTERNS.get(kind) if kind else None
    if kind is None or pattern is None:
        return fit
    answers = _new_matches(pattern, sentence, asked)
    # a stated aim ("The objective is to market ...") answers "what is your goal?" whole, as a
    # count that names what was counted answers "how many"
    fit += (2.0 if kind == "purpose" else 1.0) * bool(answers)
    if kind in TYPED_KINDS:
        fit += float(any(shares_a_word(question, answer) for answer in answers))
    return fit


SORT_QUESTION = re.compile(r"^\W*(?:what|which)\s+(?:kinds?|types?|sorts?)\s+of\s+([^\W\d_][\w-]*)", re.I)


LIST_QUESTION = re.compile(r"^\W*(?:(?:what|which)\s+(?:kinds?|types?|sorts?)\s+of|who\s+(?:are|were))\b", re.I)


ENUMERATION = re.compile(r"[\w-]+(?:, [\w-]+)+,? (?:and|or) [\w-]+|[\w-]+(?:, [\w-]+){3,}")


def qualifies_the_asked_thing(sentence: str, question: str) -> bool:
    """For "What kind of X?": the sentence names X itself (or its plural) after a word the question
    does not have ("technical, logistical or financial support", not "is supported by"). The word,
    not its stem: "what kind of help" is not answered by "revolve around helping"."""
    asked_for = SORT_QUESTION.match(question)
    if not asked_for or not tokenize(asked_for.group(1)):  # no thing, or a stopword ("what kind of a ...")
        return False
    thing = _singular(asked_for.group(1))
    asked = set(tokenize(question))
    previous = None
    for word in re.findall(r"[\w-]+", sentence):
        stems = tokenize(word)  # empty for a stopword
        if _singular(word) == thing and previous and previous[0] not in asked:
            return True
        previous = stems
    return False


def _singular(word: str) -> str:
    """The word as the "what kind of" fit compares it: lower case, without a plural "s"."""
    return word.lower().removesuffix("s")


def _new_matches(pattern: str, sentence: str, asked: set[str]) -> list[str]:
    """Matches that bring something the question does not already say ("2014" asked, "1977" new)."""
    return [m.group(0) for m in re.finditer(pattern, sentence) if not set(tokenize(m.group(0))) <= asked]

