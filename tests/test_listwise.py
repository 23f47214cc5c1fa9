"""training/listwise.py: a question's pairs stay together, and its softmax loss favours the answer."""
from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import torch

from training.listwise import group_ids, grouped_batches, in_length_pieces, listwise_loss
from training.reader_data import Pair

READER = Path(__file__).resolve().parents[1] / "models" / "reader.onnx"


@pytest.mark.parametrize(("questions", "expected"), [
    (["a", "a", "b", "b", "b"], [0, 0, 1, 1, 1]),
    (["a", "b", "a"], [0, 1, 2]),  # a repeated set's copy is a group of its own
    (["a"], [0]),
    ([], []),
])
def test_a_group_is_a_run_of_pairs_asking_the_same_question(questions, expected):
    assert group_ids([Pair(q, "context", 0.0) for q in questions]) == expected


def test_grouped_batches_keep_each_question_whole_and_every_pair_once():
    rng = random.Random(3)
    encoded = [{"group": g, "ids": [1] * rng.randint(5, 40)} for g in range(60) for _ in range(rng.randint(1, 8))]
    batches = grouped_batches(encoded, 16, random.Random(5))
    assert sorted(id(e) for b in batches for e in b) == sorted(id(e) for e in encoded)
    for group in range(60):
        assert sum(any(e["group"] == group for e in b) for b in batches) == 1
    assert all(len(b) < 16 + 8 for b in batches)


@pytest.mark.parametrize(("logits", "labels", "groups", "expected"), [
    # one question: -log softmax of its answer among its three pairs
    ([2.0, 0.0, 0.0], [1, 0, 0], [0, 0, 0], math.log(math.exp(2) + 2) - 2),
    # two answers of one question count together
    ([1.0, 1.0, 0.0], [1, 1, 0], [0, 0, 0], math.log(2 * math.e + 1) - math.log(2 * math.e)),
    # a twin (no answer among its pairs) and a question whose pairs all answer add nothing
    ([2.0, 0.0, 5.0, 1.0], [1, 0, 0, 1], [0, 0, 1, 2], math.log(math.exp(2) + 1) - 2),
    ([3.0, 1.0], [0, 0], [0, 0], 0.0),
])
def test_the_listwise_loss_is_the_answers_softmax_among_its_questions_pairs(logits, labels, groups, expected):
    loss = listwise_loss(torch.tensor(logits), torch.tensor(labels, dtype=torch.float), torch.tensor(groups))
    assert float(loss) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(("logits", "labels", "groups", "expected"), [
    # the "no answer" option at logit 0 stands beside the pairs
    ([2.0, 0.0], [1, 0], [0, 0], math.log(math.exp(2) + 2) - 2),
    # a twin's answer is "no answer"; a question all of whose pairs answer still weighs it
    ([1.0, -1.0], [0, 0], [0, 0], math.log(math.e + math.exp(-1) + 1)),
    ([1.0], [1], [0], math.log(math.e + 1) - 1),
])
def test_with_a_null_option_every_question_counts_and_the_scores_keep_their_level(logits, labels, groups, expected):
    loss = listwise_loss(torch.tensor(logits), torch.tensor(labels, dtype=torch.float), torch.tensor(groups), null=True)
    assert float(loss) == pytest.approx(expected, rel=1e-5)


def test_reading_a_batch_in_pieces_of_similar_length_gives_the_same_scores():
    from training.reader_model import tokenizer
    from training.refine_reader import reader_from_onnx

    tok = tokenizer(96)
    pairs = [("How many families?", "Our partners\nIt now forms a network of 670 families through 11 cooperatives."),
             ("When was AVSF founded?", "AVSF is a French NGO founded in 1977."),
             ("who is namac", "Our partners > NAMAC\nNAMAC is a Mongolian non-governmental organization which "
                              "was reorganized in 1992."),
             ("dzud?", "Respectful of man, animal and their environment.")]
    encodings = tok.encode_batch(pairs)
    ids = torch.tensor([e.ids for e in encodings])
    batch = {"input_ids": ids, "attention_mask": (ids > 0).long(),
             "token_type_ids": torch.tensor([e.type_ids for e in encodings])}
    reader = reader_from_onnx(READER, 6).eval()
    with torch.no_grad():
        whole = reader(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])
        pieces = in_length_pieces(reader, batch, pieces=2)
    for from_whole, from_pieces in zip(whole, pieces):
        assert torch.allclose(from_whole, from_pieces, atol=1e-4)
