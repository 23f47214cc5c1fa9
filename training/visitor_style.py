"""How visitors type in a chat box, put on SQuAD's and the written pages' questions.

Lower case without the question mark, keywords only, a typo, or "you"/"your" for the organisation
the page is about: what the union's visitors do, and SQuAD's written questions do not.
"""
from __future__ import annotations

import random
import re

from assistant.models.lexical import STOPWORDS

VISITOR_STYLE_SHARE = 0.35
ADDRESSED_SHARE = 0.5  # of the visitor-style questions that name their article
QUESTION_WORDS = frozenset("what which who whom whose when where why how does do did is are was were can".split())


def sometimes_as_visitors_type(question: str, rng: random.Random, title: str = "") -> str:
    """`VISITOR_STYLE_SHARE` of the questions put as visitors type them, the others as written."""
    return visitor_style(question, rng, title) if rng.random() < VISITOR_STYLE_SHARE else question


def visitor_style(question: str, rng: random.Random, title: str = "") -> str:
    """How visitors type in a chat box: lower case and no question mark, keywords only, a typo, or
    "you"/"your" for the organisation the page is about ("Where do your breeders live?")."""
    if title and title.lower() in question.lower() and rng.random() < ADDRESSED_SHARE:
        return addressed(question, title)
    style = rng.choice(["lower", "keywords", "typo"])
    plain = question.rstrip(" ?").lower() if style != "typo" else question
    if style == "keywords":
        kept = [w for w in re.findall(r"[\w'’-]+", plain) if w not in STOPWORDS and w not in QUESTION_WORDS]
        return " ".join(kept) or plain
    if style == "typo":
        candidates = [m for m in re.finditer(r"[a-z]{5,}", plain)]
        if candidates:
            word = rng.choice(candidates)
            at = rng.randrange(word.start() + 1, word.end() - 1)
            dropped, swapped = plain[:at] + plain[at + 1:], plain[:at] + plain[at + 1] + plain[at] + plain[at + 2:]
            plain = dropped if rng.random() < 0.5 else swapped
    return plain


def addressed(question: str, title: str) -> str:
    """The question put to the article's subject itself: "the union's members" -> "your members"."""
    name = re.escape(title)
    question = re.sub(rf"(?:\bthe )?\b{name}(?:'s|’s)", "your", question, flags=re.I)
    return re.sub(rf"(?:\bthe )?\b{name}\b", "you", question, flags=re.I)
