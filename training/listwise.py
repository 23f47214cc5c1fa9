"""Listwise training: each question's pairs in one batch, and a softmax loss over them.

The relevance head is trained pair by pair (binary cross-entropy), yet on the question path the
reader chooses among a question's candidate sentences. With `--listwise W` a pass also learns the
choice itself: a question's pairs (its answering sentence and its negatives) share a batch, and
W times the softmax cross-entropy of the answering sentence(s) against the others is added.
Questions with no answering sentence among their pairs (twins, requests) keep the pairwise loss only,
unless `--listwise-null` adds a "no answer" option to each softmax.
Measured (docs/reader.md, twenty-first and twenty-second sessions): alone, the reader chose better and
declined worse; with the "no answer" option visitors get far fewer wrong quotes: the served second pass.
"""
from __future__ import annotations

import random

import torch

from training.reader_data import Pair

LENGTH_WINDOW = 50  # batches' worth of questions sorted by length together, for little padding
PIECES = 4  # a grouped batch is read in this many runs of similar length: far less padding (docs/reader.md)


def group_ids(pairs: list[Pair]) -> list[int]:
    """One id per run of consecutive pairs asking the same question: the pairs one question drew
    (a repeated set's copies are runs of their own)."""
    ids, current = [], -1
    for position, pair in enumerate(pairs):
        if position == 0 or pair.question != pairs[position - 1].question:
            current += 1
        ids.append(current)
    return ids


def with_groups(encoded: list[dict], pairs: list[Pair]) -> list[dict]:
    """The encoded pairs, each with the id of the question that drew it (`group_ids`)."""
    for entry, group in zip(encoded, group_ids(pairs)):
        entry["group"] = group
    return encoded


def grouped_batches(encoded: list[dict], size: int, rng: random.Random) -> list[list[dict]]:
    """Batches of about `size` pairs made of whole questions (their "group"), of similar length,
    in random order."""
    groups: dict[int, list[dict]] = {}
    for entry in encoded:
        groups.setdefault(entry["group"], []).append(entry)
    order = list(groups.values())
    rng.shuffle(order)
    window = size * LENGTH_WINDOW // max(1, len(encoded) // max(1, len(order)))  # questions per window
    result: list[list[dict]] = []
    for begin in range(0, len(order), max(1, window)):
        block = sorted(order[begin:begin + window], key=lambda g: max(len(e["ids"]) for e in g))
        batch: list[dict] = []
        for group in block:
            batch += group
            if len(batch) >= size:
                result.append(batch)
                batch = []
        result += [batch] if batch else []
    rng.shuffle(result)
    return result


def listwise_loss(relevance: torch.Tensor, labels: torch.Tensor, groups: torch.Tensor,
                  null: bool = False) -> torch.Tensor:
    """Mean over the batch's questions of -log(the softmax mass of their answering pairs among all
    their pairs); zero when none has one. With `null`, the softmax also holds a "no answer" option at
    logit 0, the answer of a question none of whose pairs answers (a twin): the scores then keep
    their level, which a softmax over the pairs alone leaves free."""
    losses = []
    for group in torch.unique(groups):
        members = groups == group
        logits, answering = relevance[members], labels[members] > 0.5
        if null:
            everything = torch.logsumexp(torch.cat([logits, logits.new_zeros(1)]), 0)
            losses.append(everything - (torch.logsumexp(logits[answering], 0) if answering.any() else 0.0))
        elif answering.any() and not answering.all():
            losses.append(torch.logsumexp(logits, 0) - torch.logsumexp(logits[answering], 0))
    return torch.stack(losses).mean() if losses else relevance.sum() * 0.0


def in_length_pieces(reader: torch.nn.Module, batch: dict[str, torch.Tensor],
                     pieces: int = PIECES) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The reader's relevance, start and end logits for the batch, read in `pieces` runs of
    similar length, each cut to its longest pair: the same outputs with less padding read."""
    lengths = batch["attention_mask"].sum(1)
    rows, width = batch["input_ids"].shape
    relevance = torch.zeros(rows)
    start, end = torch.full((rows, width), -1e4), torch.full((rows, width), -1e4)
    for part in torch.argsort(lengths).chunk(pieces):
        cut = int(lengths[part].max())
        part_relevance, part_start, part_end = reader(*(batch[key][part, :cut] for key in
                                                        ("input_ids", "attention_mask", "token_type_ids")))
        relevance[part] = part_relevance.float()
        start[part, :cut] = part_start.float()
        end[part, :cut] = part_end.float()
    return relevance, start, end
