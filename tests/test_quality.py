"""The question set in eval/ must stay above the minimums in eval/thresholds.json."""
from __future__ import annotations

import json

from assistant import evaluation
from tests.conftest import ROOT


def test_union_question_set_meets_its_thresholds(bot):
    cases = evaluation.load_cases(ROOT / "eval" / "union_qa.jsonl")
    assert len(cases) >= 80
    outcomes = evaluation.evaluate(bot, cases)
    rows = evaluation.report(outcomes)
    print("\n" + evaluation.format_table(rows))
    failures = evaluation.check_thresholds(rows, json.loads((ROOT / "eval" / "thresholds.json").read_text()))
    assert not failures, "\n".join(failures) + "\n" + evaluation.failures_detail(outcomes)
