"""Retrieved passages -> the reply: one or two verbatim corpus sentences, or an honest decline.

Nothing is generated. Candidate sentences from the best passages are ranked by
both dense models and BM25 (weighted rank fusion); the reply quotes the best one
(plus the sentence before it when it leans on it) and bolds the phrase that
answers. Whether to answer at all is decided from the evidence in `Evidence`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .chunking import Chunk
from .index import Index
from .language import SOURCE_NOTE
from .lexical import fold, tokenize, words
from .retrieval import Retrieval

MAX_ANSWER_WORDS = 60
PASSAGES_SHOWN = 3
SENTENCE_RRF_K = 5
LEANING_START = re.compile(
    r"^(it|its|they|their|them|this|these|those|that|he|she|his|her|in return|there|such|both|"
    r"[\w\s]{0,40}\bamong them|the latter|the former)\b", re.I)


@dataclass
class Source:
    title: str
    section: str
    text: str
    path: str
    score: float
    url: str | None = None
    chunk_id: int = -1


@dataclass
class Reply:
    answered: bool
    text: str
    sources: list[Source] = field(default_factory=list)
    language: str = "en"
    examples: list[str] = field(default_factory=list)
    query: str = ""  # the question after follow-up rewriting
    evidence: dict = field(default_factory=dict)  # scores behind the decision, for staff


@dataclass
class Candidate:
    chunk: Chunk
    sentence: int  # index within the chunk
    row: int  # sentence row in the index
    score: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)


def rank_sentences(index: Index, retrieval: Retrieval, weights: dict[str, float],
                   chunk_limit: int = 4) -> list[Candidate]:
    """Score every sentence of the top chunks by weighted RRF of dense, lexical and passage ranks."""
    hits = retrieval.hits[:chunk_limit]
    candidates = [Candidate(hit.chunk, i, row) for hit in hits
                  for i, row in enumerate(index.sentence_rows(hit.chunk.id))]
    if not candidates:
        return []
    rows = np.array([c.row for c in candidates])
    signals = {name: index.dense[name].sentence_vectors[rows] @ vector
               for name, vector in retrieval.query_vectors.items()}
    signals["bm25"] = index.bm25_sentences.scores(retrieval.query)[rows]
    chunk_rank = {hit.chunk.id: rank for rank, hit in enumerate(hits)}
    signals["passage"] = -np.array([chunk_rank[c.chunk.id] for c in candidates], dtype=np.float32)
    for name, values in signals.items():
        order = np.argsort(-values, kind="stable")
        for rank, position in enumerate(order, start=1):
            candidate = candidates[position]
            candidate.signals[name] = float(values[position])
            candidate.score += weights.get(name, 0.0) / (SENTENCE_RRF_K + rank)
    return sorted(candidates, key=lambda c: -c.score)


def quote(index: Index, best: Candidate) -> list[str]:
    """The best sentence, with the one before it when it leans on it (and both fit in the limit)."""
    sentence = best.chunk.sentences[best.sentence].text
    previous = previous_sentence(index, best)
    if previous and LEANING_START.match(sentence):
        if len(previous.split()) + len(sentence.split()) <= MAX_ANSWER_WORDS:
            return [previous, sentence]
    return [sentence]


def previous_sentence(index: Index, candidate: Candidate) -> str | None:
    """The sentence before, in the same section, even when it sits in the previous chunk."""
    if candidate.sentence > 0:
        return candidate.chunk.sentences[candidate.sentence - 1].text
    if candidate.chunk.id == 0:
        return None
    before = index.chunks[candidate.chunk.id - 1]
    same_section = before.path == candidate.chunk.path and before.section == candidate.chunk.section
    return before.sentences[-1].text if same_section else None


def trim_words(text: str, limit: int = MAX_ANSWER_WORDS) -> str:
    parts = text.split()
    return text if len(parts) <= limit else " ".join(parts[:limit]) + " …"


# ---------------------------------------------------------------- highlighting

YEAR = r"\b(1[89]\d\d|20\d\d)\b"
NUMBER_PHRASE = r"\b(?:more than |approximately |about |over |some )?\d+(?:[,.]\d+)*(?: [^\W\d]+){0,2}"
QUESTION_KINDS = [
    (r"\b(when|what year|which year|since when|quand|en quelle année|wann|seit wann|in welchem jahr|"
     r"cuándo|cuando|en qué año|хэзээ|хэдэн онд|аль онд)\b", YEAR),
    (r"\b(how many|how much|number of|combien|wie viele|wie viel|anzahl|cuántos|cuántas|cuantos|cuantas|"
     r"хэдэн|хэд|хичнээн)\b", NUMBER_PHRASE),
]


def highlight(sentence: str, question: str) -> str:
    """Bold the phrase that answers: a year for "when", the count for "how many",
    otherwise the sentence's words that the question also uses."""
    folded_question = question.lower()
    for kind, pattern in QUESTION_KINDS:
        if re.search(kind, folded_question):
            spans = _answer_spans(sentence, pattern, question)
            if spans:
                return _bold_spans(sentence, spans)
    return _bold_shared_words(sentence, question)


def _answer_spans(sentence: str, pattern: str, question: str) -> list[tuple[int, int]]:
    """Matches of the answer pattern; those that share a word with the question, when any do."""
    matches = list(re.finditer(pattern, sentence))
    asked = set(tokenize(question))
    related = [m for m in matches if asked & set(tokenize(m.group(0)))]
    return [(m.start(), m.start() + len(m.group(0).rstrip(" ,."))) for m in (related or matches)]


def _bold_spans(sentence: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        sentence = f"{sentence[:start]}**{sentence[start:end]}**{sentence[end:]}"
    return sentence


def _bold_shared_words(sentence: str, question: str) -> str:
    shared = set(words(question))
    if not shared:
        return sentence

    def bold(match: re.Match) -> str:
        token = match.group(0)
        return f"**{token}**" if fold(token) in shared and len(token) > 2 else token

    return re.sub(r"[^\W_]+", bold, sentence)


def escape_markdown(text: str) -> str:
    """Corpus text is shown as text: markup characters lose their meaning."""
    return re.sub(r"([\\`*_{}\[\]<>#|~])", r"\\\1", text)


def format_answer(sentences: list[str], question: str, language: str) -> str:
    quoted = " ".join(highlight(escape_markdown(s), question) for s in sentences)
    text = f"“{trim_words(quoted)}”"
    note = SOURCE_NOTE.get(language)
    return f"{text}\n\n_{note}_" if note else text


def sources_of(retrieval: Retrieval, limit: int = PASSAGES_SHOWN) -> list[Source]:
    hits = retrieval.hits[:limit]
    top = hits[0].score if hits else 1.0
    return [
        Source(hit.chunk.title, hit.chunk.section, hit.chunk.text, hit.chunk.path,
               round(hit.score / top, 3), hit.chunk.source, hit.chunk.id)
        for hit in hits
    ]
