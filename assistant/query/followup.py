"""Follow-up questions -> self-contained search queries.

"When was it reorganized?" after "Tell me about NAMAC" means NAMAC. The
previous question is first made self-contained itself (recursively), then:
- a pronoun ("it", "its", "that NGO") is replaced by the previous topic's name;
- "and NAMAC?" repeats the previous question about the new name;
- other elliptical questions are searched with the previous question beside them.
A self-contained question is left alone, so it is never dragged back to the
previous topic. Small talk ("hello", "thanks") is not a previous question, and a
first question that only says "it" ("When was it founded?") names nothing yet:
the visitor is asked to name what they mean. "Tell me more" asks for what the
texts say after the previous quote, not for the same sentence again.
"""
from __future__ import annotations

import re

from assistant import rules
from assistant.models.lexical import english_words, words
from assistant.query.small_talk import normalized, small_talk
from assistant.types import Message

_WORDS = rules.load("followup")
ANAPHORA = re.compile(rf"\b({rules.any_of(_WORDS['anaphora'])})\b", re.I)
CONTINUATION = re.compile(rf"^\s*({rules.any_of(_WORDS['continuation'])})\b", re.I)
NAME = re.compile(r"\b[A-ZА-ЯЁӨҮ]{3,}\b")  # acronyms name the topics: AVSF, NAMAC
PERSONAL_PRONOUN = re.compile(rf"\b({rules.any_of(_WORDS['personal_pronouns'])})\b", re.I)
# language -> a whole message asking for more (lowercased, punctuation as spaces)
MORE: dict[str, str] = _WORDS["more"]
_MORE = {language: re.compile(pattern) for language, pattern in MORE.items()}


def rewrite(question: str, history: list[Message]) -> str:
    """The query to search: the question made self-contained using the previous turns."""
    question = plain_definition(question)
    earlier = _user_questions(history)
    if not earlier:
        return question
    previous = rewrite(earlier[-1], _before_last_question(history))
    return resolve(question, previous)


DEFINITION_PHRASING = re.compile(
    r"^\W*(?:what does (?P<a>.+?) mean|what(?:'s| is) the meaning of (?P<b>.+?)|what is meant by (?P<c>.+?))"
    r"\W*$", re.I)


def plain_definition(question: str) -> str:
    """"What does dzud mean?" searched as "What is dzud?": the models match the plain form far
    better (the "mean" form was declined)."""
    asked = DEFINITION_PHRASING.match(question)
    if not asked:
        return question
    return f"What is {next(term for term in asked.groups() if term)}?"


def lacks_a_referent(question: str, history: list[Message]) -> bool:
    """An English first question whose pronoun names nothing: "When was it founded?", "How many
    members does it have?". It has a pronoun and at most two other words, all common English ones
    and none capitalized: no name ("When was he elected by Nixon?", "avsf wat is it") that could be
    what the pronoun means."""
    if _user_questions(history) or not PERSONAL_PRONOUN.search(question):
        return False
    if any(word[:1].isupper() for word in question.split()[1:]):
        return False
    content = [word for word in words(question) if len(word) > 1]
    return len(content) <= 2 and all(word in english_words() for word in content)


def asks_for_more(question: str) -> str | None:
    """The language of a whole message asking for more ("tell me more", "dites-m'en plus"), or None."""
    text = normalized(question)
    return next((language for language, pattern in _MORE.items() if pattern.fullmatch(text)), None)


def previous_reply(history: list[Message]) -> str | None:
    """The assistant's last message, whose quote "tell me more" continues."""
    replies = _messages(history, "assistant")
    return replies[-1] if replies else None


def resolve(question: str, previous: str) -> str:
    own_names = NAME.findall(question)
    previous_names = NAME.findall(previous)
    if CONTINUATION.search(question):
        if own_names and previous_names:
            return _replace_name(previous, previous_names[0], own_names[0])
        return f"{question} ({previous})"
    if own_names:
        return question
    if ANAPHORA.search(question):
        if previous_names:
            return ANAPHORA.sub(previous_names[0], question, count=1)
        return f"{question} ({previous})"
    if len(words(question)) <= 1:
        return f"{question} ({previous})"
    return question


def _replace_name(question: str, old: str, new: str) -> str:
    return re.sub(rf"\b{re.escape(old)}\b", new, question)


def _user_questions(history: list[Message]) -> list[str]:
    return [message for message in _messages(history, "user") if not small_talk(message)]


def _messages(history: list[Message], role: str) -> list[str]:
    """The texts of one role's messages, skipping malformed entries (history comes from the browser)."""
    return [m["content"] for m in history or []
            if isinstance(m, dict) and m.get("role") == role and isinstance(m.get("content"), str)]


def _before_last_question(history: list[Message]) -> list[Message]:
    """The history as it was when the previous question was asked."""
    for position in range(len(history) - 1, -1, -1):
        message = history[position]
        if isinstance(message, dict) and message.get("role") == "user":
            return history[:position]
    return []
