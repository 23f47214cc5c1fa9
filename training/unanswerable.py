"""Unanswerable twins of training questions, in the manner of SQuAD 2.0.

Visitors ask on-topic questions the texts cannot answer: "How many goats do the herders have?"
beside "the breeders have grouped together in cooperatives, 5 in number". SQuAD v1.1 never
pairs a question with a sentence that has the asked-for kind of answer and most of the
question's words but not the thing asked about, so a reader trained on it alone takes such a
sentence for an answer. Here a share of the questions gets a twin: the rarest word the question
shares with its answering sentence is swapped for a rare word of another article, and the twin
with the answering sentence is a negative. A number twin (`number_twin`) changes a number the
question shares with its answering sentence instead, and a focus twin (`focus_twin`) the thing it
asks for ("how many goats" -> "how many tonnes").
"""
from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable

from assistant.models.lexical import STOPWORDS, tokenize

WORD = re.compile(r"[A-Za-z][\w'’-]+")
RARE_IDF = 6.0  # in at most about 1 sentence in 400: a specific thing, not a common word
SHORTEST = 4  # letters; shorter words are mostly function words or parts of names


def rare_words(sentences: list[str], idf: dict[str, float]) -> list[str]:
    """The specific words of these sentences (lower case, no duplicates), to swap into other articles' questions."""
    found = {w.lower() for text in sentences for w in WORD.findall(text)}
    return sorted(w for w in found if len(w) >= SHORTEST and w not in STOPWORDS
                  and w.isalpha() and idf.get(_stem(w), 0.0) >= RARE_IDF)


def unanswerable_twin(question: str, sentence_words: frozenset[str], answer: str,
                      idf: dict[str, float], foreign: list[str], rng: random.Random) -> str | None:
    """The question with the rarest word it shares with its answering sentence (`sentence_words`,
    lower case) swapped for a word of `foreign`; None when it shares no such word."""
    answer_words = {w.lower() for w in WORD.findall(answer)}
    shared = [m for m in WORD.finditer(question)
              if len(m.group()) >= SHORTEST and m.group().lower() in sentence_words
              and m.group().lower() not in STOPWORDS and m.group().lower() not in answer_words]
    if not shared or not foreign:
        return None
    swapped = max(shared, key=lambda m: idf.get(_stem(m.group()), 0.0))
    replacement = rng.choice(foreign)
    if replacement in sentence_words:
        return None
    if swapped.group()[0].isupper():
        replacement = replacement.capitalize()
    return question[:swapped.start()] + replacement + question[swapped.end():]


NUMBER = re.compile(r"(?<![\w.,])\d{1,4}(?!\w|[.,]\d)")  # whole: not of "3.5", "20,000", "2nd", "1970s", "5G"
YEAR_SHIFT = 12  # a year moves by 1 to 12: still a plausible year for the same question


def number_twin(question: str, sentence: str, answer: str, rng: random.Random) -> str | None:
    """The question with a number its answering sentence also holds (outside the answer) changed to
    one the sentence does not hold: "What happened in 2022?" -> "... in 2019?". A year (4 digits)
    moves by 1 to YEAR_SHIFT, another number by up to half itself (at least 2). None when the
    question holds no such number. Visitors ask so: "how many joined in 2023" of a text on 2022."""
    in_sentence = set(NUMBER.findall(sentence))
    shared = [m for m in NUMBER.finditer(question) if m.group() in in_sentence - set(NUMBER.findall(answer))]
    if not shared:
        return None
    number = shared[0]
    value = int(number.group())
    reach = YEAR_SHIFT if len(number.group()) == 4 else max(2, value // 2)
    choices = [v for step in range(1, reach + 1) for v in (value - step, value + step)
               if 0 < v < 10_000 and str(v) not in in_sentence]
    if not choices:
        return None
    return question[:number.start()] + str(rng.choice(choices)) + question[number.end():]


def _stem(word: str) -> str:
    tokens = tokenize(word)
    return tokens[0] if tokens else word.lower()


# Visitors also ask a site for things no descriptive text holds: to buy, visit, donate, contact,
# work or sign up. SQuAD has no such question, so the reader took a sentence naming the subject for
# an answer to them. Each is put to the article's subject or to "you".
REQUESTS = [
    "Where can I buy {}?", "Where can I buy your products?", "How do I order from {}?",
    "How much does {} cost?", "What do your products cost?", "Is there a shop selling {}?",
    "Do you ship to Canada?", "Can I pay by credit card?", "What is your return policy?",
    "Can I visit {}?", "Can tourists visit {}?", "How do I get to {}?",
    "What are the opening hours of {}?", "How can I contact {}?", "What is the phone number of {}?",
    "What is your email address?", "What is the website of {}?", "Where is your office?",
    "How can I donate to {}?", "Can I give money to {}?", "How can I volunteer for {}?",
    "Are there jobs at {}?", "How do I apply to work for {}?", "How do I join {}?",
    "How do I sign up for your newsletter?", "Can I book a tour of {}?", "Who should I talk to about {}?",
    "Do you offer internships?", "Is there a discount for students?", "Can I get a refund?",
]


def request_twin(title: str, rng: random.Random) -> str:
    """A visitor's request about the article's subject (or put to "you") that no sentence of it answers."""
    subject = title.replace("_", " ") if rng.random() < 0.5 else "you"
    text = rng.choice(REQUESTS).format(subject)
    return text.rstrip("?").lower() if rng.random() < 0.5 else text


# The thing a question asks for, after its question word: "how many goats", "which language", "what
# kind of wool". Counts ("how many", "how much") and things ("what", "which") swap within their kind.
FOCUS = re.compile(r"\b(how (?:many|much)|what|which)(?: (?:kind|type|sort)s? of)?\s+([A-Za-z]{3,})\b", re.I)
NOT_A_FOCUS = frozenset("""is are was were did does do has have had can could would will should may might must
two three four five six seven eight nine ten else other others new major famous political first last most
more less many much main big large small important different specific particular""".split())
LEAST_ASKED = 5  # a focus of fewer training questions is likely a one-off word, not a thing asked for
TOO_CLOSE = 0.5  # MiniLM cosine of two foci that may name the same thing ("people", "residents")


def question_focus(question: str) -> tuple[str, re.Match[str]] | None:
    """The question's kind ("count" or "thing") and where its focus noun is, when it names one."""
    match = FOCUS.search(question)
    if match is None or match.group(2).lower() in NOT_A_FOCUS | STOPWORDS or match.group(2).lower().endswith("ed"):
        return None
    return ("count" if match.group(1).lower().startswith("how") else "thing"), match


def focus_pools(questions: list[str]) -> dict[str, list[str]]:
    """The foci the training questions ask for, per kind, those asked at least LEAST_ASKED times."""
    counts: dict[str, Counter[str]] = {"count": Counter(), "thing": Counter()}
    for question in questions:
        found = question_focus(question)
        if found:
            counts[found[0]][found[1].group(2).lower()] += 1
    return {kind: sorted(w for w, n in counted.items() if n >= LEAST_ASKED) for kind, counted in counts.items()}


def foci_too_close(words: list[str]) -> Callable[[str, str], bool]:
    """Whether two foci may name the same thing, by the MiniLM cosine of the words (others: never)."""
    from assistant.models.embedding import MiniLMEncoder

    vectors = dict(zip(words, MiniLMEncoder().encode_passages(words)))
    return lambda a, b: a in vectors and b in vectors and float(vectors[a] @ vectors[b]) >= TOO_CLOSE


def focus_swapper(questions: list[str]) -> Callable[[str, frozenset[str], random.Random], str | None]:
    """`focus_twin` with the foci of these training questions and their MiniLM closeness."""
    pools = focus_pools(questions)
    too_close = foci_too_close(sorted({w for words in pools.values() for w in words}))
    return lambda question, sentence_words, rng: focus_twin(question, sentence_words, pools, too_close, rng)


def focus_twin(question: str, sentence_words: frozenset[str], pools: dict[str, list[str]],
               too_close: Callable[[str, str], bool], rng: random.Random) -> str | None:
    """The question asking for another thing of its kind that the answering sentence (`sentence_words`,
    lower case) does not hold: "How many goats do herders have?" -> "How many tonnes do herders
    have?". Visitors ask so ("which language do the herders speak"), and SQuAD v1.1 never shows the
    reader a sentence with the right kind of answer but not the thing asked about. None when the
    question names no focus of the pools."""
    found = question_focus(question)
    if found is None or found[1].group(2).lower() not in pools[found[0]]:
        return None
    kind, match = found
    focus = match.group(2).lower()
    held = {_stem(w) for w in sentence_words}
    for _ in range(20):  # a few draws: most foci are far from each other
        replacement = rng.choice(pools[kind])
        if replacement not in sentence_words and _stem(replacement) not in held | {_stem(focus)} \
                and not too_close(focus, replacement):
            if match.group(2)[0].isupper():
                replacement = replacement.capitalize()
            return question[:match.start(2)] + replacement + question[match.end(2):]
    return None
