"""Sentence encoder trained contrastively (InfoNCE, in-batch negatives, both directions) on
self-supervised catalog pairs: query-like spans <-> product passage, title <-> bullets."""
from __future__ import annotations

import copy
import math
import random

import torch
import torch.nn.functional as F

from .common import linear_schedule, log, optimizer_step, pad_batch
from .model import Encoder, SentenceEncoder


def train_embedding(enc: Encoder, pairs: list[tuple[str, str]], tok, *, epochs: int, batch: int, lr: float,
                    query_len: int, passage_len: int, temperature: float, seed: int, device,
                    max_steps: int | None = None) -> SentenceEncoder:
    rng = random.Random(seed)
    model = SentenceEncoder(copy.deepcopy(enc)).to(device)
    steps_per_epoch = math.ceil(len(pairs) / batch)
    total = steps_per_epoch * epochs if max_steps is None else min(max_steps, steps_per_epoch * epochs)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = linear_schedule(opt, total, max(1, total // 10))
    enc_q = [tok.encode(q, query_len) for q, _ in pairs]
    enc_p = [tok.encode(p, passage_len) for _, p in pairs]
    step = 0
    for epoch in range(epochs):
        model.train()
        order = list(range(len(pairs)))
        rng.shuffle(order)
        run = 0.0
        n = 0
        for s in range(0, len(order), batch):
            if step >= total:
                break
            chunk = order[s : s + batch]
            if len(chunk) < 2:
                continue
            qi, qm = pad_batch([enc_q[i] for i in chunk], device)
            pi, pm = pad_batch([enc_p[i] for i in chunk], device)
            q = model(qi, qm)
            p = model(pi, pm)
            sim = q @ p.t() / temperature
            # Identical passages in one batch are not negatives of each other.
            texts = [pairs[i][1] for i in chunk]
            same = torch.tensor([[a == b for b in texts] for a in texts], device=device)
            eye = torch.eye(len(chunk), dtype=torch.bool, device=device)
            sim = sim.masked_fill(same & ~eye, -1e4)
            y = torch.arange(len(chunk), device=device)
            loss = (F.cross_entropy(sim, y) + F.cross_entropy(sim.t(), y)) / 2
            run += optimizer_step(model, opt, sched, loss)
            n += 1
            step += 1
            if step % 20 == 0:
                log(f"embedding step {step}/{total} loss {run / n:.3f}")
        log(f"embedding epoch {epoch + 1}/{epochs} loss {run / max(1, n):.3f}")
        if step >= total:
            break
    model.eval()
    return model
