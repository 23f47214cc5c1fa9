"""The union's question set and every held-out visitor batch, one row each, then the batches summed.

Each batch (`eval/fresh_visitors*.jsonl`) was written from the corpus text alone, outside the work
it then measured, and first asked before that work changed anything (docs/quality.md). The
figures are the answer behaviour's, as served without the staff's curated answers:
answerable questions right, declined, and right though shown as "not sure"; on-topic questions
the texts cannot answer and off-topic ones declined; and the wrong quotes given as the answer,
what costs a visitor's trust. The sum leaves out the union set, the one the rules were tuned on.

    .venv/bin/python bench/visitor_batches.py                        # all sets, under a minute here
    .venv/bin/python bench/visitor_batches.py eval/fresh_visitors_19.jsonl
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from common import ROOT

from assistant.evaluation import load_cases, outcome_counts, run_case
from assistant.pipeline import Assistant

UNION_SET = ROOT / "eval" / "union_qa.jsonl"
COLUMNS = ("answerable right", "declined", "right, not sure", "unanswerable declined",
           "off-topic declined", "wrong quotes as the answer")


def default_sets() -> list[Path]:
    """The union set, then the batches in the order they were written (fresh_visitors, _2, _3, ...)."""
    batches = (ROOT / "eval").glob("fresh_visitors*.jsonl")
    return [UNION_SET, *sorted(batches, key=lambda path: int(re.sub(r"\D", "", path.stem) or 1))]


def cells(counts: dict[str, int]) -> list[str]:
    return [f"{counts['right']}/{counts['answerable']}", str(counts["declined"]), str(counts["right_unsure"]),
            f"{counts['unanswerable_declined']}/{counts['unanswerable']}",
            f"{counts['offtopic_declined']}/{counts['offtopic']}", str(counts["wrong_sure"])]


def table(rows: list[tuple[str, dict[str, int]]]) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [f"{'set':<{width}}  " + "  ".join(f"{c:>{len(c)}}" for c in COLUMNS)]
    for name, counts in rows:
        lines.append(f"{name:<{width}}  " + "  ".join(f"{cell:>{len(c)}}" for cell, c in zip(cells(counts), COLUMNS)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="question sets (default: the union set and every batch)")
    sets = parser.parse_args().sets or default_sets()
    bot = Assistant.open(ROOT / "corpus", ROOT / "index")
    rows, batch_outcomes, batches = [], [], 0
    for path in sets:
        outcomes = [run_case(bot, case) for case in load_cases(path)]
        rows.append((path.name, outcome_counts(outcomes)))
        if path.resolve() != UNION_SET.resolve():
            batch_outcomes += outcomes
            batches += 1
    print(table(rows + [(f"{batches} batches summed", outcome_counts(batch_outcomes))]))


if __name__ == "__main__":
    main()
