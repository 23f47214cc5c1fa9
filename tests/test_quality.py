"""The question set in eval/ must stay above the minimums in eval/thresholds.json; the report
counts what it says it counts."""
from __future__ import annotations

import json

import pytest

from assistant import evaluation
from tests.conftest import ROOT


def _outcome(expect: str, answered: bool, text: str, unsure: bool = False) -> evaluation.Outcome:
    case = {"id": "x", "category": "c", "lang": "en", "turns": ["q"], "expect": expect}
    return evaluation.Outcome(case, answered, text, [], 0.01, [], unsure)


@pytest.mark.parametrize("outcome, correct, wrong_sure, unsure", [
    (_outcome("1977", True, "“founded in 1977”"), True, 0.0, 0.0),
    (_outcome("1977", True, "“founded in 1977”", unsure=True), True, 0.0, 1.0),  # right, though not sure
    (_outcome("1977", True, "“670 families”"), False, 1.0, 0.0),  # a wrong quote given as the answer
    (_outcome("1977", True, "“670 families”", unsure=True), False, 0.0, 1.0),  # shown as the closest passage
    (_outcome("decline", True, "“670 families”"), False, 1.0, 0.0),
    (_outcome("decline", True, "“670 families”", unsure=True), False, 0.0, 1.0),
    (_outcome("decline", False, "I don't know"), True, 0.0, 0.0),
    (_outcome("1977", False, "I don't know"), False, 0.0, 0.0),
])
def test_the_report_counts_sure_wrong_quotes_apart_from_unsure_ones(outcome, correct, wrong_sure, unsure):
    row = evaluation.CategoryReport("c", [outcome]).row()
    assert outcome.correct is correct
    assert (row["wrong_sure"], row["unsure"]) == (wrong_sure, unsure)


def _in_category(category: str, outcome: evaluation.Outcome) -> evaluation.Outcome:
    outcome.case["category"] = category
    return outcome


@pytest.mark.parametrize("outcome, counted", [
    (_outcome("1977", True, "“founded in 1977”"), {"answerable": 1, "right": 1}),
    (_outcome("1977", True, "“founded in 1977”", unsure=True), {"answerable": 1, "right": 1, "right_unsure": 1}),
    (_outcome("1977", False, "I don't know"), {"answerable": 1, "declined": 1}),
    (_outcome("1977", True, "“670 families”"), {"answerable": 1, "wrong_sure": 1}),
    (_outcome("1977", True, "“670 families”", unsure=True), {"answerable": 1}),
    (_outcome("decline", False, "I don't know"), {"unanswerable": 1, "unanswerable_declined": 1}),
    (_outcome("decline", True, "“670 families”"), {"unanswerable": 1, "wrong_sure": 1}),
    (_outcome("decline", True, "“670 families”", unsure=True), {"unanswerable": 1}),
    (_in_category("offtopic", _outcome("decline", False, "I don't know")), {"offtopic": 1, "offtopic_declined": 1}),
    (_in_category("offtopic", _outcome("decline", True, "“670 families”")), {"offtopic": 1, "wrong_sure": 1}),
])
def test_a_question_set_is_counted_by_outcome(outcome, counted):
    assert evaluation.outcome_counts([outcome]) == dict.fromkeys(evaluation.OUTCOME_COUNTS, 0) | counted


def test_a_set_without_english_direct_questions_is_reported_without_that_group():
    outcomes = [_in_category("multilingual", _outcome("1977", True, "founded in 1977")),
                _in_category("offtopic", _outcome("decline", False, "I don't know"))]
    assert [row["category"] for row in evaluation.report(outcomes)] == [
        "multilingual", "offtopic", "all-answerable", "all"]


def test_union_question_set_meets_its_thresholds(bot):
    cases = evaluation.load_cases(ROOT / "eval" / "union_qa.jsonl")
    assert len(cases) >= 80
    outcomes = evaluation.evaluate(bot, cases)
    rows = evaluation.report(outcomes)
    print("\n" + evaluation.format_table(rows))
    failures = evaluation.check_thresholds(rows, json.loads((ROOT / "eval" / "thresholds.json").read_text()))
    assert not failures, "\n".join(failures) + "\n" + evaluation.failures_detail(outcomes)
