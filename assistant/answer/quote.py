"""The quote: the best-ranked sentence, verbatim, with the sentence it leans on or an adjacent one
that scores as well; and, for "tell me more", the sentences that follow a previous quote.

Nothing is generated. `ranking` orders the sentences, `decision` says whether to answer at all,
and `render` bolds the answer and adds the source note.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from assistant import settings
from assistant.ingest.chunking import Chunk, leans_on_previous
from assistant.ingest.store import Index
from assistant.text import plain_text
from assistant.types import Candidate

# "Sustainable Cashmere Union and its members are among them." and "In 2014, it created ..." mean
# nothing without the sentence before them. They are not embedded with it (as a sentence that leans
# is): their own words are what questions match. They are only quoted with it.
REFERS_BACK = re.compile(r"\b(?:among|of|from|with|like) them\W*$|^(?:[\w’'-]+ ){0,4}[\w’'-]+, (?:it|they|he|she)\b",
                         re.I)


def quote(index: Index, candidates: list[Candidate]) -> list[str]:
    """The best sentence, joined by the one before when it leans on it ("It now forms..." needs
    "In 2022, ..."), or by an adjacent one that scores as well (an answer spread over two
    sentences); never over the limit."""
    best = candidates[0]
    chosen = best.chunk.sentences[best.sentence]
    sentence = chosen.text
    before = sentence_before(index, best)
    if before and (chosen.leans_on or REFERS_BACK.search(sentence)):  # leaning as embedded and read
        pair = [before, sentence]
        earlier = sentence_before(index, best, 2) if leans_on_previous(before) else None
        if earlier and _word_count([earlier, *pair]) <= settings.MAX_ANSWER_WORDS:
            return [earlier, *pair]  # "AVSF is ... Its missions ... In 2014, it created ..."
        return pair if _word_count(pair) <= settings.MAX_ANSWER_WORDS else [sentence]
    return with_runner_up([sentence], candidates) if _adjacent_tie(candidates) else [sentence]


def with_runner_up(quoted: list[str], candidates: list[Candidate]) -> list[str]:
    """The quote joined by the ranking's next sentence when that is of the same passage, in the
    text's order ("…" between them when they are not neighbours), when both stay under the word
    limit: for an adjacent tie, and for a quote the reader is not sure of (the closest passage)."""
    if len(candidates) < 2 or candidates[1].chunk.id != candidates[0].chunk.id:
        return quoted
    best, runner_up = candidates[0].sentence, candidates[1].sentence
    added = candidates[1].chunk.sentences[runner_up].text
    if added in quoted:
        return quoted
    apart = [] if abs(runner_up - best) == 1 else ["…"]
    joined = [*quoted, *apart, added] if runner_up > best else [added, *apart, *quoted]
    return joined if _word_count(joined) <= settings.MAX_ANSWER_WORDS else quoted


def _word_count(sentences: list[str]) -> int:
    return sum(len(sentence.split()) for sentence in sentences)


def sentence_before(index: Index, candidate: Candidate, steps: int = 1) -> str | None:
    """The sentence `steps` before the candidate in its section, even across a chunk boundary."""
    chunk: Chunk | None = candidate.chunk
    position = candidate.sentence
    for _ in range(steps):
        position -= 1
        if position < 0:
            chunk = _same_section_chunk(index.chunks, chunk, -1) if chunk else None
            if chunk is None:
                return None
            position = len(chunk.sentences) - 1
    return chunk.sentences[position].text if chunk else None


def _adjacent_tie(candidates: list[Candidate]) -> bool:
    if len(candidates) < 2:
        return False
    best, runner_up = candidates[0], candidates[1]
    return (runner_up.chunk.id == best.chunk.id and abs(runner_up.sentence - best.sentence) == 1
            and best.score - runner_up.score <= settings.TIE_MARGIN)


def _same_section_chunk(chunks: list[Chunk], chunk: Chunk, step: int) -> Chunk | None:
    position = chunk.id + step
    if not 0 <= position < len(chunks):
        return None
    other = chunks[position]
    return other if (other.path, other.section) == (chunk.path, chunk.section) else None


def continuation(index: Index, previous_reply: str) -> tuple[Chunk, list[str]] | None:
    """For "tell me more": the sentences that follow the previous reply's quote in its section
    (across chunk boundaries), up to the word limit, with their chunk; no sentences when the
    section ends there. None when that reply quoted no indexed sentence. A quote cut at the word
    limit ends inside a sentence, which is then quoted whole. A quote from a translation goes on
    in the translation."""
    quoted = quoted_part(plain_text(previous_reply))
    for chunks in (index.chunks, index.translations.chunks):
        start = _first_quoted_sentence(chunks, quoted)
        if start is not None:
            break
    else:
        return None
    # a closest passage may have quoted a later sentence too ("A. … C."): "more" gives B, not C again
    following = [(chunk, sentence) for chunk, sentence in _section_from(chunks, *start) if sentence not in quoted]
    taken: list[str] = []
    for _, sentence in following:
        if taken and _word_count([*taken, sentence]) > settings.MAX_ANSWER_WORDS:
            break
        taken.append(sentence)
    return (following[0][0] if following else start[0]), taken


def _first_quoted_sentence(chunks: list[Chunk], quoted: str) -> tuple[Chunk, int] | None:
    """The first indexed sentence the quote holds, or begins with when one sentence alone was cut."""
    cut = quoted.removesuffix("…").rstrip() if quoted.endswith("…") else None
    for chunk in chunks:
        for position, sentence in enumerate(chunk.sentences):
            if sentence.text in quoted or (cut and sentence.text.startswith(cut)):
                return chunk, position
    return None


def _section_from(chunks: list[Chunk], start: Chunk, position: int) -> Iterator[tuple[Chunk, str]]:
    """(chunk, sentence text) from this sentence to the end of its section."""
    chunk: Chunk | None = start
    while chunk is not None:
        yield from ((chunk, sentence.text) for sentence in chunk.sentences[position:])
        chunk, position = _same_section_chunk(chunks, chunk, +1), 0


def quoted_part(text: str) -> str:
    """The quote of a reply, between its “ and ” (the source note and citation left out)."""
    match = re.search(r"“(.*)”", text, re.S)
    return match.group(1) if match else text
