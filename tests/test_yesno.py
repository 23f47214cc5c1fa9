"""Yes/no questions made from SQuAD's questions (training/yesno.py): table-driven, no models."""
from __future__ import annotations

import random
import re

import pytest

from training.reader_data import article_from_squad, inverse_document_frequencies, yes_no_pairs
from training.yesno import yes_no_question


@pytest.mark.parametrize("question, answer, yes_no", [
    # a place: the answer after "in"
    ("Where was Burke born?", "Dublin, Ireland", "Was Burke born in Dublin, Ireland?"),
    ("Where did the Olympics originate?", "Olympia, Greece.", "Did the Olympics originate in Olympia, Greece?"),
    # the answer completes the statement
    ("What was Eisenhower's nickname?", "Ike", "Was Eisenhower's nickname Ike?"),
    # the question word is the subject: the answer takes its place
    ("What was considered part of A cappella?", "The madrigal", "Was The madrigal considered part of A cappella?"),
    ("Who was the first president?", "George Washington", "Was George Washington the first president?"),
    # an answer that brings its own preposition keeps it
    ("When did the war end?", "in the spring", "Did the war end in the spring?"),
    # other forms make none
    ("How many goats do the herders have?", "5", None),
    ("Why did the war end?", "famine", None),
])
def test_a_simple_question_becomes_a_yes_no_one(question, answer, yes_no):
    assert yes_no_question(question, answer, random.Random(0)) == yes_no


@pytest.mark.parametrize("seed", range(30))
def test_a_year_is_asked_as_it_is_or_moved_by_a_few_years(seed):
    asked = yes_no_question("In what year was the college founded?", "1842", random.Random(seed))
    assert asked is not None
    match = re.fullmatch(r"Was the college founded in (\d+)\?", asked)
    assert match, asked
    assert int(match.group(1)) == 1842 or 3 <= abs(int(match.group(1)) - 1842) <= 30


def test_both_forms_of_a_number_are_drawn():
    asked = {yes_no_question("When was the college founded?", "1842", random.Random(seed)) for seed in range(30)}
    assert "Was the college founded in 1842?" in asked and len(asked) > 2


def test_the_yes_no_question_is_answered_by_the_same_sentence_with_its_answer_marked():
    article = article_from_squad({"title": "Notre_Dame", "paragraphs": [
        {"context": "The college was founded by a priest. It has a golden dome. It faces a lake.",
         "qas": [{"question": "Who was the college's founder?", "answers": [{"text": "a priest"}]}]},
        {"context": "The library holds many books. A river runs nearby.", "qas": []}]})
    idf = inverse_document_frequencies([article])
    pairs = yes_no_pairs(article, article.questions[0], idf, random.Random(0))
    assert {p.question for p in pairs} == {"Was a priest the college's founder?"}
    positive = [p for p in pairs if p.label == 1.0]
    assert len(positive) == 1 and positive[0].context.endswith("The college was founded by a priest.")
    assert positive[0].context[positive[0].answer_start:positive[0].answer_end] == "a priest"
    assert len(pairs) > 1  # with the usual negatives


def test_a_question_of_another_form_gives_no_yes_no_pairs():
    article = article_from_squad({"title": "Notre_Dame", "paragraphs": [
        {"context": "The college was founded out of faith.", "qas": [
            {"question": "Why was the college founded?", "answers": [{"text": "faith"}]}]}]})
    assert yes_no_pairs(article, article.questions[0], {}, random.Random(0)) == []
