"""Answer quality on a question set: accuracy, passage hits, declines, sure wrong quotes, latency, per category.

A case is a JSON line: {"id", "category", "lang", "turns": [question, ...],
"expect": fact string or "decline", "section": expected section}. Earlier
turns are asked for real, so follow-ups see the assistant's own replies.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.quote import quoted_part
from assistant.pipeline import Assistant
from assistant.settings import MAX_ANSWER_WORDS
from assistant.text import plain_text
from assistant.types import Message, ReplyKind

DECLINE = "decline"
Case = dict[str, Any]  # one JSON line of a question set
Row = dict[str, Any]  # one category's figures


@dataclass
class Outcome:
    case: Case
    answered: bool
    text: str
    sections: list[str]
    seconds: float
    paths: list[str] = field(default_factory=list)  # the sources' documents, the quoted one first
    unsure: bool = False  # quoted as the texts' closest passage, not as the answer

    @property
    def expects_decline(self) -> bool:
        return bool(self.case["expect"] == DECLINE)

    @property
    def correct(self) -> bool:
        if self.expects_decline:
            return not self.answered
        plain = plain_text(self.text)
        return (self.answered and self.case["expect"].lower() in plain.lower()
                and len(quoted_part(plain).split()) <= MAX_ANSWER_WORDS)

    @property
    def wrong_sure(self) -> bool:
        """A wrong quote given as the answer: what costs a visitor's trust (one given as "not sure" does less)."""
        return self.answered and not self.unsure and not self.correct

    def hit_at(self, k: int) -> bool:
        return self.case.get("section") in self.sections[:k]


@dataclass
class CategoryReport:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def row(self) -> Row:
        answerable = [o for o in self.outcomes if not o.expects_decline]
        declines = [o for o in self.outcomes if o.expects_decline]
        times = [o.seconds * 1000 for o in self.outcomes]
        return {
            "category": self.name,
            "n": len(self.outcomes),
            "accuracy": _share(o.correct for o in self.outcomes),
            "hit@1": _share(o.hit_at(1) for o in answerable) if answerable else None,
            "hit@3": _share(o.hit_at(3) for o in answerable) if answerable else None,
            "declined_ok": _share(not o.answered for o in declines) if declines else None,
            "false_declines": _share(not o.answered for o in answerable) if answerable else None,
            "wrong_sure": _share(o.wrong_sure for o in self.outcomes),
            "unsure": _share(o.unsure for o in self.outcomes),
            "p50_ms": float(np.percentile(times, 50)),
            "p95_ms": float(np.percentile(times, 95)),
        }


OUTCOME_COUNTS = ("answerable", "right", "declined", "right_unsure", "unanswerable", "unanswerable_declined",
                  "offtopic", "offtopic_declined", "wrong_sure")


def outcome_counts(outcomes: list[Outcome]) -> dict[str, int]:
    """A question set's outcomes as counts (`OUTCOME_COUNTS`): answerable questions right,
    declined and right though shown as not sure; on-topic unanswerable and off-topic questions
    declined; every wrong quote given as the answer (what costs a visitor's trust)."""
    counts = dict.fromkeys(OUTCOME_COUNTS, 0)
    for o in outcomes:
        if o.case["category"] == "offtopic":
            counts["offtopic"] += 1
            counts["offtopic_declined"] += not o.answered
        elif o.expects_decline:
            counts["unanswerable"] += 1
            counts["unanswerable_declined"] += not o.answered
        else:
            counts["answerable"] += 1
            counts["right"] += o.correct
            counts["declined"] += not o.answered
            counts["right_unsure"] += o.correct and o.unsure
        counts["wrong_sure"] += o.wrong_sure
    return counts


def _share(values: Iterable[bool]) -> float:
    flags = list(values)
    return sum(flags) / len(flags) if flags else 0.0


def load_cases(path: Path) -> list[Case]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run_case(bot: Assistant, case: Case) -> Outcome:
    history: list[Message] = []
    for question in case["turns"][:-1]:
        reply = bot.ask(question, history)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": reply.text}]
    started = time.perf_counter()
    reply = bot.ask(case["turns"][-1], history)
    seconds = time.perf_counter() - started
    return Outcome(case, reply.answered, reply.text, [s.section for s in reply.sources], seconds,
                   [s.path for s in reply.sources], reply.kind == ReplyKind.UNSURE)


def evaluate(bot: Assistant, cases: list[Case]) -> list[Outcome]:
    for case in cases[:3]:  # warm-up, so latency is what a running app sees
        run_case(bot, case)
    bot.prepare_languages()
    return [run_case(bot, case) for case in cases]


def report(outcomes: list[Outcome]) -> list[Row]:
    """One row per category, then the groups the targets speak of that the set has questions in
    (a set of French questions alone has no English direct ones)."""
    groups: dict[str, CategoryReport] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.case["category"], CategoryReport(outcome.case["category"])).outcomes.append(outcome)
    rows = [groups[name].row() for name in sorted(groups)]
    summaries = [CategoryReport("english-direct", [o for o in outcomes if o.case["category"] in
                                                   ("factoid", "paraphrase", "typo")]),
                 CategoryReport("all-answerable", [o for o in outcomes if not o.expects_decline]),
                 CategoryReport("all", outcomes)]
    return rows + [summary.row() for summary in summaries if summary.outcomes]


def format_table(rows: list[Row]) -> str:
    columns = ["category", "n", "accuracy", "hit@1", "hit@3", "declined_ok", "false_declines", "wrong_sure", "unsure",
               "p50_ms", "p95_ms"]
    lines = [" | ".join(f"{c:>14}" for c in columns)]
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            cells.append(f"{'-':>14}" if value is None else
                         f"{value:>14.3f}" if isinstance(value, float) else f"{value:>14}")
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def check_thresholds(rows: list[Row], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Failures as readable lines: {"category": {"metric": minimum}}, "max_" metrics are ceilings."""
    by_name = {row["category"]: row for row in rows}
    failures = []
    for category, limits in thresholds.items():
        row = by_name.get(category)
        for metric, limit in limits.items():
            ceiling = metric.startswith("max_")
            value = row.get(metric.removeprefix("max_")) if row else None
            if value is None or (value > limit if ceiling else value < limit):
                failures.append(f"{category} {metric.removeprefix('max_')} = {value} "
                                f"({'max' if ceiling else 'min'} {limit})")
    return failures


def failures_detail(outcomes: list[Outcome]) -> str:
    lines = []
    for o in outcomes:
        if not o.correct:
            lines.append(f"- [{o.case['category']}] {o.case['id']}: {o.case['turns'][-1]!r} expected "
                         f"{o.case['expect']!r}; got {'answer' if o.answered else 'decline'}: "
                         f"{plain_text(o.text)[:140]!r}")
    return "\n".join(lines)
