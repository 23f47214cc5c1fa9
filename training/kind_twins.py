"""Twins that ask for another kind of answer than their sentence gives: "who" for a date, "when" for a name.

Visitors ask "who founded avsf?" of a text that says only "AVSF is a French NGO founded in 1977".
The sentence shares every word of the question and holds the kind of fact a founding question
usually gets, so the reader took it for an answer. SQuAD v1.1 never pairs a "who" question with a
sentence that names no one. Here, each training question of the form "When was X founded?" (its
answer a date) whose answering sentence names no one becomes "Who founded X?", and each "Who
founded X?" (its answer a name) whose sentence gives no date becomes "When was X founded?": the
twin with that sentence is a negative, beside the original question with it as a positive.
"""
from __future__ import annotations

import random
import re

from training.reader_data import VISITOR_STYLE_SHARE, Article, Pair, answering_sentence, positives

WHEN_PASSIVE = re.compile(r"^(?:when|in what year|what year|in which year) (?:was|were) (.+?) (\w+ed)\s*\??$", re.I)
WHO_ACTIVE = re.compile(r"^[Ww]ho (\w+ed) ((?:the|a|an|[A-Z])\b.*?)\s*\??$")
MONTHS = ("january february march april may june july august september october november december "
          "century centuries decade ago").split()
A_DATE = re.compile(rf"\b(?:\d{{3,4}}s?|{'|'.join(MONTHS)})\b", re.I)
# a sentence that may name who did it: "by ...", a pronoun for a person, or a capitalised word
# the question lacks (a name); such a sentence is no sure negative for a "who" twin
A_DOER = re.compile(r"\b(?:by|he|she|his|her|they|their)\b", re.I)
CAPITALISED = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][\w'’-]*")


def asked_for_a_name(question: str, sentence: str) -> str | None:
    """"When was X founded?" as "Who founded X?", when the sentence names no one the question does not."""
    match = WHEN_PASSIVE.match(question.strip())
    if match is None or A_DOER.search(sentence):
        return None
    subject, verb = match.groups()
    if not re.search(rf"\b(?:was|were|is|are|be|been|being)\s+(?:\w+ly\s+)?{re.escape(verb)}\b", sentence, re.I):
        return None  # only a passive without "by" surely leaves the doer unnamed ("voters approved ...": named)
    asked = question.lower()
    if any(word.lower() not in asked and word.lower() not in MONTHS for word in CAPITALISED.findall(sentence)):
        return None
    return f"Who {verb} {subject}?"


def asked_for_a_date(question: str, sentence: str) -> str | None:
    """"Who founded X?" as "When was X founded?", when the sentence gives no date."""
    match = WHO_ACTIVE.match(question.strip())
    if match is None or A_DATE.search(sentence):
        return None
    verb, thing = match.groups()
    return f"When was {thing} {verb}?"


def kind_twin_pairs(articles: list[Article], seed: int) -> list[Pair]:
    """For every training question with a kind twin: the question with its answering sentence (a
    positive, its answer marked) and the twin with the same sentence (a negative). A share of
    both is typed in lower case without the question mark, as visitors type."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for article in articles:
        for question in article.questions:
            if not positives(article, question):
                continue
            sentence = answering_sentence(article, question)
            twin = asked_for_a_name(question.text, sentence.text) or asked_for_a_date(question.text, sentence.text)
            if twin is None:
                continue
            start = sentence.offset + sentence.text.find(question.answer)
            asked = question.text
            if rng.random() < VISITOR_STYLE_SHARE:  # as visitors type; keywords alone would drop the asked kind
                asked, twin = asked.rstrip(" ?").lower(), twin.rstrip(" ?").lower()
            pairs.append(Pair(asked, sentence.context, 1.0, start, start + len(question.answer)))
            pairs.append(Pair(twin, sentence.context, 0.0))
    return pairs
