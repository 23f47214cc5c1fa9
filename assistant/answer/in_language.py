"""The quote in the visitor's own language, when the union's texts hold a translation of it.

The search and the choice of the sentence stay on the original texts (assistant.ingest.translations
says why); only the sentence quoted and the passage cited are swapped for their translation.
"""
from __future__ import annotations

from assistant.ingest.store import Index
from assistant.types import Candidate, Source, Trace


def in_visitor_language(index: Index, quoted: list[str], best: Candidate, language: str,
                        sources: list[Source], trace: Trace) -> tuple[list[str], list[Source], str]:
    """The quote, the sources (the quoted passage first) and the quote's language: translated when
    every quoted sentence has a translation in `language` (the trace then names it for staff), as
    they were otherwise."""
    if best.chunk.language == language:
        return quoted, sources, language
    found = index.translations.quote_in(language, best.chunk.path, quoted)
    if found is None:
        return quoted, sources, best.chunk.language
    sentences, chunk = found
    cited = Source(chunk.title, chunk.section, chunk.text, chunk.path, 1.0, chunk.source)
    trace["translated"] = chunk.path
    others = [source for source in sources if source.chunk_id != best.chunk.id]
    return sentences, [cited, *others], language
