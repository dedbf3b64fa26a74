"""Corpus readers: the catalog (gzipped JSON lines), intent utterances (JSON lines), policy
documents (markdown). Judged ESCI queries are never read here: the embedding model trains only on
self-supervised pairs cut from the catalog itself."""
from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path


def read_catalog(path: Path, limit: int | None = None) -> list[dict]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            # query_id links products to judged queries: never used.
            rows.append({
                "id": str(r.get("asin") or r.get("_id") or ""),
                "title": (r.get("title") or "").strip(),
                "brand": (r.get("brand") or "").strip(),
                "color": (r.get("color") or "").strip(),
                "bullets": [b.strip() for b in (r.get("bullet_points") or "").split("\n") if b.strip()],
                "description": (r.get("description") or "").strip(),
            })
            if limit and len(rows) >= limit:
                break
    return [r for r in rows if r["title"]]


def read_intents(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                # spans: only in the joint NLU files (evals/data/nlu); None means not annotated.
                rows.append({"text": str(r["text"]), "intent": str(r["intent"]), "lang": r.get("lang", "en"),
                             "spans": r.get("spans")})
    return rows


def read_judged_queries(path: Path) -> set[str]:
    """Only to exclude them from training corpora."""
    if not path.exists():
        return set()
    d = json.loads(path.read_text(encoding="utf-8"))
    return {str(q.get("queryText", "")).strip().lower() for q in d.get("querySetQueries", [])}


def read_policies(dir_: Path | None) -> list[str]:
    if not dir_ or not dir_.is_dir():
        return []
    out = []
    for p in sorted(dir_.glob("*.md")):
        out.extend(par.strip() for par in p.read_text(encoding="utf-8").split("\n\n") if par.strip())
    return out


_SENT = re.compile(r"(?<=[.!?])\s+")


def product_passage(p: dict) -> str:
    """The text the index embeds for a product (kind 'passage'); keep in sync with
    src/models/index.ts `productPassage`."""
    parts = [p["title"]]
    if p["brand"]:
        parts.append(p["brand"])
    if p["color"]:
        parts.append(p["color"])
    parts.extend(p["bullets"][:3])
    if not p["bullets"] and p["description"]:
        parts.append(p["description"][:400])
    return ". ".join(parts)


def pretraining_texts(products: list[dict], intents: list[str], policies: list[str]) -> list[str]:
    texts: list[str] = []
    for p in products:
        texts.append(p["title"])
        texts.extend(p["bullets"])
        if p["description"]:
            texts.extend(s for s in _SENT.split(p["description"]) if len(s) > 20)
    texts.extend(intents)
    texts.extend(policies)
    return [t for t in texts if t.strip()]


def query_like(p: dict, rng: random.Random) -> str:
    """A short shopper-style query cut from the product: a span of the title, sometimes with the
    brand or colour, sometimes a span of a bullet."""
    words = re.findall(r"[\w'\-]+", p["title"])
    if rng.random() < 0.2 and p["bullets"]:
        words = re.findall(r"[\w'\-]+", rng.choice(p["bullets"]))
    if not words:
        return p["title"][:60]
    n = min(len(words), rng.randint(2, 6))
    start = rng.randint(0, len(words) - n)
    q = words[start : start + n]
    if p["brand"] and rng.random() < 0.2:
        q = [p["brand"], *q]
    if p["color"] and rng.random() < 0.15:
        q.append(p["color"])
    return " ".join(q).lower()


def embedding_pairs(products: list[dict], rng: random.Random) -> list[tuple[str, str]]:
    pairs = []
    for p in products:
        pairs.append((query_like(p, rng), product_passage(p)))
        body = " ".join(p["bullets"][:3]) or p["description"][:400]
        if body:
            pairs.append((p["title"], body))
    rng.shuffle(pairs)
    return pairs
