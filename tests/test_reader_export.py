"""The reader's int8 file gives the same scores on every CPU: its matrices hold unsigned weights,
whose products onnxruntime computes exactly (signed ones saturate on AVX2 CPUs without VNNI); a CPU
with VNNI serves them signed again, faster, with the same scores."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from assistant.models.reader import Reader, cpu_flags, multiplies_signed_bytes_exactly, signed_weights
from training.reader_export import unsigned_weights

READER = Path(__file__).resolve().parents[1] / "models" / "reader.onnx"


def _signed_matmul(path: Path, weights: np.ndarray) -> None:
    """A one-node model: uint8 activations times int8 weights with a zero point per column."""
    node = helper.make_node("MatMulInteger", ["x", "w", "x_zero", "w_zero"], ["y"])
    graph = helper.make_graph(
        [node], "matmul",
        [helper.make_tensor_value_info("x", TensorProto.UINT8, [None, weights.shape[0]])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [None, weights.shape[1]])],
        [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(np.uint8(0), "x_zero"),
         numpy_helper.from_array(np.zeros(weights.shape[1], np.int8), "w_zero")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def test_unsigned_weights_give_the_exact_products_where_signed_ones_could_saturate(tmp_path):
    rng = np.random.default_rng(7)
    # full-range bytes: two neighbouring products reach 2 x 255 x 127, past 16 bits
    activations = rng.integers(200, 256, size=(4, 64), dtype=np.uint8)
    weights = np.where(rng.random((64, 8)) < 0.5, 127, -128).astype(np.int8)
    path = tmp_path / "matmul.onnx"
    _signed_matmul(path, weights)

    assert unsigned_weights(path) == 2  # the weights and their zero points
    stored = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
    assert stored["w"].dtype == stored["w_zero"].dtype == np.uint8
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    exact = activations.astype(np.int64) @ weights.astype(np.int64)
    assert np.array_equal(session.run(None, {"x": activations})[0], exact)


def test_the_served_reader_holds_no_signed_matrix_weights():
    model = onnx.load(str(READER))
    stored = {t.name: t.data_type for t in model.graph.initializer}
    matrices = [node for node in model.graph.node if node.op_type == "MatMulInteger"]
    assert matrices, "the served reader is expected to be int8"
    assert all(stored[node.input[1]] == stored[node.input[3]] == TensorProto.UINT8 for node in matrices)


@pytest.mark.parametrize("flags, signed", [
    ({"avx2", "fma"}, False),  # AVX2 alone: signed products saturate
    ({"avx2", "avx512f", "avx512bw"}, False),  # AVX-512 without VNNI adds them in 16 bits too
    ({"avx2", "avx_vnni"}, True),
    ({"avx512f", "avx512_vnni"}, True),
    ({"amx_int8", "amx_tile"}, True),
    (set(), False),  # /proc/cpuinfo unreadable: the form that is exact everywhere
])
def test_signed_weights_are_served_only_where_the_cpu_multiplies_them_exactly(flags, signed):
    assert multiplies_signed_bytes_exactly(frozenset(flags)) is signed


def test_the_signed_form_holds_the_same_integers():
    stored = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(READER)).graph.initializer}
    shifted = onnx.load_from_string(signed_weights(READER))
    matrices = [node for node in shifted.graph.node if node.op_type == "MatMulInteger"]
    signed = {t.name: numpy_helper.to_array(t) for t in shifted.graph.initializer}
    for name in {node.input[i] for node in matrices for i in (1, 3)}:
        assert signed[name].dtype == np.int8
        assert np.array_equal(signed[name].astype(np.int16) + 128, stored[name])


@pytest.mark.skipif(not multiplies_signed_bytes_exactly(cpu_flags()), reason="this CPU serves the file as stored")
def test_on_a_vnni_cpu_the_served_session_scores_as_the_stored_file_does():
    reader = Reader()
    questions = ["How many families are in the network?", "who backs you guys?", "Quand AVSF a-t-elle été fondée ?"]
    contexts = ["Our partners > AVSF\nIt now forms a network of 670 families through 11 cooperatives.",
                "Our partners\nSustainable Cashmere Union is supported by a variety of stakeholders.",
                "Our partners > NAMAC\nThe National Association of Mongolian Agricultural Cooperatives (NAMAC) "
                "is a Mongolian non-governmental organization which was reorganized in 1992."]
    encodings = reader.tokenizer.encode_batch([(q, c) for q in questions for c in contexts])
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": (ids > 0).astype(np.int64),
             "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
    stored = onnxruntime.InferenceSession(str(READER), providers=["CPUExecutionProvider"])
    for served, expected in zip(reader.session.run(None, feeds), stored.run(None, feeds)):
        assert np.array_equal(served, expected)
