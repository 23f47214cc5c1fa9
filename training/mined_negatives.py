"""Negatives the base reader itself scores highest: its own near misses, to learn from.

`reader_data` picks a question's "no answer" sentences by shared rare words, which is not what
the reader confuses: on the union's texts it quotes NAMAC's member counts for "how many
cooperatives were there at the beginning", a sentence of the right kind and topic that does not
answer. Here a seeded sample of SQuAD questions (drawn by its own seed) has a wider pool
of its article's sentences read by the base reader (its paragraph's other sentences and the
`POOL` closest elsewhere), and the `count` it scores highest become negatives beside the
question's answering sentence. A sentence read with the answer's text is never one: elsewhere in
the article it may well answer too. Measured and not kept twice (docs/reader.md): in a third pass
from the served reader ("The reader taught its own near misses"), and added to the served second
pass from the first pass's file (twenty-third session: more unanswerable questions declined, more
wrong quotes given as the answer).
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import numpy as np

from training.reader_data import (
    Article,
    Pair,
    Question,
    Sentence,
    answering_pairs,
    closest_elsewhere,
    inverse_document_frequencies,
    positives,
)
from training.visitor_style import sometimes_as_visitors_type

POOL = 24  # sentences of the other paragraphs read per question, besides its own paragraph's
Scorer = Callable[[list[str], list[str]], np.ndarray]


def mined_pairs(articles: list[Article], questions_wanted: int, seed: int, score: Scorer,
                count: int) -> list[Pair]:
    """For each sampled question: its answering sentences, then the `count` non-answers the base scores highest."""
    rng = random.Random(seed)
    idf = inverse_document_frequencies(articles)
    pool = [(a, q) for a in articles for q in a.questions if positives(a, q)]
    rng.shuffle(pool)
    chosen = [(article, question, sometimes_as_visitors_type(question.text, rng, article.title))
              for article, question in pool[:questions_wanted]]
    candidates = [non_answers(article, question, idf) for article, question, _ in chosen]
    flat_questions = [text for (_, _, text), sentences in zip(chosen, candidates) for _ in sentences]
    scores = score(flat_questions, [s.context for sentences in candidates for s in sentences])
    pairs: list[Pair] = []
    start = 0
    for (article, question, text), sentences in zip(chosen, candidates):
        own = scores[start:start + len(sentences)]
        start += len(sentences)
        pairs += answering_pairs(article, question, text)
        pairs += [Pair(text, sentences[i].context, 0.0) for i in hardest(own, count)]
    return pairs


def non_answers(article: Article, question: Question, idf: dict[str, float]) -> list[Sentence]:
    """Its paragraph's other sentences and the closest elsewhere, none read with the answer's text."""
    good = set(positives(article, question))
    own = [s for i, s in enumerate(article.paragraphs[question.paragraph]) if i not in good]
    answer = question.answer.lower()
    # the context, not the sentence alone: the sentence it leans on may hold the answer
    return [s for s in own + closest_elsewhere(article, question, POOL, idf)
            if answer not in s.context.split("\n", 1)[-1].lower()]


def hardest(scores: Sequence[float] | np.ndarray, count: int) -> list[int]:
    """The positions of the `count` highest scores, highest first (ties: the earlier one)."""
    return sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))[:count]
