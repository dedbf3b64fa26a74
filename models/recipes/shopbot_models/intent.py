"""Intent classifier fine-tuned from the pre-trained encoder.

Out of scope is handled twice: as a trained class (where the data has examples) and by a
confidence threshold chosen on held-out data. Class imbalance: inverse-square-root class weights."""
from __future__ import annotations

import copy
import math
import random
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F

from .common import linear_schedule, log, optimizer_step, pad_batch
from .model import Classifier, Encoder
from .text import WordPiece


def class_weights(labels: list[int], n: int) -> torch.Tensor:
    c = Counter(labels)
    w = torch.tensor([1.0 / math.sqrt(c.get(i, 1)) for i in range(n)])
    return w / w.mean()


@torch.no_grad()
def predict_proba(model: Classifier, texts: list[str], tok: WordPiece, max_len: int, device, batch: int = 256) -> np.ndarray:
    model.eval()
    out = []
    idx = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for s in range(0, len(idx), batch):
        chunk = idx[s : s + batch]
        ids, mask = pad_batch([tok.encode(texts[i], max_len) for i in chunk], device)
        logits, _ = model(ids, mask)
        out.append((chunk, logits.softmax(-1).cpu().numpy()))
    probs = np.zeros((len(texts), model.head.out_features), dtype=np.float32)
    for chunk, p in out:
        probs[chunk] = p
    return probs


def apply_threshold(probs: np.ndarray, oos: int | None, threshold: float) -> np.ndarray:
    pred = probs.argmax(1)
    if oos is not None:
        pred = np.where(probs.max(1) < threshold, oos, pred)
    return pred


def choose_threshold(probs: np.ndarray, gold: np.ndarray, oos: int | None) -> float:
    """The confidence below which a turn becomes out_of_scope, maximizing held-out accuracy with
    in-scope accuracy and out-of-scope recall weighted equally (so a rare OOS class still counts)."""
    if oos is None or not (gold == oos).any():
        return 0.0
    best, best_t = -1.0, 0.0
    for t in np.linspace(0.0, 0.95, 96):
        pred = apply_threshold(probs, oos, float(t))
        ins = gold != oos
        score = (pred[ins] == gold[ins]).mean() + (pred[~ins] == oos).mean()
        if score > best + 1e-9:
            best, best_t = score, float(t)
    return best_t


def finetune(enc: Encoder, train: list[tuple[str, int]], labels: list[str], tok: WordPiece, *, epochs: int,
             batch: int, lr: float, max_len: int, seed: int, device, max_steps: int | None = None,
             dev: list[tuple[str, int]] | None = None) -> Classifier:
    rng = random.Random(seed)
    model = Classifier(copy.deepcopy(enc), len(labels)).to(device)
    weights = class_weights([y for _, y in train], len(labels)).to(device)
    steps_per_epoch = math.ceil(len(train) / batch)
    total = steps_per_epoch * epochs if max_steps is None else min(max_steps, steps_per_epoch * epochs)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = linear_schedule(opt, total, max(1, total // 10))
    encoded = [(tok.encode(t, max_len), y) for t, y in train]
    step = 0
    for epoch in range(epochs):
        model.train()
        order = list(range(len(encoded)))
        rng.shuffle(order)
        run = 0.0
        for s in range(0, len(order), batch):
            if step >= total:
                break
            chunk = [encoded[i] for i in order[s : s + batch]]
            ids, mask = pad_batch([c[0] for c in chunk], device)
            y = torch.tensor([c[1] for c in chunk], device=device)
            logits, _ = model(ids, mask)
            loss = F.cross_entropy(logits, y, weight=weights, label_smoothing=0.05)
            run += optimizer_step(model, opt, sched, loss)
            step += 1
        msg = f"intent epoch {epoch + 1}/{epochs} loss {run / max(1, steps_per_epoch):.3f}"
        if dev:
            p = predict_proba(model, [t for t, _ in dev], tok, max_len, device)
            msg += f" dev acc {(p.argmax(1) == np.array([y for _, y in dev])).mean():.4f}"
        log(msg)
        if step >= total:
            break
    model.eval()
    return model
