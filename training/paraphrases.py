"""Questions put in other words, for training: visitors rarely reuse the text's own words.

SQuAD's questions mostly borrow the words of the sentence that answers them, so a reader trained
on them alone scores "How old is AVSF?" low against "AVSF was founded in 1977". Here a share of
the training questions is reworded: a word the answering sentence shares with the question is
swapped for a common synonym (the same inflection), and a few question forms are put the way
people ask them ("When was X founded?" -> "How old is X?"). The table is general English, not
the union's vocabulary (that is the glossary's job at run time).
"""
from __future__ import annotations

import random
import re

# Each line: words of one meaning and one inflection, interchangeable in a question.
SYNONYM_LINES = """
goal aim objective purpose mission
goals aims objectives purposes
founded established created set_up
establish create set_up
founder creator
begin start
began started
begun started
help support assist aid
helps supports assists aids
helped supported assisted
helping supporting assisting
produce manufacture
produced manufactured
buy purchase
bought purchased
big large major
biggest largest
small little
important significant key main
main principal primary chief
used employed utilized
showed demonstrated revealed
receive obtain get
received obtained got
give provide offer
gives provides offers
gave provided offered
given provided offered
need require
needs requires
needed required
allow let permit
allowed permitted
caused led_to
member participant
members participants
people persons individuals
country nation
countries nations
located situated
build construct
built constructed
job role position
money funds funding
paid funded financed
pay fund finance
amount number quantity
total overall
decreased dropped declined
try attempt
tried attempted
called named known_as
famous well-known renowned
first earliest initial
fast quick rapid
problem issue difficulty
problems issues difficulties
changed altered modified
choose select pick
chose selected picked
kind type sort
kinds types sorts
protect defend safeguard
protected defended
threat danger risk
threats dangers risks
benefit advantage
benefits advantages
leader head chief
company firm business
companies firms businesses
groups organizations
""".strip().splitlines()

# Question forms with a common other wording; {0} is what the question is about.
FORM_REWRITES = [
    (re.compile(r"^when (?:was|were) (.+?) (?:founded|established|created|formed|set up)\??$", re.I),
     ["how old is {0}", "since when has {0} existed", "how long has {0} been around"]),
    (re.compile(r"^when did (.+?) (?:begin|start)\??$", re.I),
     ["how long ago did {0} start", "since when has {0} been going on"]),
    (re.compile(r"^what is the population of (.+?)\??$", re.I),
     ["how many people live in {0}", "how many inhabitants does {0} have"]),
    (re.compile(r"^where is (.+?) located\??$", re.I),
     ["where is {0}", "in which region is {0}", "where can i find {0}"]),
    (re.compile(r"^what is the (?:purpose|goal|aim|objective) of (.+?)\??$", re.I),
     ["what does {0} want to achieve", "what is {0} for", "why does {0} exist"]),
    (re.compile(r"^how many (.+?) (?:are|were) there\??$", re.I),
     ["what is the number of {0}", "how much {0} are there"]),
]


def synonym_table(lines: list[str] = SYNONYM_LINES) -> dict[str, list[str]]:
    """word -> the other words of its line. A word on several lines gets them all, so "provided"
    may become "gave" as well as "given": noise the measured model was trained with (docs/reader.md)."""
    table: dict[str, list[str]] = {}
    for line in lines:
        words = [w.replace("_", " ") for w in line.split()]
        for word in words:
            table.setdefault(word, []).extend(w for w in words if w != word and w not in table[word])
    return table


SYNONYMS = synonym_table()


def reworded(question: str, answer_words: frozenset[str], rng: random.Random) -> str | None:
    """The question in other words, or None when it has none of the table's words or forms.

    Words the answering sentence also holds are swapped first: those are the ones a reader
    would otherwise match without understanding."""
    for pattern, wordings in FORM_REWRITES:
        match = pattern.match(question.strip())
        if match and rng.random() < 0.7:
            return rng.choice(wordings).format(match.group(1))
    words = list(re.finditer(r"[\w'’-]+", question))
    swappable = [m for i, m in enumerate(words)  # not names: "Connaught Place" stays
                 if m.group().lower() in SYNONYMS and (i == 0 or not m.group()[:1].isupper())]
    if not swappable:
        return None
    shared = [m for m in swappable if m.group().lower() in answer_words]
    chosen = sorted((shared or swappable)[:2], key=lambda m: m.start(), reverse=True)
    for m in chosen:  # from the end, so that the earlier positions hold
        replacement = rng.choice(SYNONYMS[m.group().lower()])
        replacement = replacement.capitalize() if m.group()[:1].isupper() else replacement
        question = question[:m.start()] + replacement + question[m.end():]
    return question
