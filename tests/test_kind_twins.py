""""Who"/"when" twins of training questions (training/kind_twins.py): table-driven, no models."""
from __future__ import annotations

import pytest

from training.kind_twins import asked_for_a_date, asked_for_a_name, kind_twin_pairs
from training.reader_data import article_from_squad


@pytest.mark.parametrize("question, sentence, twin", [
    # a passive that names no one: the "who" twin is unanswered by it
    ("When was the Monastery of Martyrius founded?",
     "The Monastery of Martyrius was founded in the end of the 5th century.",
     "Who founded the Monastery of Martyrius?"),
    ("In what year was the charge introduced?", "In 2003, a congestion charge was introduced.",
     "Who introduced the charge?"),
    # "by ..." names the doer: no twin
    ("When was the university founded?", "The university was founded in 1842 by the Holy Cross.", None),
    # the doer is the subject ("voters approved"): not a passive, no twin
    ("When was the charter approved?", "Since voters approved the charter in 1974, the mayor leads.", None),
    # a name the question lacks may be the doer: no twin
    ("When was the bridge opened?", "The bridge was opened in 1932 and Smith spoke.", None),
    # not a "when ... was X <verb>ed" question
    ("Where was the bridge opened?", "The bridge was opened in 1932.", None),
])
def test_a_date_question_asked_for_a_name(question, sentence, twin):
    assert asked_for_a_name(question, sentence) == twin


@pytest.mark.parametrize("question, sentence, twin", [
    ("Who founded the Cubs?", "The Cubs were founded by William Hulbert.", "When was the Cubs founded?"),
    ("who published the map", "The map was published by the bureau.", "When was the map published?"),
    # the sentence gives a date (a year, a month, a century): no twin
    ("Who founded the Cubs?", "William Hulbert founded the Cubs in 1876.", None),
    ("Who signed the treaty?", "The king signed the treaty in May.", None),
    ("Who built the church?", "Monks built the church in the 5th century.", None),
    # not an object after the verb ("warned of ..."): no twin
    ("Who warned of the danger?", "The mayor warned of the danger.", None),
])
def test_a_name_question_asked_for_a_date(question, sentence, twin):
    assert asked_for_a_date(question, sentence) == twin


def test_each_twin_is_a_negative_beside_its_question_as_a_positive():
    article = article_from_squad({"title": "Cubs", "paragraphs": [{
        "context": "The Cubs were founded by William Hulbert. They play in Chicago.",
        "qas": [{"question": "Who founded the Cubs?", "answers": [{"text": "William Hulbert", "answer_start": 25}]},
                {"question": "Where do the Cubs play?", "answers": [{"text": "Chicago", "answer_start": 54}]}]}]})
    positive, negative = kind_twin_pairs([article], seed=0)
    assert positive.label == 1.0 and positive.context[positive.answer_start:positive.answer_end] == "William Hulbert"
    assert negative.label == 0.0 and negative.context == positive.context
    assert negative.question.lower().rstrip("?") == "when was the cubs founded"
