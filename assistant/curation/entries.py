"""One curated answer: its questions, its text and the source it rests on, checked before it is saved."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from assistant import settings
from assistant.text import clean_question, folded_words
from assistant.types import Source

MAX_ANSWER_CHARS = 2000


class CurationError(ValueError):
    """A curated answer that cannot be saved (empty question, missing source...)."""


@dataclass
class Curated:
    id: int
    kind: str  # "passage" (a pinned corpus passage, quoted verbatim) or "written" (staff's own words)
    questions: list[str]  # the question first, then paraphrases or translations staff added
    text: str
    source_title: str = ""
    source_section: str = ""
    source_path: str = ""
    source_url: str | None = None
    source_text: str = ""
    turn_id: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def question(self) -> str:
        return self.questions[0] if self.questions else ""

    def source(self) -> Source:
        return Source(self.source_title, self.source_section, self.source_text or self.text,
                      self.source_path, 1.0, self.source_url, -1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def source_fields(source: Source | dict[str, Any]) -> dict[str, Any]:
    """A Source (or the log's / API's dict form of one) -> the stored source columns."""
    data = asdict(source) if isinstance(source, Source) else dict(source)
    return {
        "source_title": str(data.get("title") or ""),
        "source_section": str(data.get("section") or ""),
        "source_path": str(data.get("path") or data.get("document") or ""),
        "source_url": data.get("url") or None,
        "source_text": str(data.get("text") or ""),
    }


def clean_questions(questions: str | list[str]) -> list[str]:
    """One question per line (or a list); blanks and repeats dropped; at least one."""
    items = questions.splitlines() if isinstance(questions, str) else list(questions)
    cleaned: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = clean_question(str(item))[:settings.MAX_QUESTION_CHARS]
        if text and folded_words(text) not in seen and any(char.isalnum() for char in text):
            seen.add(folded_words(text))
            cleaned.append(text)
    if not cleaned:
        raise CurationError("A curated answer needs a question.")
    return cleaned


def answer_text(text: str) -> str:
    """The answer's text, trimmed; refused when empty or too long."""
    text = (text or "").strip()
    if not text:
        raise CurationError("The answer is empty.")
    if len(text) > MAX_ANSWER_CHARS:
        raise CurationError(f"The answer is too long ({len(text)} characters; at most {MAX_ANSWER_CHARS}).")
    return text
