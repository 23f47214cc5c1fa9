"""The union's own vocabulary in Mongolian, and in the English words visitors use for it.

French, German and Spanish questions share spellings with the English texts ("coopératives",
"Familien"), which BM25 and the answer-fit cognate rule pick up, but not the words for the union's
aim ("objectif", "Ziel"). Mongolian, in Cyrillic, shares none, so only the multilingual model
carried a Mongolian question; and visitors say "herders" or "the union" where the texts say
"breeders" or "the network". The English words the texts use are added to the question as searched
(by BM25, the dense models and the answer fit): a glossary of a few dozen terms, not a
translation, and the reply still quotes the corpus verbatim.
"""
from __future__ import annotations

import re

from assistant import rules

# language -> [(a visitor's word or its beginning, the texts' English words)], in the file's order
GLOSSARY: dict[str, list[tuple[str, str]]] = {language: list(entries.items())
                                              for language, entries in rules.load("glossary").items()}

def english_terms(question: str, language: str) -> list[str]:
    """The glossary's English words for the terms the question uses; a longer term is matched
    before the shorter one it contains ("өөрчлөн байгуул", reorganized, before "байгуул")."""
    folded = question.lower()
    found: list[str] = []
    for start, english in sorted(GLOSSARY.get(language, []), key=lambda entry: -len(entry[0])):
        pattern = rf"(?<!\w){re.escape(start)}\w*"
        if re.search(pattern, folded):
            folded = re.sub(pattern, " ", folded)
            if english not in found:
                found.append(english)
    return found


def with_english_terms(question: str, language: str) -> str:
    """The question as it is searched and matched: followed by the texts' words for its terms."""
    return " ".join([question, *english_terms(question, language)])
