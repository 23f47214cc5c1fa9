"""The reader's decline decision on the union's own questions, at its threshold and around it.

For the English single-turn cases of each question set, the project (`Assistant.ask`) with the
reader's decline off (`reader_declines=False`), then as it serves (the decline at its calibrated
threshold), and with the threshold moved: the trade-off between answerable questions declined
and unanswerable ones declined. For answerable questions in
other languages, the project's quote against the reader choosing among the multilingual
path's candidates, reading the question with the glossary's English words, and how well the
reader's evidence and the E5 similarity tell right answers from quoted unanswerable questions there.

    .venv/bin/python bench/reader_union.py eval/union_qa.jsonl eval/fresh_visitors.jsonl
"""
from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import common  # noqa: F401  (puts the project on the path)

from assistant.answer.candidates import search_other_language
from assistant.answer.quote import quote
from assistant.answer.reading import read
from assistant.evaluation import DECLINE, load_cases
from assistant.pipeline import Assistant
from assistant.query.glossary import english_terms
from assistant.text import plain_text
from assistant.types import Candidate, Reply

OFFSETS = (None, 0.0, -1.0, -0.5, 0.5, 1.0)  # None: the reader's decline off; 0.0: as served


def right(bot: Assistant, case: dict) -> tuple[bool, bool]:
    """(answered, the quote holds the expected fact or the decline was expected)."""
    reply = bot.ask(case["turns"][0])
    if case["expect"] == DECLINE:
        return reply.answered, not reply.answered
    return reply.answered, reply.answered and case["expect"].lower() in plain_text(reply.text).lower()


def trade_off(bot: Assistant, cases: list[dict]) -> list[str]:
    lines = [f"{'threshold':>10} {'answerable right':>17} {'answerable declined':>20} "
             f"{'unanswerable declined':>22} {'off-topic declined':>19}"]
    calibration = dict(bot.reader.calibration)
    for offset in OFFSETS:
        bot.reader_declines = offset is not None
        bot.reader.calibration = {**calibration, "threshold": calibration["threshold"] + (offset or 0.0)}
        outcomes = [(case, *right(bot, case)) for case in cases]
        answerable = [(a, ok) for c, a, ok in outcomes if c["expect"] != DECLINE]
        cells = [statistics.fmean(ok for _, ok in answerable), statistics.fmean(not a for a, _ in answerable)]
        for category in ("unanswerable", "offtopic"):
            declines = [ok for c, _, ok in outcomes if c["category"] == category]
            cells.append(statistics.fmean(declines) if declines else float("nan"))
        threshold = f"{bot.reader.threshold:>10.3f}" if bot.reader_declines else f"{'off':>10}"
        lines.append(f"{threshold} {cells[0]:>17.3f} {cells[1]:>20.3f} {cells[2]:>22.3f} "
                     f"{cells[3]:>19.3f}")
    bot.reader.calibration, bot.reader_declines = calibration, True
    return lines


def read_on_the_multilingual_path(bot: Assistant, question: str) -> tuple[Reply, list[Candidate]]:
    """The project's reply, and the reader's reading of the multilingual path's first candidates
    with the question and the glossary's English words for it."""
    reply = bot.ask(question)
    _, candidates = search_other_language(bot.index, bot.retriever, reply.query, reply.language)
    asked = " ".join([question, *english_terms(question, reply.language)])
    return reply, read(bot.reader, asked, candidates)


def other_language_choice(bot: Assistant, cases: list[dict]) -> str:
    project = reader = 0
    for case in cases:
        question, expected = case["turns"][0], case["expect"].lower()
        reply, read_candidates = read_on_the_multilingual_path(bot, question)
        project += reply.answered and expected in plain_text(reply.text).lower()
        chosen = sorted(read_candidates, key=lambda c: -c.signals["evidence"])
        reader += bool(chosen) and expected in " ".join(quote(bot.index, chosen[:1])).lower()
    return (f"other languages, {len(cases)} cases: the project's quote right {project}, "
            f"the reader's choice right {reader}")


def other_language_separation(bot: Assistant, cases: list[dict]) -> str:
    """Whether a score could tell a quote to give as "not sure" on the multilingual path: over the
    questions quoted there, the chance that a right quote scores above a wrong one or one given to a
    question the texts cannot answer (ROC AUC), for the reader's best evidence (reading the question with the
    glossary's English words) and for the multilingual E5 similarity that path declines by."""
    right_scores: list[tuple[float, float]] = []
    wrong_scores: list[tuple[float, float]] = []
    for case in cases:
        question = case["turns"][0]
        reply, read_candidates = read_on_the_multilingual_path(bot, question)
        if not reply.answered or reply.language == "en":
            continue
        evidence = max((c.signals["evidence"] for c in read_candidates), default=-99.0)
        scores = (evidence, float(reply.trace.get("evidence", {}).get("e5", 0.0)))
        right = case["expect"] != DECLINE and case["expect"].lower() in plain_text(reply.text).lower()
        (right_scores if right else wrong_scores).append(scores)
    aucs = [roc_auc([s[k] for s in right_scores], [s[k] for s in wrong_scores]) for k in (0, 1)]
    return (f"other languages, all sets: {len(right_scores)} right quotes, {len(wrong_scores)} wrong ones or to "
            f"questions the texts cannot answer; ROC AUC, reader's evidence {aucs[0]:.3f}, E5 similarity {aucs[1]:.3f}")


def roc_auc(positives: list[float], negatives: list[float]) -> float:
    """The share of (positive, negative) pairs the score orders right, ties counting half."""
    if not positives or not negatives:
        return float("nan")
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    return sum(pairs) / len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    args = parser.parse_args()
    bot = Assistant.open("corpus", "index")
    pooled: list[dict] = []  # every set's other-language questions, for the separation
    for path in args.sets:
        single = [c for c in load_cases(path) if len(c["turns"]) == 1]
        english = [c for c in single if c["lang"] == "en"]
        print(f"{path} ({len(english)} English single-turn cases)")
        print("\n".join(trade_off(bot, english)))
        others = [c for c in single if c["lang"] != "en" and c["expect"] != DECLINE]
        if others:
            print(other_language_choice(bot, others))
        pooled += [c for c in single if c["lang"] != "en" and c["category"] != "offtopic"]
    if pooled:
        print(other_language_separation(bot, pooled))


if __name__ == "__main__":
    main()
