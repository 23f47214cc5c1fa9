"""Greetings, thanks, goodbyes and "who are you?": recognised, not searched.

Chat-widget visitors often open with "hello" and close with "thanks". Searched,
such a message only finds an "I don't know"; it deserves a friendly fixed reply
(the texts are in `messages`). Only a whole message of small talk counts:
"Hi, when was AVSF founded?" is a question and is searched as usual.
"""
from __future__ import annotations

import re

from assistant import rules

_RULES = rules.load("small_talk")
# kind -> language -> the whole message, lowercased, punctuation and emoji turned into spaces
PATTERNS: dict[str, dict[str, str]] = {
    kind: {language: rules.expand(pattern, _RULES["parts"]) for language, pattern in by_language.items()}
    for kind, by_language in _RULES["patterns"].items()}
_COMPILED = {kind: {language: re.compile(pattern) for language, pattern in by_language.items()}
             for kind, by_language in PATTERNS.items()}
_ORDER: tuple[str, ...] = tuple(_RULES["order"])
# A greeting or thanks before a question ("Thanks! And NAMAC?"): left out of the search, so that
# follow-up rules see the question itself; before small talk ("Hello, who are you?"), the small talk counts.
_PLEASANTRY = _RULES["parts"]["pleasantry"]
_LEADING_PLEASANTRY = re.compile(rf"^\W*(?:{_PLEASANTRY}(?:\s+{_PLEASANTRY})*\s*[,!.:;—–-]+\s*)+", re.IGNORECASE)
_LEADING_PLEASANTRY_WORDS = re.compile(rf"^{_PLEASANTRY}\s+")  # in a normalized message: no punctuation left

def without_pleasantries(message: str) -> str:
    """The question after a leading "Hi," or "Thanks!"; the message itself when nothing else is left."""
    rest = _LEADING_PLEASANTRY.sub("", message)
    return rest if rest.strip() else message


def normalized(message: str) -> str:
    """Lowercase words, apostrophes kept ("ça va", "wie geht's"); punctuation and emoji are spaces."""
    return " ".join(re.sub(r"[^\w']+", " ", message.lower().replace("’", "'")).split())


def small_talk(message: str) -> tuple[str, str] | None:
    """(kind, language) when the whole message is small talk, e.g. ("greeting", "fr") for "Bonjour !"."""
    text = normalized(message)
    if not text or len(text) > 80:
        return None
    return _whole_match(text) or _whole_match(_LEADING_PLEASANTRY_WORDS.sub("", text))


def _whole_match(text: str) -> tuple[str, str] | None:
    for kind in _ORDER:
        for language, pattern in _COMPILED[kind].items():
            if pattern.fullmatch(text):
                return kind, language
    return None
