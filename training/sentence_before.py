"""Pairs read with the sentence before, although they do not lean on it: the label stays the same.

At run time a sentence that leans on the one before ("It now forms a network of 670 families...")
is read after it. Over held-out SQuAD, a sentence before that brings none of the question's words
lowers the reader's logit for an answering sentence by about 1.2 on average
(docs/reader.md), and the union's own leaning sentences, whose sentence before names their topic
("In 2022, the sustainable cashmere network extends throughout Mongolia."), are read as doubtful
("How many families are in the network?": -1.20 with it, +0.82 without). In training, a sentence
is read after another almost only when it leans on it. Showing a share of the other pairs
with their sentence before too teaches that a sentence before which does not answer changes nothing.

A negative is left alone when its sentence before answers the question (that pair would say an
answer in the context is no answer).
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace

from training.reader_data import Article, Pair


def contexts_with_sentence_before(articles: list[Article]) -> dict[str, tuple[str, str]]:
    """For each sentence read alone that has one before it in its paragraph: its context ->
    (the same with the sentence before, that sentence)."""
    found: dict[str, tuple[str, str]] = {}
    for article in articles:
        for paragraph in article.paragraphs:
            for before, sentence in zip(paragraph, paragraph[1:]):
                if sentence.offset == len(article.title) + 1:  # heading, then the sentence alone
                    found[sentence.context] = (f"{article.title}\n{before.text} {sentence.text}", before.text)
    return found


def with_sentence_before(pairs: list[Pair], articles: list[Article], share: float, seed: int) -> list[Pair]:
    """`share` of the pairs whose sentence has one before it, read with it (answer span moved)."""
    if not share:
        return pairs
    longer = contexts_with_sentence_before(articles)
    answering: dict[str, list[str]] = defaultdict(list)
    for pair in pairs:
        if pair.label > 0:
            answering[pair.question].append(pair.context[pair.answer_start:pair.answer_end])
    rng = random.Random(seed)
    changed = []
    for pair in pairs:
        if pair.context not in longer or rng.random() >= share:
            changed.append(pair)
            continue
        context, before = longer[pair.context]
        if pair.label <= 0 and any(answer and answer in before for answer in answering[pair.question]):
            changed.append(pair)
            continue
        moved = len(context) - len(pair.context)
        changed.append(replace(pair, context=context,
                               answer_start=pair.answer_start + moved if pair.answer_start >= 0 else -1,
                               answer_end=pair.answer_end + moved if pair.answer_end >= 0 else -1))
    return changed
