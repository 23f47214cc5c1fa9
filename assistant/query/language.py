"""Cheap offline language detection (script + stopwords) and the few fixed phrases per language.

Only the visitor-facing wrappers are translated; the quoted answer stays in
the corpus language, so nothing is machine-translated or invented.
"""
from __future__ import annotations

import re

from assistant.models.lexical import fold

STOPWORDS = {
    "en": "the is are was were what when where who how many much which does did of and to in a an about".split(),
    "fr": "le la les est sont quand quel quelle quels combien qui que quoi ou des une un du de et en au aux "
          "pourquoi comment c'est qu'est ce ont été fondée fondé".split(),
    "de": "der die das ist sind wann wer wie viele was welche welcher wo und ein eine von mit den dem des "
          "wurde gegründet für auf bedeutet heißt bedeutung".split(),
    "es": "el la los las es son cuando cuándo quien quién como cómo cuantos cuántos cuántas que qué donde "
          "dónde y de del una un en por fue fundada fundó para".split(),
}
MONGOLIAN_LETTERS = set("өүӨҮ")
MONGOLIAN_WORDS = {"вэ", "бэ", "юу", "хэзээ", "хэдэн", "хаана", "ямар", "хэн", "байгуулагдсан", "нь", "гэж", "уу", "үү"}

SOURCE_NOTE = {
    "fr": "La source est en anglais ; le passage est cité tel quel.",
    "mn": "Эх сурвалж англи хэл дээр байна; тэр хэсгийг үг үсгээр нь иш татав.",
    "de": "Die Quelle ist auf Englisch; die Textstelle ist wörtlich zitiert.",
    "es": "La fuente está en inglés; el pasaje se cita textualmente.",
}


def detect_language(text: str) -> str:
    """Return "en", "fr", "de", "es", "mn", "ru", "zh", or "other" for other scripts."""
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
