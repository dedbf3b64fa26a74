"""ONNX export (dynamic batch and sequence) in the Hugging Face layout transformers.js loads:
config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx, onnx/model_quantized.onnx."""
from __future__ import annotations

import shutil
from pathlib import Path

import torch
from torch import nn

from .common import write_json
from .model import Encoder
from .quantize import quantize_file

OPSET = 14


class _ExportClassifier(nn.Module):
    def __init__(self, clf):
        super().__init__()
        self.clf = clf

    def forward(self, input_ids, attention_mask, token_type_ids):
        logits, hidden = self.clf(input_ids, attention_mask, token_type_ids)
        return logits, hidden


class _ExportJoint(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids, attention_mask, token_type_ids)


class _ExportEncoder(nn.Module):
    def __init__(self, enc: Encoder):
        super().__init__()
        self.enc = enc

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.enc(input_ids, attention_mask, token_type_ids)


def hf_config(enc: Encoder, labels: list[str] | None, extra: dict) -> dict:
    c = enc.config
    cfg = {
        "model_type": "bert",
        "architectures": ["BertForSequenceClassification" if labels else "BertModel"],
        "vocab_size": c.vocab_size,
        "hidden_size": c.hidden,
        "num_hidden_layers": c.layers,
        "num_attention_heads": c.heads,
        "intermediate_size": c.intermediate,
        "hidden_act": "gelu",
        "max_position_embeddings": c.max_len,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "shopbot": extra,
    }
    if labels:
        cfg["id2label"] = {str(i): l for i, l in enumerate(labels)}
        cfg["label2id"] = {l: i for i, l in enumerate(labels)}
    return cfg


def export(model: nn.Module, kind: str, out_dir: Path, tokenizer_dir: Path, config: dict, quant_min: int = 4096) -> None:
    """kind: 'classifier' (outputs logits, last_hidden_state), 'joint' (logits, tag_logits,
    last_hidden_state) or 'encoder' (last_hidden_state)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "onnx").mkdir(exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tokenizer_dir / name, out_dir / name)
    write_json(out_dir / "config.json", config)
    model = model.cpu().eval()
    # torch.onnx.export restores the wrapper's training flag afterwards, recursively: a wrapper left
    # in training mode would switch dropout back on in the caller's model.
    wrappers = {"classifier": _ExportClassifier, "joint": _ExportJoint}
    wrapped = (wrappers[kind](model) if kind in wrappers else _ExportEncoder(model.encoder)).eval()
    outputs = {"classifier": ["logits", "last_hidden_state"], "joint": ["logits", "tag_logits", "last_hidden_state"]}.get(
        kind, ["last_hidden_state"])
    ids = torch.tensor([[2, 10, 11, 12, 3], [2, 13, 3, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    typ = torch.zeros_like(ids)
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "token_type_ids": {0: "batch", 1: "sequence"}, "last_hidden_state": {0: "batch", 1: "sequence"}}
    if kind in wrappers:
        axes["logits"] = {0: "batch"}
    if kind == "joint":
        axes["tag_logits"] = {0: "batch", 1: "sequence"}
    path = out_dir / "onnx" / "model.onnx"
    with torch.no_grad():
        torch.onnx.export(wrapped, (ids, mask, typ), str(path), input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=outputs, dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    quantize_file(path, out_dir / "onnx" / "model_quantized.onnx", quant_min)
