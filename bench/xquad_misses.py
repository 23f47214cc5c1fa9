"""Why XQuAD's gold answers are missed: the misses by kind, the first few, and how often each way
of choosing the sentence within the gold paragraph picks one that holds the answer (issue 16).
Printed by `bench/xquad.py`."""
from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

from assistant.answer.quote import quoted_part
from assistant.answer.ranking import rank_sentences
from assistant.answer.reading import choose_among_ties, read
from assistant.models.reader import Reader
from assistant.pipeline import Assistant
from assistant.retrieval.retriever import Hit, Retrieval
from assistant.settings import ENGLISH_WEIGHTS
from assistant.types import Candidate

if TYPE_CHECKING:
    from xquad import Outcome, Question, Run


def failure_kind(outcome: Outcome, question: Question, paragraphs: dict[str, str]) -> str:
    """Why a reply misses the gold answer: declined, quote from another paragraph, or wrong sentence."""
    if not outcome.answered:
        return "declined"
    quote = quoted_part(outcome.reply).strip().removesuffix("…").strip()
    in_gold = bool(quote) and quote[:60] in paragraphs[question.path]
    return "right paragraph, wrong sentence" if in_gold else "wrong paragraph"


def failure_summary(run: Run, paragraphs: dict[str, str], language: str = "en") -> str:
    lines = [f"Misses of 'gold' by kind ({language}):"]
    for system in dict.fromkeys(system for system, measured in run.outcomes if measured == language):
        counts: dict[str, int] = {}
        for outcome, question in zip(run.outcomes[(system, language)], run.questions[language]):
            if not outcome.holds(question.answers):
                kind = failure_kind(outcome, question, paragraphs)
                counts[kind] = counts.get(kind, 0) + 1
        lines.append(f"  {system:<8} " + ", ".join(f"{kind}: {n}" for kind, n in sorted(counts.items())))
    return "\n".join(lines)


def failure_examples(run: Run, paragraphs: dict[str, str], count: int, language: str = "en") -> str:
    lines = [f"First {count} project misses ({language}):"]
    misses = [(o, q) for o, q in zip(run.outcomes[("project", language)], run.questions[language])
              if not o.holds(q.answers)]
    for outcome, question in misses[:count]:
        rank = outcome.paths.index(question.path) + 1 if question.path in outcome.paths else "-"
        lines.append(f"- [{failure_kind(outcome, question, paragraphs)}; gold paragraph rank {rank}] "
                     f"{question.text!r} gold {question.answers[0]!r}\n    reply: {outcome.reply[:200]!r}")
    return "\n".join(lines)


def sentence_choice(bot: Assistant, reader: Reader, questions: list[Question]) -> str:
    """Top-1 within the gold paragraph: is the first sentence one that holds a gold answer?"""
    right: dict[str, list[bool]] = {"minilm cosine": [], "ranking": [], "ranking, reader among ties (served)": [],
                                    "reader alone": [], "reader combined": []}
    for question in questions:
        chunks = [chunk for chunk in bot.index.chunks if chunk.path == question.path]
        vectors = {e.name: e.encode_query(question.text) for e in bot.encoders}
        retrieval = Retrieval(question.text, [Hit(chunk, 1.0) for chunk in chunks], vectors)
        rules = rank_sentences(bot.index, retrieval, question.text, ENGLISH_WEIGHTS, chunk_limit=len(chunks))

        def good(candidate: Candidate, answers: list[str] = question.answers) -> bool:
            text = candidate.chunk.sentences[candidate.sentence].text.lower()
            return any(answer.lower() in text for answer in answers)

        if not any(good(c) for c in rules):
            continue  # the answer crosses a sentence boundary
        right["ranking"].append(good(rules[0]))
        served, _ = choose_among_ties(reader, question.text, rules)
        right["ranking, reader among ties (served)"].append(good(served[0]))
        right["minilm cosine"].append(good(max(rules, key=lambda c: c.signals["minilm"])))
        read_candidates = read(reader, question.text, rules, limit=len(rules))
        right["reader combined"].append(good(max(read_candidates, key=lambda c: c.signals["evidence"])))
        right["reader alone"].append(good(max(read_candidates, key=lambda c: c.signals["reader"])))
    lines = [f"Sentence top-1 within the gold paragraph (en, {len(right['minilm cosine'])} questions "
             "whose answer lies in one sentence):"]
    lines += [f"  {name:<36} {statistics.fmean(values):.3f}" for name, values in right.items()]
    return "\n".join(lines)
