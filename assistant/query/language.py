"""Cheap offline language detection: the script, then frequent words (rules/language.toml).

Only the visitor-facing texts around a quote are translated (rules/messages.toml); the quote stays
in the corpus language, so nothing is machine-translated or invented.
"""
from __future__ import annotations

import re

from assistant import rules
from assistant.text import fold

_HINTS = rules.load("language")
STOPWORDS: dict[str, list[str]] = {language: words.split() for language, words in _HINTS["stopwords"].items()}
MONGOLIAN_LETTERS = set(_HINTS["mongolian"]["letters"])
MONGOLIAN_WORDS = set(_HINTS["mongolian"]["words"].split())

def detect_language(text: str) -> str:
    """Return "en", "fr", "de", "es", "mn", "it", "pt", "ru", "zh", or "other" for other scripts."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters)
    if cyrillic > len(letters) / 2:
        return "mn" if _looks_mongolian(text) else "ru"
    latin = sum(c.isascii() or "\u00c0" <= c <= "\u024f" for c in letters)
    if latin < len(letters) / 2:
        return "zh" if _looks_chinese(letters) else "other"
    return _latin_language(text)


def _looks_mongolian(text: str) -> bool:
    words = set(re.findall(r"\w+", text.lower()))
    return bool(MONGOLIAN_LETTERS & set(text)) or bool(words & MONGOLIAN_WORDS)


def _looks_chinese(letters: list[str]) -> bool:
    """Mostly Han characters and no Japanese kana."""
    han = sum("\u4e00" <= c <= "\u9fff" for c in letters)
    kana = any("\u3040" <= c <= "\u30ff" for c in letters)
    return han > len(letters) / 2 and not kana


def _latin_language(text: str) -> str:
    words = re.findall(r"[\w']+", text.lower())
    folded = [fold(w) for w in words]
    best, best_count = "en", 0
    for language, stopwords in STOPWORDS.items():
        known = set(stopwords) | {fold(w) for w in stopwords}
        count = sum(w in known or f in known for w, f in zip(words, folded))
        if count > best_count:
            best, best_count = language, count
    if "ß" in text or any(c in text for c in "äöü"):
        return "de" if best in ("en", "de") else best
    if any(c in text for c in "ñ¿¡"):
        return "es"
    return best
