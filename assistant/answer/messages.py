"""The fixed texts visitors see around the quotes, per language (English fallback)."""
from __future__ import annotations

from typing import TypeVar

from assistant import rules

T = TypeVar("T")

_TEXTS = rules.load("messages")
EXAMPLES: dict[str, list[str]] = _TEXTS["examples"]
DECLINE: dict[str, str] = _TEXTS["decline"]
SMALL_TALK: dict[str, dict[str, str]] = _TEXTS["small_talk"]  # greetings, thanks and "who are you?" end with examples
NOTHING_MORE: dict[str, str] = _TEXTS["nothing_more"]  # "tell me more" when the previous quote ends its section
UNSURE: dict[str, str] = _TEXTS["unsure"]  # before a quote the reader is not sure answers
SOURCE_NOTE: dict[str, str] = _TEXTS["source_note"]  # after an English quote given to a question in another language
CHECKED_BY_STAFF: dict[str, str] = _TEXTS["checked_by_staff"]  # under a curated answer
CITATION: dict[str, str] = _TEXTS["citation"]  # {source}: the linked section, under a quote
SOURCES_TITLE: dict[str, str] = _TEXTS["sources_title"]  # {count}: the passages behind an answer
NAME_IT: str = _TEXTS["name_it"]
EMPTY: str = _TEXTS["empty"]
TOO_LONG: dict[str, str] = _TEXTS["too_long"]  # {length}, {limit}: in the question's language

def in_language(texts: dict[str, T], language: str) -> T:
    """The visitor's language's version, or the English one."""
    return texts.get(language, texts["en"])


def examples_for(language: str, count: int = 3) -> list[str]:
    return in_language(EXAMPLES, language)[:count]


def with_examples(lead: str, examples: list[str]) -> str:
    """The lead, then the examples as a Markdown list."""
    return lead + "\n" + "\n".join(f"- {example}" for example in examples)


_CHAT: dict[str, str] = _TEXTS["chat"]  # the visitor chat page's own texts
CHAT_TITLE = _CHAT["title"]
NO_FILES = _CHAT["no_files"]
API_DESCRIPTION = _CHAT["api_description"]
