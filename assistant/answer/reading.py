"""The reader on the question path: does any of the best-ranked sentences answer the question?

The ranking (`answer.rank_sentences`, with every retrieval signal) orders the candidates; the reader
reads the first READER_CANDIDATES of them, the first alone and the rest only when needed. Each gets
an "evidence" logit, the reader's score combined with the ranking's as calibrated on held-out SQuAD
articles and "about" pages by `training/calibrate_reader.py`. An English question is declined when
no candidate's evidence reaches the reader's threshold (`Assistant(reader_declines=False)` turns
that off, and then only the ranking's ties and the quoted sentence are read); one under MiniLM's bar
has its first sentence read alone, and goes on only when the reader is sure of it
(`evidence_of_the_first`); the quoted sentence's evidence says whether the quote is given as the
answer or as "not sure" (`decision.is_sure`). The ranking chooses the quote, except between the
sentences it cannot tell apart, where the reader chooses (`choose_among_ties`), and where the reader
refutes the ranking's first sentence while another reaches its "sure" level
(`overrule_refuted_first`): over all of them the ranking chose better on the union's questions, and
in these two cases the reader does (docs/reader.md).
"""
from __future__ import annotations

from assistant import settings
from assistant.models.reader import Reader
from assistant.types import Candidate

FEATURES = ("reader", "minilm", "rank")


def features_of(candidates: list[Candidate], first_rank: int = 0) -> list[dict[str, float]]:
    """What the calibration weighs, per candidate: the reader's logit, the MiniLM cosine and the
    ranking's order (0 for the best, -1 for the next, ...; the first given is at `first_rank`)."""
    return [{"reader": c.signals["reader"], "minilm": c.signals.get("minilm", 0.0), "rank": -float(rank)}
            for rank, c in enumerate(candidates, start=first_rank)]


def read(reader: Reader, question: str, candidates: list[Candidate],
         limit: int | None = None, start: int = 0) -> list[Candidate]:
    """Candidates `start` to `limit` (READER_CANDIDATES unless given), in the ranking's order, each
    with the signals "reader" (its logit) and "evidence" (the calibrated combination), and the answer
    span when the reader is sure."""
    chosen = candidates[start:settings.READER_CANDIDATES if limit is None else limit]
    if not chosen:
        return []
    readings = reader.read(question, [c.chunk.sentence_context(c.sentence) for c in chosen],
                           [c.chunk.sentences[c.sentence].text for c in chosen])
    for candidate, reading in zip(chosen, readings):
        candidate.signals["reader"] = round(reading.relevance, 4)
        candidate.answer_span = reading.span if reading.span_probability >= settings.SURE_SPAN else None
    if reader.calibration:  # the multilingual reader has none: its logit alone chooses among ties
        for candidate, features in zip(chosen, features_of(chosen, first_rank=start)):
            candidate.signals["evidence"] = round(reader.combined(features), 4)
    return chosen


def evidence_of_an_answer(reader: Reader, question: str, candidates: list[Candidate]) -> float:
    """The best evidence among the ranking's first READER_CANDIDATES sentences. The first is read
    alone and the others only when it falls short of the threshold: the decision reading them all
    would give (but for the int8 model's small batch effects, docs/reader.md), and an answerable
    question mostly costs one reader pass."""
    first = candidates[:1] if candidates and "evidence" in candidates[0].signals else read(
        reader, question, candidates, limit=1)  # already read when MiniLM's bar was lifted
    best = best_evidence(first)
    if best < reader.threshold:
        best = max(best, best_evidence(read(reader, question, candidates, start=1)))
    return best


def evidence_of_the_first(reader: Reader, question: str, candidates: list[Candidate]) -> dict[str, float]:
    """For a question under MiniLM's bar: the ranking's first sentence's evidence, read alone, as
    "reader_first" (`decision.reader_sure_of_the_first`). Reading all 6 answered no more questions
    and costs the slowest asks."""
    return {"reader_first": best_evidence(read(reader, question, candidates, limit=1))} if candidates else {}


def choose_among_ties(reader: Reader, question: str,
                      candidates: list[Candidate]) -> tuple[list[Candidate], int]:
    """The candidates with the one the reader scores best first, among those the ranking cannot
    tell apart (within TIE_MARGIN of its best), and how many those were (0 when there was no tie):
    "Where are the cooperatives located?" ties NAMAC's members "throughout Mongolia" with the
    network's regions, and the reader knows which answers."""
    ties = [c for c in candidates[:settings.READER_CANDIDATES]
            if candidates[0].score - c.score <= settings.TIE_MARGIN]
    if len(ties) < 2:
        return candidates, 0
    already_read = sum("reader" in c.signals for c in ties)  # the first ones, by the decline
    read(reader, question, ties, limit=len(ties), start=already_read)
    chosen = max(ties, key=lambda c: c.signals["reader"])
    return [chosen, *(c for c in candidates if c is not chosen)], len(ties)


def overrule_refuted_first(reader: Reader, candidates: list[Candidate]) -> tuple[list[Candidate], bool]:
    """The read candidate with the best evidence first, when the ranking's first is under the
    reader's decline threshold and that one reaches its "sure" level; and whether it was moved.
    "where do AVSF cooperatives operate" ranks "... AVSF – is a French NGO founded in 1977." first
    (evidence -4.8) above the regions. Moving any quote that is merely "not sure" quoted worse
    (docs/reader.md)."""
    first = candidates[0].signals.get("evidence") if candidates else None
    if first is None or first >= reader.threshold:
        return candidates, False
    best = max((c for c in candidates if "evidence" in c.signals), key=lambda c: c.signals["evidence"])
    if best.signals["evidence"] < reader.unsure_threshold:
        return candidates, False
    return [best, *(c for c in candidates if c is not best)], True


def best_evidence(read_candidates: list[Candidate]) -> float:
    return max((c.signals["evidence"] for c in read_candidates), default=float("-inf"))


def answer_span(best: Candidate) -> tuple[str, tuple[int, int]] | None:
    """The sentence read and where the reader, when sure, sees the answer in it."""
    span = best.answer_span
    return (best.chunk.sentences[best.sentence].text, span) if span else None
