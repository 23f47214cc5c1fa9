"""What a question asks for: its kind (a year, a count, a place, an aim...) from its question words,
and the pattern of the answer that kind expects."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant import rules

_RULES = rules.load("kinds")
_KINDS: dict[str, dict[str, Any]] = _RULES["kinds"]
# kind -> its question words, as one regular expression
KIND_WORDS: dict[str, str] = {kind: rules.any_of(rule["question_words"]) for kind, rule in _KINDS.items()}
ANSWER_PATTERNS: dict[str, str] = {kind: rules.expand(rule["answer"], _RULES["parts"])
                                   for kind, rule in _KINDS.items() if "answer" in rule}
LABELS: dict[str, str] = {kind: rule["label"] for kind, rule in _KINDS.items()}
MAX_WORDS_BEFORE_QUESTION_WORD: int = _RULES["max_words_before_question_word"]
ANYWHERE_KINDS = {kind for kind, rule in _KINDS.items() if rule.get("anywhere")}
TYPED_KINDS = {kind for kind, rule in _KINDS.items() if rule.get("typed")}
STRICT_KINDS = {kind for kind, rule in _KINDS.items() if rule.get("strict")}
SAME_ANSWER = {kind: group[0] for group in _RULES["same_answer"] for kind in group}


@lru_cache(maxsize=1024)  # asked once per candidate sentence, and again to quote and to bold
def question_kind(question: str, anywhere: bool = False) -> str | None:
    """What the question asks for, from its question word: the earliest (then longest) one found
    among its first words ("How many seconds were left when..." asks for a count, "What was the
    tribe ... when he was 16?" for no date); anywhere in Cyrillic questions, whose question word
    comes late ("NAMAC хэдэн онд ..."), and for contact details or another name ("What is the email
    of ...", "What is the bad air theory officially known as?"), or with `anywhere`."""
    folded = question.lower()
    cyrillic = any("\u0400" <= char <= "\u04ff" for char in folded)
    found = []
    for kind, question_words in KIND_WORDS.items():
        for match in re.finditer(rf"\b(?:{question_words})\b", folded):
            if (anywhere or cyrillic or kind in ANYWHERE_KINDS
                    or len(folded[:match.start()].split()) <= MAX_WORDS_BEFORE_QUESTION_WORD):
                found.append((match.start(), -len(match.group(0)), kind))
    return min(found)[2] if found else None


def without_question_words(question: str) -> str:
    """What the question asks about: the question without the words that ask ("how big", "when")."""
    kind = question_kind(question)
    return re.sub(rf"\b(?:{KIND_WORDS[kind]})\b", " ", question.lower()) if kind else question


def expected_answer(question: str) -> str | None:
    """The pattern of a dated, counted, priced or contact answer ("when", "how many", "what
    does it cost", "email"), or None."""
    kind = question_kind(question)
    return ANSWER_PATTERNS[kind] if kind in TYPED_KINDS else None



def describe(kind: str | None) -> str:
    """What a question of this kind was read as asking for, in staff's words."""
    if kind not in LABELS:
        return "no particular kind of answer"
    strict = "; declined when no quote holds one" if kind in STRICT_KINDS else ""
    return LABELS[kind] + strict


def answer_kind(question: str) -> str | None:
    """The kind of answer a question asks for, its question words looked for anywhere, with the
    kinds that count as one merged: two questions with different answer kinds are not paraphrases."""
    kind = question_kind(question, anywhere=True)
    return SAME_ANSWER.get(kind, kind) if kind else None
