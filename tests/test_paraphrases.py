"""The training questions put in other words (training/paraphrases.py): table-driven, no models."""
from __future__ import annotations

import random

import pytest

from training.paraphrases import SYNONYMS, reworded


@pytest.mark.parametrize("question, answer_words, allowed", [
    # the word the answering sentence shares is the one swapped
    ("What is the goal of the charity?", {"goal"}, {"What is the aim of the charity?",
                                                    "What is the objective of the charity?",
                                                    "What is the purpose of the charity?",
                                                    "What is the mission of the charity?",
                                                    "what does the charity want to achieve",
                                                    "what is the charity for", "why does the charity exist"}),
    # a name is never swapped, even when its word is in the table
    ("Where is Connaught Place?", set(), None),
    # a question form put the way people ask it, or its words swapped
    ("When was the abbey founded?", {"founded"}, {"how old is the abbey", "since when has the abbey existed",
                                                  "how long has the abbey been around",
                                                  "When was the abbey established?", "When was the abbey created?",
                                                  "When was the abbey set up?"}),
])
def test_a_question_is_put_in_other_words(question, answer_words, allowed):
    for seed in range(10):
        result = reworded(question, frozenset(answer_words), random.Random(seed))
        assert result == allowed if allowed is None else result in allowed, (seed, result)


def test_the_synonym_table_is_symmetric_and_never_maps_a_word_to_itself():
    for word, others in SYNONYMS.items():
        assert word not in others
        assert all(word in SYNONYMS[other] for other in others if other in SYNONYMS), word
