"""Translated documents, aligned to their originals: the quote a visitor reads in their own language.

A document that declares `language` and `translation_of: <the original's corpus path>` (front
matter or sidecar) is not searched: questions in every language keep finding the original's
passages, so English answers and their figures do not move. When a visitor asks in a language a
translation exists in, the quoted sentence is swapped for its aligned translated sentence, cited
from the translated document.

Sections pair by heading order when both documents have as many. When they do not (a section
missing or added), each translated section goes to the original section its text is closest to by
the multilingual model, and the translation is flagged for staff. Within paired sections, each
original sentence goes to the translated sentence closest to it by the same model, so a translator
may join or split sentences.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.ingest.chunking import Chunk, chunk_document
from assistant.ingest.documents import Document
from assistant.models.embedding import Encoder

log = logging.getLogger(__name__)

BY_ORDER = "heading order"
BY_CONTENT = "content (the section counts differ)"


@dataclass
class Translations:
    """The translated chunks of an index version, and which translated sentence renders each original one."""

    chunks: list[Chunk] = field(default_factory=list)
    # [language, original path, original sentence, translated chunk id, its sentence index, similarity]
    aligned: list[list[Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)  # one report per translation, for staff

    def __post_init__(self) -> None:
        self._lookup = {(language, path, text): (int(chunk), int(sentence))
                        for language, path, text, chunk, sentence, _ in self.aligned}

    def quote_in(self, language: str, path: str, quoted: list[str]) -> tuple[list[str], Chunk] | None:
        """The quote's sentences in `language`, and the translated chunk they come from; None when
        a quoted sentence has no translation in that language (the English quote then stays)."""
        found = [self._lookup.get((language, path, text)) for text in quoted]
        if not found or any(place is None for place in found):
            return None
        places = list(dict.fromkeys(place for place in found if place is not None))  # a joined sentence once
        sentences = [self.chunks[chunk].sentences[index].text for chunk, index in places]
        return sentences, self.chunks[places[0][0]]

    def to_json(self) -> str:
        return json.dumps({"chunks": [chunk.to_dict() for chunk in self.chunks], "aligned": self.aligned,
                           "documents": self.documents}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Translations:
        data = json.loads(text)
        return cls([Chunk.from_dict(item) for item in data["chunks"]], data["aligned"], data["documents"])


def split_translations(documents: list[Document]) -> tuple[list[Document], list[Document]]:
    """The documents searched (originals) and the translations, which are only quoted."""
    originals = [document for document in documents if not document.translation_of]
    return originals, [document for document in documents if document.translation_of]


def align_translations(translated: list[Document], chunks: list[Chunk], encoder: Encoder | None) -> Translations:
    """Chunk every translation and align it to its original's chunks (the searched `chunks`)."""
    own_chunks: list[Chunk] = []
    aligned: list[list[Any]] = []
    reports: list[dict[str, Any]] = []
    for document in translated:
        report = {"document": document.path, "language": document.language, "original": document.translation_of,
                  "sections": 0, "original_sections": 0, "aligned_by": "", "problem": ""}
        original = [chunk for chunk in chunks if chunk.path == document.translation_of]
        if not original:
            report["problem"] = f"“{document.translation_of}” is not a document of the corpus"
        elif encoder is None:
            report["problem"] = "the index has no multilingual model to align it with"
        else:
            own = chunk_document(document, first_id=len(own_chunks))
            aligned += _align_document(document, original, own, encoder, report)
            own_chunks += own
        reports.append(report)
        if report["problem"]:
            log.warning("translation %s not used: %s", document.path, report["problem"])
    return Translations(own_chunks, aligned, reports)


def _align_document(document: Document, original: list[Chunk], own: list[Chunk], encoder: Encoder,
                    report: dict[str, Any]) -> list[list[Any]]:
    """Pair the sections, record each translated chunk's original chunk, then align the sentences."""
    original_sections, own_sections = _sections(original), _sections(own)
    report.update(sections=len(own_sections), original_sections=len(original_sections))
    original_vectors = {key: _sentence_vectors(encoder, part) for key, part in original_sections.items()}
    own_vectors = {key: _sentence_vectors(encoder, part) for key, part in own_sections.items()}
    if len(own_sections) == len(original_sections):
        report["aligned_by"] = BY_ORDER
        pairs = dict(zip(own_sections, original_sections))
    else:
        report["aligned_by"] = BY_CONTENT
        pairs = {key: _closest_section(vectors, original_vectors) for key, vectors in own_vectors.items()}
    for key, original_key in pairs.items():
        for chunk, _ in own_sections[key]:
            chunk.aligned = original_sections[original_key][0][0].id
    rows = []
    for original_key, places in original_sections.items():
        mine = [key for key, paired in pairs.items() if paired == original_key]
        if not mine:
            continue  # not translated: its sentences stay in the original's language
        candidates = [place for key in mine for place in own_sections[key]]
        similarity = original_vectors[original_key] @ np.vstack([own_vectors[key] for key in mine]).T
        for (chunk, index), row in zip(places, similarity):
            best = int(np.argmax(row))
            rows.append([document.language, chunk.path, chunk.sentences[index].text,
                         candidates[best][0].id, candidates[best][1], round(float(row[best]), 4)])
    return rows


def _sections(chunks: list[Chunk]) -> dict[str, list[tuple[Chunk, int]]]:
    """Each section's sentences (chunk, index) in document order; a dict keeps the sections' order."""
    sections: dict[str, list[tuple[Chunk, int]]] = {}
    for chunk in chunks:
        sections.setdefault(chunk.section, []).extend((chunk, index) for index in range(len(chunk.sentences)))
    return sections


def _sentence_vectors(encoder: Encoder, places: list[tuple[Chunk, int]]) -> np.ndarray:
    """The sentences alone, without heading or neighbour: a section's heading would make them all alike."""
    return encoder.encode_passages([chunk.sentences[index].text for chunk, index in places])


def _closest_section(vectors: np.ndarray, original_vectors: dict[str, np.ndarray]) -> str:
    """The original section whose sentences are closest on average to these translated ones."""
    return max(original_vectors, key=lambda key: float((vectors @ original_vectors[key].T).max(axis=1).mean()))
