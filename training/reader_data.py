"""SQuAD v1.1 train -> (question, sentence in its run-time context) pairs for the reader.

Each sentence is given as the assistant shows it to the reader at run time: its heading
(the article title), then the sentence it leans on when it starts by leaning ("It now
forms..."), then the sentence itself (`assistant.ingest.chunking` splits and links them, so
training and serving read sentences the same way).

Per question:
- positives: every sentence of its paragraph that holds the answer text (the file's
  offsets are first occurrences, see the data set's README), with the answer's span;
- hard negatives: other sentences of the same paragraph;
- on-topic "no answer" negatives: sentences of the article's other paragraphs that look
  closest (the most rare words shared with the question), and one at random.
A share of the questions is rewritten the way visitors type: lower case without the question
mark, keywords only, with a typo, or with "you"/"your" for the article's subject (`visitor_style`); a share can also
be put in other words first (`paraphrases`, off by default), a share gets an unanswerable twin
(`unanswerable`), and, off by default, a share gives a visitor's request (`unanswerable`), is
also asked as a yes/no question (`yesno`) or gets a number or focus twin (`unanswerable`).
Held-out articles (`split`) are never trained on.
"""
from __future__ import annotations

import gzip
import json
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.chunking import leans_on_previous, split_sentences
from assistant.models.lexical import tokenize
from training import unanswerable
from training.paraphrases import reworded
from training.visitor_style import sometimes_as_visitors_type
from training.yesno import yes_no_question

SQUAD = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "squad" / "squad-v1.1-train.json.gz"
HARD_NEGATIVES = 3
CLOSE_NO_ANSWER = 2
RANDOM_NO_ANSWER = 1


@dataclass
class Sentence:
    context: str  # heading, leaned-on sentence, sentence: what the reader reads
    text: str
    tokens: frozenset[str]

    @property
    def offset(self) -> int:
        """Where the sentence itself starts in `context`."""
        return len(self.context) - len(self.text)


@dataclass
class Question:
    text: str
    answer: str
    paragraph: int


@dataclass
class Article:
    title: str
    paragraphs: list[list[Sentence]]
    questions: list[Question]


@dataclass
class Pair:
    question: str
    context: str
    label: float
    answer_start: int = -1  # the answer's characters in `context`, positives only
    answer_end: int = -1


def load_articles(path: Path = SQUAD) -> list[Article]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)["data"]
    return [article_from_squad(entry) for entry in data]


def article_from_squad(entry: dict) -> Article:
    title = entry["title"].replace("_", " ")
    paragraphs, questions = [], []
    for p, paragraph in enumerate(entry["paragraphs"]):
        sentences = split_sentences(paragraph["context"])
        contexts = []
        for i, sentence in enumerate(sentences):
            leans = sentences[i - 1].text + " " if i and leans_on_previous(sentence.text) else ""
            contexts.append(Sentence(f"{title}\n{leans}{sentence.text}", sentence.text,
                                     frozenset(tokenize(sentence.text))))
        paragraphs.append(contexts)
        questions += [Question(qa["question"].strip(), qa["answers"][0]["text"], p) for qa in paragraph["qas"]]
    return Article(title, paragraphs, questions)


def split(articles: list[Article], held_out: int, seed: int) -> tuple[list[Article], list[Article]]:
    """(training articles, held-out articles), by a seeded shuffle of whole articles."""
    order = list(range(len(articles)))
    random.Random(seed).shuffle(order)
    kept = set(order[:held_out])
    return ([a for i, a in enumerate(articles) if i not in kept], [a for i, a in enumerate(articles) if i in kept])


def positives(article: Article, question: Question) -> list[int]:
    return [i for i, s in enumerate(article.paragraphs[question.paragraph]) if question.answer in s.text]


def answering_sentence(article: Article, question: Question) -> Sentence:
    """The first sentence of the question's paragraph that holds its answer."""
    return article.paragraphs[question.paragraph][positives(article, question)[0]]


def answer_words(article: Article, question: Question) -> frozenset[str]:
    """The lower-case words of the sentences that answer the question."""
    sentences = article.paragraphs[question.paragraph]
    texts = [sentences[i].text.lower() for i in positives(article, question)]
    return frozenset(w for text in texts for w in re.findall(r"[\w'’-]+", text))


def closest_elsewhere(article: Article, question: Question, count: int,
                      idf: dict[str, float]) -> list[Sentence]:
    """Sentences of the article's other paragraphs sharing the most rare words with the question."""
    asked = set(tokenize(question.text))
    scored = [(sum(idf.get(t, 0.0) for t in asked & s.tokens), p, i, s)
              for p, sentences in enumerate(article.paragraphs) if p != question.paragraph
              for i, s in enumerate(sentences)]
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    return [s for _, _, _, s in scored[:count]]


def pairs_for(article: Article, question: Question, idf: dict[str, float], rng: random.Random,
              text: str | None = None) -> list[Pair]:
    sentences = article.paragraphs[question.paragraph]
    good = positives(article, question)
    asked = text or question.text
    pairs = answering_pairs(article, question, asked)
    others = [s for i, s in enumerate(sentences) if i not in good]
    pairs += [Pair(asked, s.context, 0.0) for s in rng.sample(others, min(HARD_NEGATIVES, len(others)))]
    close = closest_elsewhere(article, question, CLOSE_NO_ANSWER, idf)
    pairs += [Pair(asked, s.context, 0.0) for s in close]
    elsewhere = [s for p, group in enumerate(article.paragraphs) if p != question.paragraph for s in group
                 if s not in close]
    pairs += [Pair(asked, s.context, 0.0) for s in rng.sample(elsewhere, min(RANDOM_NO_ANSWER, len(elsewhere)))]
    return pairs


def answering_pairs(article: Article, question: Question, asked: str) -> list[Pair]:
    """The question with each sentence of its paragraph that holds the answer, the answer's span marked."""
    sentences = article.paragraphs[question.paragraph]
    pairs = []
    for i in positives(article, question):
        start = sentences[i].offset + sentences[i].text.find(question.answer)
        pairs.append(Pair(asked, sentences[i].context, 1.0, start, start + len(question.answer)))
    return pairs


def inverse_document_frequencies(articles: list[Article]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    total = 0
    for article in articles:
        for sentences in article.paragraphs:
            for sentence in sentences:
                counts.update(sentence.tokens)
                total += 1
    return {token: math.log(total / count) for token, count in counts.items()}


def training_pairs(articles: list[Article], questions_wanted: int, seed: int,
                   reworded_share: float = 0.0, twin_share: float = 0.0,
                   request_share: float = 0.0, yesno_share: float = 0.0, number_share: float = 0.0,
                   focus_share: float = 0.0) -> list[Pair]:
    """Pairs for a seeded sample of the articles' questions (those whose answer lies in one sentence).
    `reworded_share` of them are put in other words first (`paraphrases`; tried, not kept: docs/reader.md);
    `twin_share` of them also get an unanswerable twin (`unanswerable`), drawn by a separate seeded
    generator so that the other pairs stay the same; `request_share` of them also give a visitor's
    request (`unanswerable.request_twin`) to their answering sentence and the closest other one,
    drawn by a third generator; `yesno_share` of them are also asked as a yes/no question
    (`yesno`), with the same sentences, drawn by a fourth; `number_share` of those that share a number
    with their answering sentence get a number twin (`unanswerable.number_twin`), drawn by a fifth;
    `focus_share` of those that name the thing asked for get a focus twin (`unanswerable.focus_twin`), by a sixth."""
    rng, twins, requests = random.Random(seed), random.Random(seed + 1), random.Random(seed + 2)
    yes_no, numbers, foci = random.Random(seed + 3), random.Random(seed + 4), random.Random(seed + 5)
    idf = inverse_document_frequencies(articles)
    foreign = ([unanswerable.rare_words([s.text for group in a.paragraphs for s in group], idf) for a in articles]
               if twin_share else [])
    pool = [(i, q) for i, a in enumerate(articles) for q in a.questions if positives(a, q)]
    swap_focus = unanswerable.focus_swapper([q.text for _, q in pool]) if focus_share else None
    rng.shuffle(pool)
    pairs: list[Pair] = []
    for number, question in pool[:questions_wanted]:
        article = articles[number]
        text = None
        if reworded_share and rng.random() < reworded_share:
            text = reworded(question.text, answer_words(article, question), rng)
        text = sometimes_as_visitors_type(text or question.text, rng, article.title)
        pairs += pairs_for(article, question, idf, rng, text)
        if twin_share and twins.random() < twin_share:
            pairs += twin_pairs(article, question, text or question.text, idf, foreign, number, twins)
        if request_share and requests.random() < request_share:
            pairs += request_pairs(article, question, idf, requests)
        if yesno_share and yes_no.random() < yesno_share:
            pairs += yes_no_pairs(article, question, idf, yes_no)
        if number_share and numbers.random() < number_share:
            pairs += number_pairs(article, question, text or question.text, numbers)
        if swap_focus and foci.random() < focus_share:
            twin = swap_focus(text or question.text, answer_words(article, question), foci)
            pairs += [Pair(twin, answering_sentence(article, question).context, 0.0)] if twin else []
    return pairs


def number_pairs(article: Article, question: Question, asked: str, rng: random.Random) -> list[Pair]:
    """The question with a number of its answering sentence changed, with that sentence as a negative."""
    answering = answering_sentence(article, question)
    twin = unanswerable.number_twin(asked, answering.text, question.answer, rng)
    return [Pair(twin, answering.context, 0.0)] if twin else []


def yes_no_pairs(article: Article, question: Question, idf: dict[str, float], rng: random.Random) -> list[Pair]:
    """The question asked as a yes/no question (`yesno`), typed as visitors do in a share, with its
    answering sentence (the answer marked) and the usual negatives; none for other question forms."""
    asked = yes_no_question(question.text, question.answer, rng)
    if asked is None:
        return []
    asked = sometimes_as_visitors_type(asked, rng, article.title)
    return pairs_for(article, question, idf, rng, asked)


def request_pairs(article: Article, question: Question, idf: dict[str, float], rng: random.Random) -> list[Pair]:
    """A visitor's request about the article with the question's answering sentence and the closest other one."""
    request = unanswerable.request_twin(article.title, rng)
    answering = answering_sentence(article, question)
    return [Pair(request, s.context, 0.0) for s in [answering, *closest_elsewhere(article, question, 1, idf)]]


def twin_pairs(article: Article, question: Question, asked: str, idf: dict[str, float],
               foreign: list[list[str]], number: int, rng: random.Random) -> list[Pair]:
    """The question's unanswerable twin (a rare word of another article swapped in) with its answering sentence."""
    other = rng.randrange(len(foreign) - 1)
    other += other >= number  # any article but its own
    twin = unanswerable.unanswerable_twin(asked, answer_words(article, question), question.answer, idf,
                                          foreign[other], rng)
    if twin is None:
        return []
    answering = answering_sentence(article, question)
    return [Pair(twin, answering.context, 0.0)]


@dataclass
class HeldOutCase:
    """A held-out question with its gold paragraph's sentences and close sentences from elsewhere."""

    question: str
    gold: list[str]  # contexts of the gold paragraph's sentences
    gold_positive: list[bool]
    elsewhere: list[str]


def held_out_cases(articles: list[Article], count: int, seed: int, elsewhere: int = 6) -> list[HeldOutCase]:
    rng = random.Random(seed)
    idf = inverse_document_frequencies(articles)
    pool = [(a, q) for a in articles for q in a.questions if positives(a, q)]
    rng.shuffle(pool)
    cases = []
    for article, question in pool[:count]:
        good = set(positives(article, question))
        sentences = article.paragraphs[question.paragraph]
        cases.append(HeldOutCase(question.text, [s.context for s in sentences],
                                 [i in good for i in range(len(sentences))],
                                 [s.context for s in closest_elsewhere(article, question, elsewhere, idf)]))
    return cases
