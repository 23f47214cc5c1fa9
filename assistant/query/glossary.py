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

# Word beginnings (Mongolian inflects by suffixes: хоршоо, хоршоод, хоршоодын) -> English words.
# English: the short forms and everyday words visitors type for the texts' words ("co-op", "sell" for
# "market", "work with" for "collaboration"). The union is the network the texts describe ("670
# families ... united under Sustainable Cashmere Union"), so "the union's" or "your" cooperatives and
# herders are the network's, and its members are those families. The union's goal, aim or mission
# (what it is "trying to" do or wants "to achieve") is the texts' "objective"; the dangers, threats
# and risks to the grasslands are its "aggressions" (overgrazing, dzud, mining). French, German and
# Spanish: the union and its aim.
GLOSSARY = {
    "en": [("co-op", "cooperatives"), ("union", "network"), ("your", "network"),
           ("herder", "breeders"), ("sell", "market"), ("province", "regions"), ("goal", "objective"),
           ("aim", "objective"), ("purpose", "objective"), ("mission", "objective"), ("to achieve", "objective"),
           ("trying to", "objective"), ("member", "families"), ("danger", "aggressions"),
           ("threat", "aggressions"), ("risk", "aggressions"), ("work with", "collaboration"),
           ("works with", "collaboration"), ("working with", "collaboration")],
    "fr": [("union", "network"), ("objectif", "objective"), ("le but", "objective"), ("mission", "objective")],
    "de": [("union", "network"), ("ziel", "objective"), ("zweck", "objective"), ("mission", "objective")],
    "es": [("unión", "network"), ("union", "network"), ("objetivo", "objective"), ("misión", "objective"),
           ("propósito", "objective")],
    "mn": [
        ("хорш", "cooperatives"), ("гэр бүл", "families"), ("өрх", "households"), ("малчин", "herders breeders"),
        ("ноолуур", "cashmere"), ("сүлжээ", "network"), ("гишүүн", "members"), ("аймаг", "regions"),
        ("аймг", "regions"), ("ямаа", "goats"), ("холбоо", "union association"), ("түнш", "partners"),
        ("өөрчлөн байгуул", "reorganized"), ("байгуул", "founded created"), ("дээд зөвлөл", "Supreme Council"),
        ("хөдөө аж ахуй", "agricultural"), ("салбар", "industry"), ("тогтвортой", "sustainable"),
        ("хүн", "people"), ("төрийн бус", "non-governmental"), ("франц", "French"), ("зорилго", "objective"),
        ("дэмж", "support"), ("зах зээл", "market"), ("байрла", "located"),
    ],
}


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
