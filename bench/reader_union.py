"""The reader's path against the rules on the union's own questions (English, single-turn cases).

For each case of a question set, the project (`Assistant.ask`, the rules) and the reader's path
(`assistant.reading.read_english` on the question as the project searched it, the reader reading
the question as asked) each answer or decline. For answerable questions in other languages, the
rules' quote against the reader's choice among the same candidates. Printed per category: answerable cases whose
quote holds the expected fact, answerable declined, and expected declines that were declined.

    .venv/bin/python bench/reader_union.py eval/union_qa.jsonl eval/fresh_visitors.jsonl
"""
from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import common  # noqa: F401  (puts the project on the path)

from assistant.answer import plain_text, quote, quoted_part
from assistant.core import Assistant, search_other_language
from assistant.evaluation import DECLINE, load_cases
from assistant.glossary import english_terms
from assistant.reader import shared_reader
from assistant.reading import answers, read, read_english


def reader_reply(bot: Assistant, question: str) -> tuple[bool, str]:
    searched = bot.ask(question).query or question
    _, candidates = read_english(bot.index, bot.retriever, shared_reader(), searched, question)
    if not answers(shared_reader(), candidates):
        return False, ""
    return True, " ".join(quote(bot.index, candidates[:1], searched))


def rules_reply(bot: Assistant, question: str) -> tuple[bool, str]:
    reply = bot.ask(question)
    return reply.answered, quoted_part(plain_text(reply.text)) if reply.answered else ""


def other_language_choice(bot: Assistant, cases: list[dict]) -> str:
    """Questions in other languages: the rules' quote, against the reader choosing among the same
    candidates (the multilingual path's), reading the question with the glossary's English words."""
    rules = reader = 0
    for case in cases:
        question, expected = case["turns"][0], case["expect"].lower()
        reply = bot.ask(question)
        rules += reply.answered and expected in plain_text(reply.text).lower()
        _, candidates = search_other_language(bot.index, bot.retriever, reply.query, reply.language)
        asked = " ".join([question, *english_terms(question, reply.language)])
        chosen = read(shared_reader(), asked, candidates)
        reader += bool(chosen) and expected in " ".join(quote(bot.index, chosen[:1], reply.query)).lower()
    return f"other languages, {len(cases)} cases: the rules' quote right {rules}, the reader's choice right {reader}"


def table(bot: Assistant, cases: list[dict]) -> list[str]:
    lines = [f"{'category':<14} {'n':>4} {'system':<7} {'right':>7} {'answerable declined':>20} {'declines ok':>12}"]
    for category in sorted({c["category"] for c in cases}):
        group = [c for c in cases if c["category"] == category]
        for name, system in (("rules", rules_reply), ("reader", reader_reply)):
            outcomes = [(case, *system(bot, case["turns"][0])) for case in group]
            answerable = [(c, a, t) for c, a, t in outcomes if c["expect"] != DECLINE]
            declines = [a for c, a, _ in outcomes if c["expect"] == DECLINE]
            right = (statistics.fmean(a and c["expect"].lower() in t.lower() for c, a, t in answerable)
                     if answerable else None)
            false = statistics.fmean(not a for _, a, _ in answerable) if answerable else None
            ok = statistics.fmean(not a for a in declines) if declines else None
            cells = [f"{v:.3f}" if v is not None else "-" for v in (right, false, ok)]
            lines.append(f"{category:<14} {len(group):>4} {name:<7} {cells[0]:>7} {cells[1]:>20} {cells[2]:>12}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    args = parser.parse_args()
    bot = Assistant.open("corpus", "index")
    for path in args.sets:
        single = [c for c in load_cases(path) if len(c["turns"]) == 1]
        english = [c for c in single if c["lang"] == "en"]
        print(f"{path} ({len(english)} English single-turn cases)")
        print("\n".join(table(bot, english)))
        others = [c for c in single if c["lang"] != "en" and c["expect"] != DECLINE]
        if others:
            print(other_language_choice(bot, others))


if __name__ == "__main__":
    main()
