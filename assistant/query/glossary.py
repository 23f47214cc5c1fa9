"""The union's own vocabulary in Mongolian, and in the English words visitors use for it.

French, German and Spanish questions share spellings with the English texts ("coopératives",
"Familien"), which BM25 and the answer-fit cognate rule pick up, but not the words for the union's
aim ("objectif", "Ziel"; Spanish questions find it without: docs/rules.md). Mongolian, in
Cyrillic, shares none, so only the multilingual model carried a Mongolian question; and visitors
say "herders" or "the union" where the texts say "breeders" or "the network". The English words the
texts use are added to the question as searched (by BM25, the dense models and the answer fit): a
glossary of a few dozen terms, not a translation, and the reply still quotes the corpus verbatim.

`SEED` is `rules/glossary.toml`: what applies with no data folder (benchmarks, the CLI eval), and
what a data folder's vocabulary starts from (`curation/vocabulary.py`, taught by staff).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from assistant import rules

Entries = Mapping[str, Iterable[tuple[str, str]]]  # language -> (a visitor's word or its beginning, English)


class Glossary:
    """One fixed set of entries; a change makes a new Glossary, so readers need no lock."""

    def __init__(self, entries: Entries) -> None:
        self.entries: dict[str, list[tuple[str, str]]] = {language: list(pairs) for language, pairs in entries.items()}
        # a longer term is matched before the shorter one it contains ("өөрчлөн байгуул", reorganized,
        # before "байгуул"); the sort is stable, so equal lengths keep their order
        self._patterns = {language: [(re.compile(rf"(?<!\w){re.escape(start)}\w*"), english)
                                     for start, english in sorted(pairs, key=lambda entry: -len(entry[0]))]
                          for language, pairs in self.entries.items()}

    def english_terms(self, question: str, language: str) -> list[str]:
        """The English words for the terms the question uses, each once."""
        folded = question.lower()
        found: list[str] = []
        for pattern, english in self._patterns.get(language, []):
            if pattern.search(folded):
                folded = pattern.sub(" ", folded)
                if english not in found:
                    found.append(english)
        return found

    def with_english_terms(self, question: str, language: str) -> str:
        """The question as it is searched and matched: followed by the texts' words for its terms."""
        return " ".join([question, *self.english_terms(question, language)])

    def current(self) -> Glossary:
        return self


class Vocabulary(Protocol):
    """What the question path reads: a fixed Glossary, or the staff's store, which follows changes."""

    def with_english_terms(self, question: str, language: str) -> str: ...

    def current(self) -> Glossary: ...


SEED = Glossary({language: entries.items() for language, entries in rules.load("glossary").items()})


def english_terms(question: str, language: str) -> list[str]:
    """The seed's English words for the question's terms (benchmarks, tests)."""
    return SEED.english_terms(question, language)


def with_english_terms(question: str, language: str) -> str:
    return SEED.with_english_terms(question, language)
