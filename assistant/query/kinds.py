"""What a question asks for: its kind (a year, a count, a place, an aim...) from its question words,
and the pattern of the answer that kind expects."""
from __future__ import annotations

import re
from functools import lru_cache

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


YEAR = (r"\b(?:(?:1\d|20)\d\d(?:s\b)?|\d{1,2}(?:st|nd|rd|th) century|"
        rf"(?:{MONTHS})(?: \d{{1,2}})?|\d[\d,.]* (?:million |billion |thousand )?years ago)\b")


NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                "dozens?|hundreds?|thousands?|millions?|billions?|once|twice|thrice")


NUMBER_PHRASE = (r"\b(?:more than |approximately |about |over |some |nearly |almost )?"
                 rf"(?:(?!(?:1[89]|20)\d\d\b)\d+(?:[,.:]\d+)*|(?i:{NUMBER_WORDS})\b)(?: [^\W\d]+){{0,2}}")


PLACE = r"(?<=[a-z,] )[A-Z][\w'’-]+(?:(?:,| and)? [A-Z][\w'’-]+)*"


PURPOSE = r"\b(?:objective|aim|goal|purpose|in order to|so that|so as to|because|in return)\b"


# An aim stated, with what it is ("The objective is to market the cashmere", "Its missions ... revolve
# around helping", "aims to"): the answer to "what is the goal?", whatever word the visitor uses.
AIM = (r"\b(?:(?:objectives?|aims?|goals?|purposes?|missions?)\b(?:,? [\w-]+,?){0,2} "
       r"(?:is|are|was|were|revolves? around|consists? (?:of|in))|(?:aims?|seeks?|strives?) to|in order to)"
       r"(?: [\w’'-]+){1,3}")


# Another name given: "also known as X", "officially called X", "rotors (rotating discs)", "rotors or discs".
ALIAS = (r"\b(?:(?:also|officially|commonly|often|sometimes|usually|formally|better|now|originally|widely) )?"
         r"(?:known|referred to|called|named|termed|dubbed|nicknamed) (?:as )?[\w'’-]+(?: [\w'’-]+){0,2}|"
         r"\((?:or |also |i\.e\. )?[^)]{2,40}\)|\b(?:or|aka|i\.e\.) [\w'’-]+")


CURRENCY = r"[$€£¥₮]|\b(?:euros?|dollars?|pounds?|yen|tugriks?|t[öo]gr[öo]gs?|төгрөг|USD|EUR|MNT)\b"


PRICE = rf"(?:{CURRENCY})\s?\d|\d[\d,.]*\s?(?:{CURRENCY})"


EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"


PHONE = r"\+?\d[\d ().-]{6,}\d"


# An office named in the quote: who holds it is then likely named beside it ("X, president of Y").
ROLE = (r"(?i)\b(?:ceo|chief executive|president\w*|direct(?:or|ors|ress|ed by)|chair\w*|"
        r"manag(?:er|ers|ing director)|secretar(?:y|ies)|coordinat(?:or|ors|ed by)|spokes\w+|treasurer|"
        r"found(?:er|ers|ed by)|head(?:ed by| of))\b")


STREET_ADDRESS = (r"\b(?:street|st\.|road|avenue|boulevard|lane|square|rue|chemin|calle|avenida|stra(?:ss|ß)e|"
                  r"гудамж|хороо|P\.? ?O\.? Box|BP)\b")


# Question words by the kind of answer they ask for, in the five supported languages.
KIND_WORDS = {
    "year": "what year|which year|en quelle année|in welchem jahr|en qué año|хэдэн онд|аль онд",
    "when": "when|since when|quand|depuis quand|wann|seit wann|cuándo|cuando|хэзээ",
    "count": ("how many|how much|how large|how big|number of|combien|wie viele|wie viel|anzahl|cuántos|cuántas|"
              "cuantos|cuantas|хэдэн|хэд|хичнээн"),
    "where": r"where|which region|which regions|which country|où|wo|dónde|donde|хаана|аль (?:аймаг|аймг|бүс)\w*",
    "why": "why|pourquoi|warum|por qué|яагаад",
    "purpose": (r"what (?:is|are|was|were) (?:the |its |their |your |our )?(?:[\w'’]+ ){0,4}?"
                r"(?:objectives?|aims?|goals?|purposes?|missions?)|what for|"
                r"what (?:does|do|did|is|are) (?:[\w'’]+ ){0,4}?(?:wants?|aim(?:s|ing)?|seek(?:s|ing)?|"
                r"try|tries|trying|hop(?:e|es|ing)|intend(?:s|ing)?) to (?:achieve|do|accomplish)|"
                r"quel(?:le)?s? (?:est|sont) (?:le but|l'objectif|les objectifs|la mission|les missions)|"
                r"à quoi sert|was (?:ist|sind) (?:das ziel|die ziele|der zweck|die mission)|welche ziele|"
                r"cu[aá]l(?:es)? (?:es|son) (?:el objetivo|los objetivos|la meta|la misi[oó]n|el prop[oó]sito)|"
                r"зорилго"),
    # another name for something: asked for anywhere ("What is the bad air theory officially known as?")
    "alias": (r"(?:another|other|different|alternative|official|common|popular|full) (?:term|name|word|"
              r"way of referring|title|designation)s?|nickname|(?:also|officially|commonly|often|sometimes|"
              r"usually|formally|better|now|originally) (?:known|referred to|called|named|termed) as|"
              r"(?:known|referred to) as\b|what (?:is|was|are|were) (?:[\w'’-]+ ){1,6}?(?:called|named|termed)\b|"
              r"(?:aussi|également|autrement) (?:appel[ée]e?s?|nomm[ée]e?s?)|connue? sous le nom|"
              r"auch genannt|bekannt als|tambi[ée]n llamad[oa]s?|conocid[oa]s? como"),
    "price": (r"how much (?:\w+ ){0,6}?(?:costs?|earns?|earned|paid)\b|"
              r"what (?:does|do|did|would|will) (?:\w+ ){0,6}?cost|what is the price|what are the prices|"
              r"combien co[uû]te(?:nt)?|quel est le prix|quels sont les prix|cu[aá]nto cuestan?|wie ?viel kostet|"
              r"was kostet|хэдэн төгрөг|ямар үнэтэй|"
              r"үнэ нь хэд"),
    "role": (r"who(?:'s| is| was| are| were) (?:the |its |their |your |our )?(?:[\w'’]+ ){0,3}?"
             r"(?:ceo|chief executive|president|director|chair\w*|manager|secretary|coordinator|spokes\w+|"
             r"treasurer|founder|head)|"
             r"qui (?:est|sont|était|a été) (?:le |la |les |l')(?:\w+ ){0,2}?(?:pdg|président\w*|directeur|"
             r"directrice|responsable|fondat\w+|secrétaire|coordinat\w+|porte-parole|trésori\w+)|"
             r"qui[eé]n(?:es)? (?:es|son|era|fue) (?:el |la |los |las )(?:\w+ ){0,2}?(?:presidente\w*|"
             r"director\w*|fundador\w*|secretari\w+|coordinador\w*|portavoz|tesorer\w+|gerente|jefe)|"
             r"wer (?:ist|war|sind) (?:der |die |das )(?:\w+ ){0,2}?(?:präsident\w*|direktor\w*|"
             r"geschäftsführer\w*|vorsitzend\w*|gründer\w*|leiter\w*|sekretär\w*|sprecher\w*)|"
             r"ерөнхийлөгч|гүйцэтгэх захирал|захирал|дарга|үүсгэн байгуулагч"),
    # contact details: asked for anywhere in the question ("What is the street address of ...")
    "email": r"e-?mail|courriel|correo electr[oó]nico|имэйл|и-мэйл",
    "phone": r"phone|telephone|t[ée]l[ée]phone|tel[eé]fono|telefon(?:nummer)?|утасны дугаар",
    # Spanish "dirección" alone is also a direction
    "address": (r"(?:street|postal|mailing|office) address|address of|adresse|anschrift|хаяг|"
                r"direcci[oó]n (?:postal|de la oficina)|cu[aá]l es (?:la|su) direcci[oó]n"),
}


MAX_WORDS_BEFORE_QUESTION_WORD = 2  # "In what year ...", "And how many ..."


ANYWHERE_KINDS = {"email", "phone", "address", "alias"}


ANSWER_PATTERNS = {"year": YEAR, "when": YEAR, "count": NUMBER_PHRASE, "where": PLACE, "why": PURPOSE, "purpose": AIM,
                   "alias": ALIAS, "price": PRICE, "email": EMAIL, "phone": PHONE,
                   "address": STREET_ADDRESS, "role": ROLE}


# Answers we can recognise: bolded, and they steer the quote.
TYPED_KINDS = {"year", "when", "count", "price", "email", "phone", "address"}


# A quote without such an answer is declined ("when" can be a clause): on-topic questions the texts
# cannot answer ("How much does a sweater cost?", "What is your phone number?", "Who is the CEO?")
# are not met with a loosely related sentence. A role is required but not bolded: the answer is the
# name beside it.
STRICT_KINDS = TYPED_KINDS - {"when"} | {"role"}


@lru_cache(maxsize=1024)  # asked once per candidate sentence, and again to quote and to bold
def question_kind(question: str) -> str | None:
    """What the question asks for, from its question word: the earliest (then longest) one found
    among its first words ("How many seconds were left when..." asks for a count, "What was the
    tribe ... when he was 16?" for no date); anywhere in Cyrillic questions, whose question word
    comes late ("NAMAC хэдэн онд ..."), and for contact details or another name ("What is the email
    of ...", "What is the bad air theory officially known as?")."""
    folded = question.lower()
    cyrillic = any("\u0400" <= char <= "\u04ff" for char in folded)
    found = []
    for kind, question_words in KIND_WORDS.items():
        for match in re.finditer(rf"\b(?:{question_words})\b", folded):
            if (cyrillic or kind in ANYWHERE_KINDS
                    or len(folded[:match.start()].split()) <= MAX_WORDS_BEFORE_QUESTION_WORD):
                found.append((match.start(), -len(match.group(0)), kind))
    return min(found)[2] if found else None


def without_question_words(question: str) -> str:
    """What the question asks about: the question without the words that ask ("how big", "when")."""
    kind = question_kind(question)
    return re.sub(rf"\b(?:{KIND_WORDS[kind]})\b", " ", question.lower()) if kind else question


def expected_answer(question: str) -> str | None:
    """The pattern of a dated, counted, priced or contact answer ("when", "how many", "what
    does it cost", "email"), or None."""
    kind = question_kind(question)
    return ANSWER_PATTERNS[kind] if kind in TYPED_KINDS else None

