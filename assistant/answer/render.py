"""The reply as the visitor sees it: the quote in Markdown, its answer in bold, its source note, and
the passages behind it."""
from __future__ import annotations

import re

from assistant import settings
from assistant.answer.messages import SOURCE_NOTE, UNSURE, in_language
from assistant.models.lexical import tokenize
from assistant.query.kinds import expected_answer
from assistant.retrieval.retriever import Retrieval
from assistant.text import escape_markdown
from assistant.types import Candidate, Source


def bold_answer(sentence: str, question: str, span: tuple[int, int] | None = None) -> str:
    """The sentence as Markdown, its answer in bold: the year, count, price or contact detail asked
    for where a pattern finds it, else the reader's `span` unless it only repeats the question's
    words; nothing otherwise (bold question words would point at nothing)."""
    pattern = expected_answer(question)
    spans = _answer_spans(sentence, pattern, question) if pattern else []
    if not spans and span and set(tokenize(sentence[span[0]:span[1]])) - set(tokenize(question)):
        spans = [span]
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        pieces += [escape_markdown(sentence[position:start]), f"**{escape_markdown(sentence[start:end])}**"]
        position = end
    return "".join(pieces) + escape_markdown(sentence[position:])


def _answer_spans(sentence: str, pattern: str, question: str) -> list[tuple[int, int]]:
    """Matches of the answer pattern; those that share a word with the question, when any do, end
    with the last word they share: "how many families" marks "670 families", not the pattern's
    "670 families through". When none does, a count is marked alone ("**670** families through")."""
    matches = list(re.finditer(pattern, sentence))
    asked = set(tokenize(question))
    related = [m for m in matches if asked & set(tokenize(m.group(0)))]
    if related:
        return [(m.start(), m.start() + _end_of_last_asked_word(m.group(0), asked)) for m in related]
    return [(m.start(), _end_of_amount(m)) for m in matches]


def _end_of_last_asked_word(phrase: str, asked: set[str]) -> int:
    """Where the phrase's last word the question also has ends (the whole phrase if no single word does)."""
    return max((word.start() + len(word.group(0).rstrip(",.;:")) for word in re.finditer(r"\S+", phrase)
                if asked & set(tokenize(word.group(0)))), default=len(phrase.rstrip(" ,.")))


def _end_of_amount(match: re.Match[str]) -> int:
    """Where a count's amount ends (the pattern's words after it are only a guess at what it
    counts); the whole match, less trailing punctuation, for the patterns with no amount."""
    if "amount" in match.re.groupindex:
        return match.end("amount")
    return match.start() + len(match.group(0).rstrip(" ,."))


def format_answer(sentences: list[str], question: str, language: str,
                  marked: tuple[str, tuple[int, int] | None] | None = None, quote_language: str = "en",
                  sure: bool = True) -> str:
    """The quote with its answer in bold; `marked` is the reader's answer span in one sentence. The
    note that the source is in English follows an English quote given to another language. A quote
    the reader is not `sure` of is led by saying so, as the texts' closest passage, and has nothing
    bold: a bold phrase says "this is the answer", and most such quotes do not hold it."""
    quoted = " ".join(bold_answer(sentence, question, marked[1] if marked and sentence == marked[0] else None)
                      if sure else escape_markdown(sentence) for sentence in sentences)
    text = f"“{trim_words(quoted)}”"
    if not sure:
        text = f"_{in_language(UNSURE, language)}_\n\n{text}"  # in italics, like the source note
    note = in_language(SOURCE_NOTE, language) if quote_language == "en" != language else None
    return f"{text}\n\n_{note}_" if note else text


def sources_of(retrieval: Retrieval, candidates: list[Candidate]) -> list[Source]:
    """The first PASSAGES_SHOWN passages behind the reply, the quoted one first; relevance is each
    passage's best sentence score relative to the quoted sentence (passages with no scored sentence
    follow)."""
    best_in_chunk: dict[int, float] = {}
    for candidate in candidates:
        best_in_chunk.setdefault(candidate.chunk.id, candidate.score)
    top = candidates[0].score if candidates and candidates[0].score > 0 else 1.0
    order = sorted(retrieval.hits, key=lambda hit: -best_in_chunk.get(hit.chunk.id, -1.0))
    return [
        Source(hit.chunk.title, hit.chunk.section, hit.chunk.text, hit.chunk.path,
               round(max(best_in_chunk.get(hit.chunk.id, 0.0), 0.0) / top, 3), hit.chunk.source, hit.chunk.id)
        for hit in order[:settings.PASSAGES_SHOWN]
    ]


def trim_words(text: str) -> str:
    """At most MAX_ANSWER_WORDS words, the cut marked."""
    parts = text.split()
    limit = settings.MAX_ANSWER_WORDS
    return text if len(parts) <= limit else " ".join(parts[:limit]) + " …"

