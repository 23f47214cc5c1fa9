"""Replies and their sources as the Markdown the chat and the staff console show.

One home for the shared pieces: a source's label, its citation, the numbered
sources block and `shorten`. Corpus and visitor text is always escaped; only
plain web links become clickable.
"""
from __future__ import annotations

from typing import Any

from assistant.answer.messages import CITATION, in_language
from assistant.text import escape_markdown, safe_url
from assistant.types import Reply, Source

PASSAGE_CHARS = 400


def shorten(text: str, limit: int = PASSAGE_CHARS) -> str:
    """The text on one line, cut at a word before `limit` characters (with " …" when cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def source_label(source: Source) -> str:
    """The heading path ("Our partners > AVSF"), led by the title when the path lacks it."""
    section, title = source.section or "", source.title or ""
    if not section:
        return title or source.path
    return section if not title or section.startswith(title) else f"{title} > {section}"


def logged_source_label(source: dict[str, Any]) -> str:
    """`source_label` of a source as the chat log keeps it (a dict)."""
    return source_label(Source(source.get("title", ""), source.get("section", ""), "",
                               source.get("path") or source.get("document", ""), 0.0))


def linked_label(source: Source) -> str:
    """The source's label as text, linked to its page when the URL is a plain web link."""
    label = escape_markdown(source_label(source))
    url = safe_url(source.url)
    return f"[{label}]({url})" if url else label


def answer_markdown(reply: Reply) -> str:
    """The core's Markdown (already escaped corpus text) plus the citation line when answered."""
    if reply.answered and reply.sources:
        citation = in_language(CITATION, reply.language).format(source=linked_label(reply.sources[0]))
        return f"{reply.text}\n\n{citation}"
    return reply.text


def sources_markdown(sources: list[Source]) -> str:
    """One numbered entry per passage: its section (linked), then the whole passage. No score: the
    retrieval's are relative to the best passage (the first is always 1.00), which tells a visitor nothing."""
    return "\n\n".join(
        f"{number}. **{linked_label(source)}**\n\n    > {escape_markdown(' '.join(source.text.split()))}"
        for number, source in enumerate(sources, start=1))
