"""Masked-language-model pre-training on in-domain text (BERT's 15% with 80/10/10)."""
from __future__ import annotations

import random

import torch

from .common import linear_schedule, log, pad_batch
from .model import Encoder, EncoderConfig, MaskedLM, count_params
from .text import MASK, WordPiece, SPECIALS


def mask_tokens(seq: list[int], vocab_size: int, rng: random.Random) -> tuple[list[int], list[int]]:
    ids, labels = list(seq), [-100] * len(seq)
    body = list(range(1, len(seq) - 1))
    if not body:
        return ids, labels
    k = max(1, round(0.15 * len(body)))
    for j in rng.sample(body, min(k, len(body))):
        labels[j] = ids[j]
        r = rng.random()
        if r < 0.8:
            ids[j] = MASK
        elif r < 0.9:
            ids[j] = rng.randrange(len(SPECIALS), vocab_size)
    return ids, labels


def pack(texts: list[str], tok: WordPiece, max_len: int) -> list[list[int]]:
    """Concatenate neighbouring short texts (titles, bullets) into sequences up to max_len so a
    step sees full-length context instead of padding."""
    seqs: list[list[int]] = []
    cur: list[int] = []
    for t in texts:
        ids = tok.ids_of(t)[: max_len - 2]
        if not ids:
            continue
        if cur and len(cur) + 1 + len(ids) > max_len - 2:
            seqs.append([2, *cur, 3])
            cur = []
        cur = [*cur, 3, *ids] if cur else ids
    if cur:
        seqs.append([2, *cur, 3])
    return seqs


def pretrain(texts: list[str], tok: WordPiece, cfg: EncoderConfig, *, steps: int, batch: int, lr: float,
             seq_len: int, seed: int, device: torch.device) -> Encoder:
    rng = random.Random(seed)
    seqs = pack(texts, tok, seq_len)
    log(f"pretrain: {len(seqs)} packed sequences of <= {seq_len} tokens from {len(texts)} texts")
    enc = Encoder(cfg)
    model = MaskedLM(enc).to(device)
    log(f"pretrain: encoder {count_params(enc):,} parameters")
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = linear_schedule(opt, steps, max(1, steps // 20))
    model.train()
    order: list[int] = []
    ema = None
    for step in range(steps):
        if len(order) < batch:
            order = list(range(len(seqs)))
            rng.shuffle(order)
        pick = [order.pop() for _ in range(min(batch, len(order)))]
        masked = [mask_tokens(seqs[i], cfg.vocab_size, rng) for i in pick]
        ids, mask = pad_batch([m[0] for m in masked], device)
        labels, _ = pad_batch([m[1] for m in masked], device)
        labels[mask == 0] = -100
        loss = model(ids, mask, labels)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 20 == 0 or step == steps - 1:
            log(f"pretrain step {step + 1}/{steps} mlm loss {ema:.3f}")
    return enc
