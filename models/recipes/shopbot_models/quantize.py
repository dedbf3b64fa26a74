"""Dynamic int8 quantization by rewriting the fp32 ONNX graph with python3-onnx alone (torch's
quantized ops do not export, and onnxruntime's Python quantizer is not packaged here).

- MatMul with a constant weight: DynamicQuantizeLinear(x) -> MatMulInteger(x_u8, W_s8) -> Cast ->
  Mul(x_scale * w_scale[col]). Weights are symmetric per output column; onnxruntime fuses the
  pattern into its own int8 kernel (MatMulIntegerToFloat).
- The token-embedding Gather: an int8 table with one scale per row, gathered then rescaled, so
  nothing vocabulary-sized is dequantized per call.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _q_cols(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(w).max(axis=0) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def _q_rows(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(w).max(axis=1, keepdims=True) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def quantize_model(model: onnx.ModelProto, min_elements: int = 4096) -> onnx.ModelProto:
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    uses: dict[str, int] = {}
    for n in g.node:
        for x in n.input:
            uses[x] = uses.get(x, 0) + 1
    new_nodes = []
    drop: set[str] = set()
    added: list[onnx.TensorProto] = []
    for k, n in enumerate(g.node):
        if n.op_type == "MatMul" and n.input[1] in inits:
            w = numpy_helper.to_array(inits[n.input[1]])
            if w.ndim == 2 and w.size >= min_elements:
                p = f"q{k}_"
                q, scale = _q_cols(w.astype(np.float32))
                added += [numpy_helper.from_array(q, p + "w"), numpy_helper.from_array(scale, p + "ws")]
                new_nodes += [
                    helper.make_node("DynamicQuantizeLinear", [n.input[0]], [p + "xq", p + "xs", p + "xz"]),
                    helper.make_node("MatMulInteger", [p + "xq", p + "w", p + "xz"], [p + "y32"]),
                    helper.make_node("Cast", [p + "y32"], [p + "yf"], to=TensorProto.FLOAT),
                    helper.make_node("Mul", [p + "xs", p + "ws"], [p + "s"]),
                    helper.make_node("Mul", [p + "yf", p + "s"], list(n.output)),
                ]
                if uses.get(n.input[1], 0) == 1:
                    drop.add(n.input[1])
                continue
        if n.op_type == "Gather" and n.input[0] in inits:
            w = numpy_helper.to_array(inits[n.input[0]])
            if w.ndim == 2 and w.shape[0] >= 500:
                p = f"q{k}_"
                q, scale = _q_rows(w.astype(np.float32))
                added += [numpy_helper.from_array(q, p + "e"), numpy_helper.from_array(scale, p + "es")]
                new_nodes += [
                    helper.make_node("Gather", [p + "e", n.input[1]], [p + "g8"], axis=0),
                    helper.make_node("Cast", [p + "g8"], [p + "gf"], to=TensorProto.FLOAT),
                    helper.make_node("Gather", [p + "es", n.input[1]], [p + "gs"], axis=0),
                    helper.make_node("Mul", [p + "gf", p + "gs"], list(n.output)),
                ]
                if uses.get(n.input[0], 0) == 1:
                    drop.add(n.input[0])
                continue
        new_nodes.append(n)
    kept = [i for i in g.initializer if i.name not in drop]
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(kept + added)
    onnx.checker.check_model(model)
    return model


def quantize_file(src: Path, dst: Path, min_elements: int = 4096) -> None:
    m = onnx.load(str(src))
    onnx.save(quantize_model(m, min_elements), str(dst))
