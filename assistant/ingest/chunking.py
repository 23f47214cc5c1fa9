"""Documents -> sentence-aligned chunks that carry their heading path.

A chunk never crosses a section, so "Our partners > AVSF" describes all of it,
and it keeps each sentence's offsets in the document text, so an answer can
quote one sentence exactly.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from assistant.ingest.documents import Block, Document

MAX_CHUNK_WORDS = 120
# A sentence this short is a fragment of the one before ("Respectful of man, animal and their
# environment." describes the industry the sentence before created). Read alone, it matched many
# questions loosely; it is embedded, read and quoted with that sentence (docs/rules.md).
FRAGMENT_WORDS = 7
CHUNKING_PARAMS = {"max_words": MAX_CHUNK_WORDS, "splitter": "regex-v2", "context": "section+leaning-v3",
                   "fragment_words": FRAGMENT_WORDS}

# Short forms that a name or a number always follows ("Rev. Paul", "Jones et al. 1998"): never a sentence end.
ABBREVIATIONS = {"e.g", "i.e", "mr", "mrs", "ms", "dr", "prof", "st", "no", "vs", "approx", "fig", "rev", "gen",
                 "sen", "gov", "lt", "col", "capt", "sgt", "mt", "ft", "al", "ca", "vol", "pp",
                 "jan", "feb", "aug", "sept", "oct", "nov", "dec"}
# Short forms that may also close a sentence ("... Ltd. The union"), like initialisms ("U.N.", "D.C."):
# they end one only when the next word is one that starts sentences.
MAY_END_SENTENCE = {"etc", "inc", "ltd", "co", "corp", "jr", "sr", "bros"}
INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]$")
SENTENCE_STARTERS = frozenset(
    "The A An In On At It Its This These Those He She They We I There Here However But And Yet So After Before "
    "When While During Since Following Later Then Thus Meanwhile Although Today".split())
NEXT_WORD = re.compile(r"\s*([\w']+)")
SENTENCE_END = re.compile(r"[.!?…。]+[\"'”’»)\]]*(?=\s+|$)")
WORD_BEFORE = re.compile(r"([\w.]+)$")
WORD_WINDOW = 32  # longer than any abbreviation
NEXT_CHARACTER = re.compile(r"\s*(\S)")


LEANING_START = re.compile(
    r"^(it|its|they|their|them|this|these|those|that|he|she|his|her|in return|there|such|both|"
    r"the latter|the former|[\w\s]{0,40}\bamong them)\b", re.I)


@dataclass
class Sentence:
    start: int  # offset in the document text
    end: int
    text: str
    leans_on: str = ""  # the previous sentence, when this one only makes sense after it

    @property
    def context(self) -> str:
        return f"{self.leans_on} {self.text}" if self.leans_on else self.text


@dataclass
class Chunk:
    id: int
    path: str
    title: str
    section: str  # heading path, "Our partners > AVSF"
    text: str
    sentences: list[Sentence]
    source: str | None = None
    language: str = "en"
    aligned: int = -1  # in a translation: the original's chunk whose section this one translates

    @property
    def context_text(self) -> str:
        """What is embedded and indexed: the heading path gives the passage its topic."""
        return f"{self.section}\n{self.text}"

    def sentence_context(self, index: int) -> str:
        """A sentence as embedded: with its heading, and the sentence it leans on ("It now forms...")."""
        return f"{self.section}\n{self.sentences[index].context}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        sentences = [Sentence(**s) for s in data["sentences"]]
        return cls(**{**data, "sentences": sentences})


def split_sentences(text: str, base: int = 0) -> list[Sentence]:
    """Regex sentence split that leaves abbreviations and decimals alone."""
    sentences: list[Sentence] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        end = match.end()
        if _is_abbreviation(text, match.start()) or _continues_lowercase(text, end):
            continue
        _append_sentence(sentences, text, start, end, base)
        start = end
    _append_sentence(sentences, text, start, len(text), base)
    return sentences


def _is_abbreviation(text: str, dot: int) -> bool:
    """The dot closes a short form, not the sentence ("U.N. Secretary General", "Paul T. Stallsworth").
    The word before it is looked for in a short window: searching the whole text before each dot
    made splitting quadratic in the document's length (a longer word is no abbreviation)."""
    if text[dot] != ".":
        return False
    found = WORD_BEFORE.search(text, max(0, dot - WORD_WINDOW), dot)
    if not found:
        return False
    word = found.group(1)
    if word.lower() in ABBREVIATIONS or len(word) == 1:
        return True
    if word.lower() in MAY_END_SENTENCE or INITIALISM.search(word):
        following = NEXT_WORD.match(text, dot + 1)
        return not (following and following.group(1) in SENTENCE_STARTERS)
    return False


def _continues_lowercase(text: str, end: int) -> bool:
    """"customers… who ensure": a lowercase word after the mark goes on the sentence."""
    following = NEXT_CHARACTER.match(text, end)
    return following is not None and following.group(1).islower()


def _append_sentence(sentences: list[Sentence], text: str, start: int, end: int, base: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        offset = start + piece.index(stripped)
        sentences.append(Sentence(base + offset, base + offset + len(stripped), stripped))


def chunk_document(document: Document, first_id: int = 0) -> list[Chunk]:
    """Pack each section's sentences into chunks of at most MAX_CHUNK_WORDS words."""
    chunks: list[Chunk] = []
    for section, blocks in _sections(document):
        sentences = [s for block in blocks for s in split_sentences(block.text, block.start)]
        _link_leaning(sentences)
        for group in _pack(sentences):
            chunks.append(Chunk(
                id=first_id + len(chunks),
                path=document.path,
                title=document.title,
                section=section,
                text=document.text[group[0].start:group[-1].end],
                sentences=group,
                source=document.source,
                language=document.language,
            ))
    return chunks


def chunk_documents(documents: list[Document]) -> list[Chunk]:
    chunks: list[Chunk] = []
    for document in documents:
        chunks.extend(chunk_document(document, first_id=len(chunks)))
    return chunks


def _sections(document: Document) -> list[tuple[str, list[Block]]]:
    """Group paragraphs under their heading path, the document title first."""
    sections: list[tuple[str, list[Block]]] = []
    headings: list[tuple[int, str]] = []
    for block in document.blocks:
        if block.kind == "heading":
            headings = [(lvl, text) for lvl, text in headings if lvl < block.level]
            headings.append((block.level, block.text))
            continue
        names = [document.title] + [text for _, text in headings if text != document.title]
        path = " > ".join(names)
        if sections and sections[-1][0] == path:
            sections[-1][1].append(block)
        else:
            sections.append((path, [block]))
    return sections


def leans_on_previous(sentence: str) -> bool:
    """Whether the sentence only makes sense after the one before it: it starts by pointing back
    ("It now forms...") or is a fragment."""
    return bool(LEANING_START.match(sentence)) or len(sentence.split()) <= FRAGMENT_WORDS


def _link_leaning(sentences: list[Sentence]) -> None:
    for previous, sentence in zip(sentences, sentences[1:]):
        if leans_on_previous(sentence.text):
            sentence.leans_on = previous.text


def _pack(sentences: list[Sentence]) -> list[list[Sentence]]:
    groups: list[list[Sentence]] = []
    words = 0
    for sentence in sentences:
        count = len(sentence.text.split())
        if groups and words + count <= MAX_CHUNK_WORDS:
            groups[-1].append(sentence)
            words += count
        else:
            groups.append([sentence])
            words = count
    return groups
