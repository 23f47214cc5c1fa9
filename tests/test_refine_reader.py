"""training/refine_reader.py loads the served reader back into torch: its scores must be the file's."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from training.reader_export import onnx_scorer
from training.refine_reader import reader_from_onnx
from training.train_reader import tokenizer, torch_scorer

READER = Path(__file__).resolve().parents[1] / "models" / "reader.onnx"
QUESTIONS = ["How many families are in the network?", "Where can I buy a scarf?", "When was AVSF founded?",
             "who is namac"]
CONTEXTS = ["Our partners\nIt now forms a network of 670 families through 11 cooperatives.",
            "Our partners\nIt now forms a network of 670 families through 11 cooperatives.",
            "Our partners > AVSF\nAVSF is a French NGO founded in 1977.",
            "Our partners > NAMAC\nNAMAC is a Mongolian non-governmental organization."]


def test_the_reader_loaded_from_its_onnx_file_scores_as_the_file_does():
    tok = tokenizer(96)
    from_torch = torch_scorer(reader_from_onnx(READER, 6), tok)(QUESTIONS, CONTEXTS)
    from_file = onnx_scorer(READER, tok)(QUESTIONS, CONTEXTS)
    # the file also quantizes its activations at run time, so the two differ a little
    assert np.abs(from_torch - from_file).max() < 0.5
    assert np.argmin(from_torch) == np.argmin(from_file) == 1  # the request no sentence answers


def test_averaged_readers_have_the_mean_of_each_weight_and_keep_their_buffers():
    import torch

    from training.average_readers import averaged_state

    first = {"weight": torch.tensor([1.0, 3.0]), "positions": torch.tensor([0, 1])}
    second = {"weight": torch.tensor([3.0, 5.0]), "positions": torch.tensor([0, 1])}
    average = averaged_state([first, second])
    assert torch.equal(average["weight"], torch.tensor([2.0, 4.0]))
    assert torch.equal(average["positions"], torch.tensor([0, 1]))
