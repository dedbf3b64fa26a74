"""Joint intent + span model fine-tuned from the pre-trained encoder: a [CLS] intent head and a
per-token BIO tag head over the same encoder (one pass serves both).

Spans are character offsets in the raw text. Tags are assigned per pre-tokenized word (the words
BertPreTokenizer makes after BertNormalizer: whitespace, punctuation and each Chinese character
split off); the word's first WordPiece carries its tag, its other pieces are ignored by the loss and
by decoding. Node splits words the same way (src/models/joint.ts `wordsWithOffsets`). Rows
without span annotation (`spans` null) train the intent head only."""
from __future__ import annotations

import copy
import math
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import text
from .common import linear_schedule, log, optimizer_step, pad_batch
from .intent import class_weights
from .model import Encoder

SPAN_LABELS = ["PRODUCT", "BRAND", "COLOR", "SIZE", "PRICE", "NEG", "ORDER_ID", "EMAIL"]
TAGS = ["O"] + [f"{p}-{l}" for l in SPAN_LABELS for p in ("B", "I")]
IGNORE = -100


class JointModel(nn.Module):
    """Outputs (intent logits [B, K], tag logits [B, T, tags], last hidden state)."""

    def __init__(self, enc: Encoder, intents: int, tags: int = len(TAGS), dropout: float = 0.1):
        super().__init__()
        self.encoder = enc
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(enc.config.hidden, intents)
        self.tagger = nn.Linear(enc.config.hidden, tags)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        x = self.encoder(input_ids, attention_mask, token_type_ids)
        h = self.drop(x)
        return self.head(h[:, 0]), self.tagger(h), x


def words_with_offsets(raw: str) -> list[tuple[str, int, int]]:
    """The normalized words of `raw` (as text.words_of makes them) with their character span in raw."""
    out: list[tuple[str, int, int]] = []
    cur: list[str] = []
    start = 0

    def flush(end: int) -> None:
        if cur:
            out.append(("".join(cur), start, end))
            cur.clear()

    for i, ch in enumerate(raw):
        norm = text.normalize(ch)
        cp = ord(ch)
        if ch in text._JS_SPACE or (norm.strip() == "" and norm != ""):
            flush(i)
        elif text.is_cjk(cp):
            flush(i)
            out.append((ch, i, i + 1))
        elif norm == "":
            continue  # control characters and combining marks vanish in normalization
        elif len(norm) == 1 and text._is_punct(norm):
            flush(i)
            out.append((norm, i, i + 1))
        else:
            if not cur:
                start = i
            cur.append(norm)
    flush(len(raw))
    return out


def encode_with_tags(tok: text.WordPiece, raw: str, spans: list[dict] | None, max_len: int) -> tuple[list[int], list[int], list[int]]:
    """ids ([CLS] … [SEP]), tag ids (IGNORE where not scored), and for each id the word index (-1 for specials)."""
    tag_of = {t: i for i, t in enumerate(TAGS)}
    ids, tags, word_index = [text.CLS], [IGNORE], [-1]
    for w, (word, s, e) in enumerate(words_with_offsets(raw)):
        pieces = tok.word_ids(word)
        if len(ids) + len(pieces) > max_len - 1:
            pieces = pieces[: max(0, max_len - 1 - len(ids))]
            if not pieces:
                break
        tag = IGNORE
        if spans is not None:
            tag = tag_of["O"]
            for sp in spans:
                if s >= sp["start"] and e <= sp["end"]:
                    tag = tag_of[("B-" if s == sp["start"] or not _inside_before(raw, sp, s) else "I-") + sp["label"]]
                    break
        for k, p in enumerate(pieces):
            ids.append(p)
            tags.append(tag if k == 0 else IGNORE)
            word_index.append(w)
    ids.append(text.SEP)
    tags.append(IGNORE)
    word_index.append(-1)
    return ids, tags, word_index


def _inside_before(raw: str, sp: dict, s: int) -> bool:
    """Whether some non-space character of the span precedes position s (then s continues the span)."""
    return raw[sp["start"] : s].strip() != ""


def decode_spans(tag_ids: list[int], words: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """BIO over words -> (label, start, end). A tag continues the span of its label on the previous
    word, B- or I- (the data never has two same-label spans side by side; src/models/joint.ts)."""
    out: list[list] = []
    for w, t in enumerate(tag_ids):
        tag = TAGS[t]
        if tag == "O":
            continue
        label = tag.split("-", 1)[1]
        if out and out[-1][0] == label and out[-1][3] == w - 1:
            out[-1][2] = words[w][2]
            out[-1][3] = w
        else:
            out.append([label, words[w][1], words[w][2], w])
    return [(l, s, e) for l, s, e, _ in out]


def span_f1(gold: list[set], pred: list[set]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    return 2 * tp / max(1, 2 * tp + fp + fn)


@torch.no_grad()
def predict(model: JointModel, rows: list[dict], tok: text.WordPiece, max_len: int, device, batch: int = 256):
    """Intent probabilities [N, K] and predicted spans per row (sets of (label, start, end))."""
    model.eval()
    probs = np.zeros((len(rows), model.head.out_features), dtype=np.float32)
    spans: list[set] = [set() for _ in rows]
    enc = [encode_with_tags(tok, r["text"], None, max_len) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: len(enc[i][0]))
    for s in range(0, len(order), batch):
        chunk = order[s : s + batch]
        ids, mask = pad_batch([enc[i][0] for i in chunk], device)
        logits, tag_logits, _ = model(ids, mask)
        probs[chunk] = logits.softmax(-1).cpu().numpy()
        best = tag_logits.argmax(-1).cpu().numpy()
        for b, i in enumerate(chunk):
            words = words_with_offsets(rows[i]["text"])
            per_word = [0] * len(words)
            seen = set()
            for t, w in enumerate(enc[i][2]):
                if w >= 0 and w not in seen:
                    seen.add(w)
                    per_word[w] = int(best[b, t])
            spans[i] = set(decode_spans(per_word[: len(seen)], words))
    return probs, spans


def finetune_joint(enc: Encoder, rows: list[dict], labels: list[str], tok: text.WordPiece, *, epochs: int, batch: int,
                   lr: float, max_len: int, seed: int, device, max_steps: int | None = None,
                   dev: list[dict] | None = None, tag_weight: float = 1.0) -> JointModel:
    rng = random.Random(seed)
    lid = {l: i for i, l in enumerate(labels)}
    model = JointModel(copy.deepcopy(enc), len(labels)).to(device)
    ys = [lid[r["intent"]] for r in rows]
    weights = class_weights(ys, len(labels)).to(device)
    encoded = [(*encode_with_tags(tok, r["text"], r.get("spans"), max_len)[:2], y) for r, y in zip(rows, ys)]
    steps_per_epoch = math.ceil(len(encoded) / batch)
    total = steps_per_epoch * epochs if max_steps is None else min(max_steps, steps_per_epoch * epochs)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = linear_schedule(opt, total, max(1, total // 10))
    step = 0
    for epoch in range(epochs):
        model.train()
        order = list(range(len(encoded)))
        rng.shuffle(order)
        run = run_tag = 0.0
        for s in range(0, len(order), batch):
            if step >= total:
                break
            chunk = [encoded[i] for i in order[s : s + batch]]
            ids, mask = pad_batch([c[0] for c in chunk], device)
            tags = torch.full(ids.shape, IGNORE, dtype=torch.long)
            for b, c in enumerate(chunk):
                tags[b, : len(c[1])] = torch.tensor(c[1])
            tags = tags.to(device)
            y = torch.tensor([c[2] for c in chunk], device=device)
            logits, tag_logits, _ = model(ids, mask)
            loss = F.cross_entropy(logits, y, weight=weights, label_smoothing=0.05)
            if (tags != IGNORE).any():
                tag_loss = F.cross_entropy(tag_logits.reshape(-1, tag_logits.shape[-1]), tags.reshape(-1), ignore_index=IGNORE)
                loss = loss + tag_weight * tag_loss
                run_tag += tag_loss.item()
            run += optimizer_step(model, opt, sched, loss)
            step += 1
        msg = f"joint epoch {epoch + 1}/{epochs} loss {run / max(1, steps_per_epoch):.3f} tag {run_tag / max(1, steps_per_epoch):.3f}"
        if dev:
            probs, spans = predict(model, dev, tok, max_len, device)
            gold_i = np.array([lid.get(r["intent"], -1) for r in dev])
            annotated = [i for i, r in enumerate(dev) if r.get("spans") is not None]
            f1 = span_f1([{(sp["label"], sp["start"], sp["end"]) for sp in dev[i]["spans"]} for i in annotated],
                         [spans[i] for i in annotated])
            msg += f" dev acc {(probs.argmax(1) == gold_i).mean():.4f} span F1 {f1:.4f}"
        log(msg)
        if step >= total:
            break
    model.eval()
    return model
