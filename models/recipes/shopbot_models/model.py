"""A small BERT-style encoder (post-LN, GELU, learned positions) with the heads each recipe needs.

Parameter names follow nothing in particular: the ONNX graph is what ships, and transformers.js
only needs the BERT input/output names (input_ids, attention_mask, token_type_ids ->
last_hidden_state, logits)."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
import torch.nn.functional as F


@dataclass
class EncoderConfig:
    vocab_size: int
    hidden: int = 128
    layers: int = 4
    heads: int = 4
    intermediate: int = 512
    max_len: int = 128
    dropout: float = 0.1

    def to_dict(self) -> dict:
        return asdict(self)


class Layer(nn.Module):
    def __init__(self, c: EncoderConfig):
        super().__init__()
        self.heads = c.heads
        self.qkv = nn.Linear(c.hidden, 3 * c.hidden)
        self.out = nn.Linear(c.hidden, c.hidden)
        self.ln1 = nn.LayerNorm(c.hidden, eps=1e-12)
        self.ff1 = nn.Linear(c.hidden, c.intermediate)
        self.ff2 = nn.Linear(c.intermediate, c.hidden)
        self.ln2 = nn.LayerNorm(c.hidden, eps=1e-12)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(d)) + bias
        att = self.drop(att.softmax(-1))
        y = (att @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + self.drop(self.out(y)))
        return self.ln2(x + self.drop(self.ff2(F.gelu(self.ff1(x)))))


class Encoder(nn.Module):
    def __init__(self, c: EncoderConfig):
        super().__init__()
        self.config = c
        self.tok = nn.Embedding(c.vocab_size, c.hidden)
        self.pos = nn.Embedding(c.max_len, c.hidden)
        self.typ = nn.Embedding(2, c.hidden)
        self.ln = nn.LayerNorm(c.hidden, eps=1e-12)
        self.drop = nn.Dropout(c.dropout)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c.layers))
        self.apply(_init)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        t = input_ids.shape[1]
        pos = torch.arange(t, device=input_ids.device).unsqueeze(0)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.tok(input_ids) + self.pos(pos) + self.typ(token_type_ids)
        x = self.drop(self.ln(x))
        # Large negative (not -inf) keeps fully padded rows finite in fp32 and in ONNX.
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -1e4
        for layer in self.layers:
            x = layer(x, bias)
        return x


def _init(m: nn.Module) -> None:
    if isinstance(m, (nn.Linear, nn.Embedding)):
        nn.init.normal_(m.weight, std=0.02)
    if isinstance(m, nn.Linear) and m.bias is not None:
        nn.init.zeros_(m.bias)


class MaskedLM(nn.Module):
    """Encoder + transform + output projection tied to the token embeddings."""

    def __init__(self, enc: Encoder):
        super().__init__()
        self.encoder = enc
        h = enc.config.hidden
        self.dense = nn.Linear(h, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.bias = nn.Parameter(torch.zeros(enc.config.vocab_size))

    def forward(self, input_ids, attention_mask, labels):
        x = self.encoder(input_ids, attention_mask)
        sel = labels >= 0
        y = self.ln(F.gelu(self.dense(x[sel])))
        logits = y @ self.encoder.tok.weight.t() + self.bias
        return F.cross_entropy(logits, labels[sel])


class Classifier(nn.Module):
    """[CLS] pooled classifier; the ONNX export also returns last_hidden_state."""

    def __init__(self, enc: Encoder, labels: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = enc
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(enc.config.hidden, labels)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        x = self.encoder(input_ids, attention_mask, token_type_ids)
        return self.head(self.drop(x[:, 0])), x


class SentenceEncoder(nn.Module):
    """Mean pooling over real tokens, L2-normalized: the same pooling Node applies."""

    def __init__(self, enc: Encoder):
        super().__init__()
        self.encoder = enc

    def hidden(self, input_ids, attention_mask, token_type_ids=None):
        return self.encoder(input_ids, attention_mask, token_type_ids)

    def forward(self, input_ids, attention_mask):
        x = self.encoder(input_ids, attention_mask)
        return mean_pool(x, attention_mask)


def mean_pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(x.dtype)
    v = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
    return F.normalize(v, dim=-1)


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
