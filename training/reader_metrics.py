"""Held-out metrics of a reader: does it pick the answering sentence, and does it know when none answers?

`score(questions, contexts)` returns one relevance logit per pair, from torch or from ONNX, so
the same figures compare checkpoints, fp32 and int8.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from training.reader_data import HeldOutCase

Scorer = Callable[[list[str], list[str]], np.ndarray]
ANSWERABLE_DECLINED = 0.05


def roc_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    scores = np.concatenate([positive, negative])
    ranks = scores.argsort().argsort().astype(float) + 1
    for value in np.unique(scores):  # average the ranks of ties
        tied = scores == value
        ranks[tied] = ranks[tied].mean()
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def held_out_metrics(score: Scorer, cases: list[HeldOutCase]) -> dict:
    """top1: the best sentence of the gold paragraph holds the answer. no_answer_auc: the best
    score over gold paragraph and close sentences elsewhere, against the best over those elsewhere
    alone (the gold paragraph removed). declined_at_5: share of no-answer cases declined when the
    threshold declines 5% of the answerable ones."""
    questions, contexts, owners = [], [], []
    for n, case in enumerate(cases):
        for context in case.gold + case.elsewhere:
            questions.append(case.question)
            contexts.append(context)
            owners.append(n)
    logits = score(questions, contexts)
    top1, with_gold, without = [], [], []
    begin = 0
    for case in cases:
        values = logits[begin:begin + len(case.gold) + len(case.elsewhere)]
        begin += len(values)
        gold, elsewhere = values[:len(case.gold)], values[len(case.gold):]
        top1.append(case.gold_positive[int(np.argmax(gold))])
        with_gold.append(values.max())
        without.append(elsewhere.max() if len(elsewhere) else -1e9)
    with_gold, without = np.array(with_gold), np.array(without)
    threshold = float(np.quantile(with_gold, ANSWERABLE_DECLINED))
    return {"top1": round(float(np.mean(top1)), 4), "no_answer_auc": round(roc_auc(with_gold, without), 4),
            "declined_at_5": round(float(np.mean(without < threshold)), 4), "cases": len(cases)}
