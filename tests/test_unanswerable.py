"""Unanswerable twins of training questions (training/unanswerable.py): table-driven, no models."""
from __future__ import annotations

import random

import pytest

from training.reader_data import article_from_squad, number_pairs
from training.unanswerable import (
    REQUESTS,
    focus_pools,
    focus_twin,
    number_twin,
    question_focus,
    request_twin,
    unanswerable_twin,
)

IDF = {"goat": 7.0, "herder": 5.0, "found": 3.0}
FOREIGN = ["sheep"]


@pytest.mark.parametrize("question, sentence_words, answer, twin", [
    # the rarest word shared with the answering sentence is swapped
    ("How many goats do the herders have?", {"goats", "herders", "have"}, "5",
     "How many sheep do the herders have?"),
    # a capital stays a capital
    ("When were the Goats founded?", {"goats", "founded"}, "1977", "When were the Sheep founded?"),
    # a word of the answer itself is never swapped
    ("Which cooperatives were founded?", {"cooperatives"}, "the cooperatives", None),
    # no shared word of 4 letters or more, no twin
    ("Who is he?", {"he", "who"}, "Bob", None),
])
def test_a_twin_swaps_the_rarest_shared_word(question, sentence_words, answer, twin):
    assert unanswerable_twin(question, frozenset(sentence_words), answer, IDF, FOREIGN, random.Random(0)) == twin


def test_no_twin_when_the_swapped_in_word_is_in_the_answering_sentence():
    # it would still be answered, so it is no negative
    assert unanswerable_twin("How many goats graze?", frozenset({"goats", "sheep"}), "5", IDF,
                             FOREIGN, random.Random(0)) is None


@pytest.mark.parametrize("seed", range(40))
def test_a_request_is_put_to_the_article_or_to_you(seed):
    request = request_twin("University_of_Notre_Dame", random.Random(seed))
    assert "{" not in request and "_" not in request
    asked = request.rstrip("?").lower()
    assert any(asked == template.format(subject).rstrip("?").lower()
               for template in REQUESTS for subject in ("University of Notre Dame", "you"))


NETWORK = "In 2022, the network had 670 families through 11 cooperatives."


@pytest.mark.parametrize("question, answer, changed", [
    # a year the sentence holds moves by 1 to 12 years
    ("How many cooperatives were there in 2022?", "11", "2022"),
    # a count moves by up to half itself
    ("When did the network have 670 families?", "In 2022", "670"),
])
@pytest.mark.parametrize("seed", range(20))
def test_a_number_twin_changes_a_number_the_answering_sentence_holds(question, answer, changed, seed):
    twin = number_twin(question, NETWORK, answer, random.Random(seed))
    assert twin is not None
    before, after = question.split(changed)
    assert twin.startswith(before) and twin.endswith(after)
    number = int(twin[len(before):len(twin) - len(after)])
    assert number != int(changed) and str(number) not in NETWORK
    assert abs(number - int(changed)) <= (12 if len(changed) == 4 else int(changed) // 2)


@pytest.mark.parametrize("question, answer", [
    ("How many families are there?", "670"),  # no number in the question
    ("How many families were there in 2023?", "670"),  # a number the sentence does not hold
    ("What happened to the 670 families?", "670 families"),  # the number is the answer itself
    ("How many families in 2,022 cooperatives?", "670"),  # part of a larger number, not a whole one
])
def test_no_number_twin_without_a_number_shared_with_the_sentence_outside_the_answer(question, answer):
    assert number_twin(question, NETWORK, answer, random.Random(0)) is None


def test_a_number_twin_is_a_negative_with_the_answering_sentence():
    article = article_from_squad({"title": "Network", "paragraphs": [
        {"context": "The union was set up by herders. " + NETWORK,
         "qas": [{"question": "How many cooperatives were there in 2022?", "answers": [{"text": "11"}]}]}]})
    pairs = number_pairs(article, article.questions[0], "How many cooperatives were there in 2022?", random.Random(0))
    assert len(pairs) == 1 and pairs[0].label == 0.0 and pairs[0].context.endswith(NETWORK)
    assert "2022" not in pairs[0].question


@pytest.mark.parametrize("question", ["Who ruled in the 2nd century?", "What changed in the 1970s?",
                                      "What is a 5G network?", "Was it 3.5 or 20,000?"])
def test_a_number_inside_a_word_or_a_larger_number_is_never_changed(question):
    sentence = "In the 2nd century and the 1970s, 5G, 3.5 and 20,000 and 2, 1970, 5 and 3."
    assert number_twin(question, sentence, "x", random.Random(0)) is None


POOLS = {"count": ["goats", "tonnes", "sheep"], "thing": ["language", "country", "currency"]}


def never_close(a: str, b: str) -> bool:
    return False


@pytest.mark.parametrize("question, kind, focus", [
    ("How many goats do the herders have?", "count", "goats"),
    ("how much money did they raise", "count", "money"),
    ("Which language do the herders speak?", "thing", "language"),
    ("What kind of wool is it?", "thing", "wool"),
    ("In what year was AVSF founded?", "thing", "year"),
])
def test_the_focus_is_the_noun_after_the_question_word(question, kind, focus):
    found = question_focus(question)
    assert found is not None and found[0] == kind and found[1].group(2) == focus


@pytest.mark.parametrize("question", ["What is AVSF?", "What happened in 1992?", "Which two regions?",
                                      "Where are the cooperatives?"])
def test_no_focus_where_a_verb_a_number_word_or_no_question_word_follows(question):
    assert question_focus(question) is None


@pytest.mark.parametrize("seed", range(20))
def test_a_focus_twin_asks_for_another_thing_of_its_kind_the_sentence_lacks(seed):
    twin = focus_twin("How many goats do the herders have?", frozenset({"herders", "have", "sheep"}),
                      POOLS, never_close, random.Random(seed))
    assert twin == "How many tonnes do the herders have?"  # "sheep" is in the sentence, "goats" is the focus


def test_no_focus_twin_for_a_focus_outside_the_pools_or_when_every_other_is_too_close():
    assert focus_twin("Which religion do they follow?", frozenset(), POOLS, never_close, random.Random(0)) is None
    assert focus_twin("Which language do they speak?", frozenset(), POOLS, lambda a, b: True, random.Random(0)) is None


def test_the_pools_keep_foci_asked_often_enough():
    questions = ["How many goats are there?"] * 5 + ["How many llamas are there?"] * 4 + ["Which language?"] * 5
    assert focus_pools(questions) == {"count": ["goats"], "thing": ["language"]}
