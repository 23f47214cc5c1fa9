"""Unanswerable twins of training questions (training/unanswerable.py): table-driven, no models."""
from __future__ import annotations

import random

import pytest

from training.unanswerable import REQUESTS, request_twin, unanswerable_twin

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
