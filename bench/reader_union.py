"""The reader's path against the rules on the union's own questions (English, single-turn cases).

For each case of a question set, the project (`Assistant.ask`, the rules) and the reader's path
(`assistant.reading.read_english` on the question as the project searched it, the reader reading
the question as asked) each answer or decline. Printed per category: answerable cases whose
quote holds the expected fact, answerable declined, and expected declines that were declined.

    .venv/bin/python bench/reader_union.py eval/union_qa.jsonl eval/fresh_visitors.jsonl
"""
from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import common  # noqa: F401  (puts the project on the path)

from assistant.answer import plain_text, quote, quoted_part
from assistant.core import Assistant
from assistant.evaluation import DECLINE, load_cases
from assistant.reader import shared_reader
from assistant.reading import answers, read_english


def reader_reply(bot: Assistant, question: str) -> tuple[bool, str]:
    searched = bot.ask(question).query or question
    _, candidates = read_english(bot.index, bot.retriever, shared_reader(), searched, question)
    if not answers(shared_reader(), candidates):
        return False, ""
    return True, " ".join(quote(bot.index, candidates[:1], searched))


def rules_reply(bot: Assistant, question: str) -> tuple[bool, str]:
    reply = bot.ask(question)
    return reply.answered, quoted_part(plain_text(reply.text)) if reply.answered else ""


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
        cases = [c for c in load_cases(path) if len(c["turns"]) == 1 and c["lang"] == "en"]
        print(f"{path} ({len(cases)} English single-turn cases)")
        print("\n".join(table(bot, cases)))


if __name__ == "__main__":
    main()
