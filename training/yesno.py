"""Yes/no questions made from SQuAD's questions, for training.

Visitors ask "was avsf around before the 80s" or "is the union a member of namac"; SQuAD v1.1 has
almost no yes/no question, so the reader scored the sentence that settles them as no answer and
the assistant declined them (docs/reader.md). Here a question of a simple form and its answer make
a yes/no question that the same sentence answers: "When was the college founded?" with "1842"
becomes "Was the college founded in 1842?", or, for a number, one that the sentence answers "no"
("... in 1851?"). Questions of other forms make none.
"""
from __future__ import annotations

import random
import re

AUXILIARIES = "is|was|are|were|did|does|do|has|have|had|can|could|will|would"
# "When was X founded?", "Where is X located?", "What year did X begin?": the answer is a time or place
TIME_OR_PLACE = re.compile(
    rf"^(?:when|where|in what (?:year|city|country|century)|what year)\s+({AUXILIARIES})\s+(.+)$", re.I)
# "What is the capital of X?", "Who was the first president?": the answer completes the statement
WHAT_OR_WHO = re.compile(r"^(what|who|which)\s+(is|was|are|were)\s+(.+)$", re.I)
# "What was considered ...?": the question word is the subject, so the answer takes its place
PARTICIPLE = re.compile(r"^\w+(?:ed|en)\b", re.I)
NUMBER = re.compile(r"\d+")


def yes_no_question(question: str, answer: str, rng: random.Random) -> str | None:
    """A yes/no question the answering sentence settles, or None for a question of another form.
    Half of those whose answer holds a number ask with another number (the answer is then "no")."""
    plain = question.strip().rstrip("?").strip()
    answer = answer.strip().rstrip(".,;:")
    asked = _other_number(answer, rng) if NUMBER.search(answer) and rng.random() < 0.5 else answer
    if match := TIME_OR_PLACE.match(plain):
        auxiliary, rest = match.groups()
        preposition = "" if re.match(r"(?:in|on|at|during|by|from)\b", asked, re.I) else "in "
        return f"{auxiliary.capitalize()} {rest} {preposition}{asked}?"
    if match := WHAT_OR_WHO.match(plain):
        word, auxiliary, rest = match.groups()
        if PARTICIPLE.match(rest) or word.lower() == "who":  # "Was the madrigal considered ...?"
            return f"{auxiliary.capitalize()} {asked} {rest}?"
        return f"{auxiliary.capitalize()} {rest} {asked}?"
    return None


def _other_number(answer: str, rng: random.Random) -> str:
    """The answer with its first number moved: a year by a few years, any other number by a share."""
    match = NUMBER.search(answer)
    assert match is not None
    value = int(match.group())
    if 1000 <= value <= 2100:
        moved = value + rng.choice([-1, 1]) * rng.randint(3, 30)
    else:
        moved = max(value + 1, round(value * rng.choice([1.5, 2, 3]))) if rng.random() < 0.5 else max(0, value // 2)
    moved = moved if moved != value else value + 1
    return answer[:match.start()] + str(moved) + answer[match.end():]
