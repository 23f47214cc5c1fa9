"""The reader's int8 file gives the same scores on every CPU: its matrices hold unsigned weights,
whose products onnxruntime computes exactly (signed ones saturate on AVX2 CPUs without VNNI)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

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
