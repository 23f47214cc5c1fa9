"""Follow-up questions -> self-contained search queries.

"When was it reorganized?" after "Tell me about NAMAC" means NAMAC. An
elliptical question (a pronoun, "and ...?", "what about ...", or almost no
words of its own) is searched together with the previous question and the
previous answer; a self-contained question is left alone, so it is never
dragged back to the previous topic.
"""
from __future__ import annotations

import re

from .lexical import words

ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|his|her|"
    r"the same|the union|the ngo|the association|the organi[sz]ation|"
    r"il|elle|ils|elles|son|sa|ses|leur|leurs|cette|cet|ce|"
    r"er|sie|es|ihr|ihre|sein|seine|dieser|diese|dieses|"
    r"él|ella|ellos|ellas|su|sus|esta|este|"
    r"энэ|тэр|түүний|тэд|тэдний)\b", re.I)
CONTINUATION = re.compile(r"^\s*(and|also|what about|how about|et|und|y|e|а|бас)\b", re.I)
CONTEXT_WORDS = 40


ACRONYM = re.compile(r"\b[A-ZА-ЯЁӨҮ]{3,}\b")


def needs_context(question: str) -> bool:
    """Elliptical questions need the previous turn; one naming its own topic (an acronym) does not."""
    if CONTINUATION.search(question) or len(words(question)) <= 1:
        return True
    return bool(ANAPHORA.search(question)) and not ACRONYM.search(question)


def rewrite(question: str, history: list[dict]) -> str:
    """The query to search: the question, plus the previous turn when the question leans on it."""
    previous_question = _last(history, "user")
    if not previous_question or not needs_context(question):
        return question
    previous_answer = _last(history, "assistant") or ""
    context = " ".join(f"{previous_question} {_plain(previous_answer)}".split()[:CONTEXT_WORDS])
    return f"{question} ({context})"


def _last(history: list[dict], role: str) -> str | None:
    for message in reversed(history or []):
        if isinstance(message, dict) and message.get("role") == role and isinstance(message.get("content"), str):
            return message["content"]
    return None


def _plain(answer: str) -> str:
    """The quote of a previous reply, without Markdown marks or the language note."""
    first_paragraph = answer.strip().split("\n\n")[0]
    return re.sub(r"[*_“”\\]", "", first_paragraph)
