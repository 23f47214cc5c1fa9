"""What in the quote is bold: the answering phrase the visitor asked for, never the question's own words
(the pattern rules alone, without models: test_rules.py)."""
from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("question, bold", [
    ("How many households are in NAMAC's member cooperatives?", "**38,000 households**"),
    ("how many families", "**670 families** through"),  # the answer, not the words after it
    ("When was NAMAC reorganized?", "**1992**"),
    ("How large is NAMAC?", "**more than 100,000** individual members"),  # "how large" asks for a count
    ("Combien de familles font partie du réseau ?", "**670** families through **11** cooperatives located"),
])
def test_the_answering_phrase_is_bold(bot, question, bold):
    assert bold in bot.ask(question).text


@pytest.mark.parametrize("question", ["Tell me about AVSF", "What is AVSF?", "What does AVSF stand for?",
                                      "What is NAMAC?", "what is dzud", "Where are the cooperatives located?"])
def test_the_question_s_own_words_are_never_the_bold_answer(bot, question):
    """A bold phrase is an answer (a pattern's or the reader's sure span), never the words asked with."""
    from assistant.models.lexical import tokenize

    reply = bot.ask(question)
    assert reply.answered
    for phrase in re.findall(r"\*\*(.+?)\*\*", reply.text):
        assert set(tokenize(phrase)) - set(tokenize(reply.query)), phrase


@pytest.mark.parametrize("question", ["How many goats do the herders own?",
                                      "how many members does AVSF have",
                                      "how many women are among NAMAC's 100,000 individual members"])
def test_a_quote_given_as_not_sure_has_nothing_bold(bot, question):
    """"Not sure" replies hold the answer less often than not (union set and batches): bolding a
    count in them would state an answer the lead just doubted."""
    reply = bot.ask(question)
    assert reply.kind.name == "UNSURE"
    assert "**" not in reply.text
