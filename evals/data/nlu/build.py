#!/usr/bin/env python3
"""Builds the joint NLU data (intent + BIO spans): report.jsonl (frozen first), dev.jsonl, train.jsonl.

  /usr/bin/python3 evals/data/nlu/build.py [--seed 13]

Rows: {"text", "intent", "lang", "source", "spans": [{"label", "start", "end"}] | null}; `spans` null
means the row has no span annotation (its tag loss is masked), [] means annotated and empty.
Sources (see README.md): the store intent data (evals/data/intent), whose dev split is halved
(seeded by text hash) into this dev and report; shopper queries generated from the demo catalog
(evals/data/esci/ubi_ecommerce_products.json.gz) and the Chinese glossary, en + zh, with slot
offsets. Report rows come from held-out templates filled from held-out products, brands and
Chinese terms; nothing in report.jsonl appears in any training file (test/models/nlu-data.test.ts).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent
LABELS = ["PRODUCT", "BRAND", "COLOR", "SIZE", "PRICE", "NEG", "ORDER_ID", "EMAIL"]


def bucket(s: str, n: int) -> int:
    return int(hashlib.sha1(s.encode("utf-8")).hexdigest()[:8], 16) % n


# ---- fillers -------------------------------------------------------------------------------
EN_COLORS = ["red", "black", "white", "blue", "green", "grey", "pink", "purple", "navy", "brown", "beige",
             "gold", "silver", "yellow", "orange", "rose gold", "light blue", "dark green", "khaki", "olive"]
ZH_COLORS = ["红色", "黑色", "白色", "蓝色", "绿色", "灰色", "粉色", "紫色", "棕色", "米色", "金色", "银色", "黄色", "橙色",
             "深蓝色", "浅蓝色", "玫瑰金"]
EN_SIZES = ["small", "medium", "large", "xl", "xxl", "size 10", "size 8", "size 9.5", "queen size", "king size",
            "xs", "size m", "size l", "extra large", "12 inch", "32 oz"]
ZH_SIZES = ["大号", "中号", "小号", "加大号", "均码", "XL", "M码", "L码", "42码", "38码"]
EN_PRICES = ["under $20", "under 50 dollars", "less than $100", "around twenty bucks", "around $30", "below 40",
             "between 30 and 50 dollars", "$25 or less", "under a hundred bucks", "no more than $60", "cheaper than $15",
             "for about 40 bucks", "under 200", "within $80", "max 35 dollars", "between $10 and $20"]
ZH_PRICES = ["200块以内", "100元以下", "50到100块", "一百块左右", "三百元以内", "不超过500元", "便宜点的", "80块以下",
             "两百以内", "150元左右"]
EN_FEATURES = ["a lid", "buckles", "a cord", "batteries", "a hood", "straps", "plastic", "leather", "wheels", "a cable"]
ZH_FEATURES = ["皮", "塑料", "盖子", "带子", "电池", "帽子的"]
EMAIL_USERS = ["anna", "j.smith", "li.wei", "mike_88", "sara.k", "wang.fang", "tom", "chen01", "kate.b", "zhang.min"]
EMAIL_HOSTS = ["gmail.com", "example.com", "outlook.com", "qq.com", "163.com", "yahoo.com"]
_STOP = {"for", "with", "and", "the", "of", "in", "to", "by", "on", "a", "an", "pack", "set", "women", "men", "womens",
         "mens", "women's", "men's", "kids", "new", "inch", "oz", "pcs", "piece", "size", "compatible", "x", "plus"}


def product_phrases(catalog: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(product phrase, brand) from each title: its head segment without brand, colours, sizes and
    numbers, the last 1-3 words (`Memory Foam Mattress`). Brands: the catalog's own."""
    out, brands = [], set()
    colors = set(w for c in EN_COLORS for w in c.split())
    with gzip.open(catalog, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            title, brand = (r.get("title") or "").strip(), (r.get("brand") or "").strip()
            if brand and len(brand) <= 20 and re.fullmatch(r"[A-Za-z][A-Za-z0-9 &'.-]+", brand):
                brands.add(brand)
            head = re.split(r"\s[-–|:]\s|,|\(|\[|;", title)[0]
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z']*[A-Za-z]", head)]
            bl = {w.lower() for w in brand.split()}
            words = [w.lower() for w in words if w.lower() not in bl and w.lower() not in colors]
            while words and (words[-1] in _STOP or len(words[-1]) < 3):
                words.pop()
            if not words:
                continue
            n = 1 + bucket(title, 3)
            tail = words[-n:]
            while tail and tail[0] in _STOP:
                tail = tail[1:]
            if tail and len(" ".join(tail)) >= 4 and not set(tail) & _STOP:
                out.append((" ".join(tail), brand))
    return out, sorted(brands)


def zh_products() -> list[str]:
    src = (ROOT / "src/retrieval/glossary.ts").read_text(encoding="utf-8")
    keys = re.findall(r"([\u4e00-\u9fff]+): '", src)
    skip = {"男士", "男", "女士", "女", "儿童", "孩子", "婴儿", "宝宝", "防水", "便携", "可充电", "皮", "皮革", "棉", "不锈钢",
            "硅胶", "跑步", "运动", "健身", "蓝牙", "无线", "降噪", "保温", "加热", "办公", "户外", "露营", "厨房"}
    return [k for k in dict.fromkeys(keys) if k not in skip]


# ---- templates: text with {SLOT} markers; the slot's label is its name (NEG_* -> NEG) ----------
T = tuple  # (intent, template)
EN_TEMPLATES: list[T] = [
    ("product_search", "{PRODUCT}"), ("product_search", "{BRAND} {PRODUCT}"), ("product_search", "{COLOR} {PRODUCT}"),
    ("product_search", "i want {PRODUCT}"), ("product_search", "i want to buy a {PRODUCT}"),
    ("product_search", "looking for a {COLOR} {PRODUCT}"), ("product_search", "do you have any {PRODUCT}?"),
    ("product_search", "show me {PRODUCT} {PRICE}"), ("product_search", "{PRODUCT} {PRICE}"),
    ("product_search", "need a {PRODUCT} for my son, {PRICE}"), ("product_search", "{PRODUCT} but nothing from {NEG_BRAND}"),
    ("product_search", "a {PRODUCT}, not {NEG_COLOR}"), ("product_search", "{PRODUCT} without {NEG_FEATURE}"),
    ("product_search", "{COLOR} {PRODUCT} in {SIZE}"), ("product_search", "{PRODUCT} {SIZE}"),
    ("product_search", "{BRAND} {PRODUCT} in {COLOR} {PRICE}"), ("product_search", "any {BRAND} {PRODUCT}?"),
    ("product_search", "got any {PRODUCT} from {BRAND}"), ("product_search", "in {COLOR}"),
    ("product_search", "something in {COLOR} please"), ("product_search", "i'm after a {SIZE} {PRODUCT}"),
    ("product_search", "recommend a good {PRODUCT} {PRICE}"), ("product_search", "{PRODUCT} no {NEG_BRAND} please"),
    ("product_search", "can you find me a {PRODUCT} that isn't {NEG_COLOR}"), ("product_search", "any {PRODUCT} {PRICE}? not {NEG_BRAND}"),
    ("product_search", "hi, looking for {COLOR} {PRODUCT} by {BRAND}"), ("product_search", "what {PRODUCT} do you have"),
    ("product_search", "cheapest {PRODUCT} you have"), ("product_search", "{PRODUCT} pls {PRICE}"),
    ("product_search", "show me {BRAND} stuff but not {NEG_COLOR}"), ("product_search", "same but in {SIZE}"),
    ("product_search", "my budget is {PRICE}, i need a {PRODUCT}"), ("product_search", "i'd like {PRODUCT}, preferably {COLOR}"),
    ("product_question", "does the {PRODUCT} come in {COLOR}?"), ("product_question", "is the {BRAND} {PRODUCT} available in {SIZE}?"),
    ("product_question", "is the second one {COLOR}?"), ("product_question", "how much is the {BRAND} {PRODUCT}?"),
    ("product_question", "does this {PRODUCT} have {NEG_FEATURE}?"), ("product_question", "what size is the {PRODUCT}"),
    ("add_to_cart", "add the {COLOR} {PRODUCT} to my cart"), ("add_to_cart", "add two {BRAND} {PRODUCT} to the cart"),
    ("add_to_cart", "put the {SIZE} one in my basket"), ("add_to_cart", "i'll take the {PRODUCT}"),
    ("order_status", "where is my order {ORDER_ID}"), ("order_status", "track order {ORDER_ID} please"),
    ("order_status", "order {ORDER_ID} hasn't arrived, my email is {EMAIL}"), ("order_status", "status of #{ORDER_ID}?"),
    ("order_status", "my order number is {ORDER_ID} and email {EMAIL}, where is it"),
    ("order_status", "hi, can you check order {ORDER_ID} for {EMAIL}"),
    ("cancel_order", "cancel order {ORDER_ID}"), ("cancel_order", "please cancel my order {ORDER_ID}, email {EMAIL}"),
    ("returns_refunds", "i want to return order {ORDER_ID}"), ("returns_refunds", "refund for order {ORDER_ID} please, {EMAIL}"),
    ("account", "my email is {EMAIL}"), ("account", "change my account email to {EMAIL}"),
    ("checkout_help", "send the receipt to {EMAIL}"), ("checkout_help", "i want to check out, my email is {EMAIL}"),
]
ZH_TEMPLATES: list[T] = [
    ("product_search", "{PRODUCT}"), ("product_search", "我想买{PRODUCT}"), ("product_search", "我想买个{PRODUCT}"),
    ("product_search", "有没有{COLOR}的{PRODUCT}"), ("product_search", "{BRAND}的{PRODUCT}"), ("product_search", "{PRODUCT}，{PRICE}"),
    ("product_search", "{PRICE}的{PRODUCT}"), ("product_search", "{PRODUCT}，不要{NEG_COLOR}的"),
    ("product_search", "{PRODUCT}不要{NEG_BRAND}的"), ("product_search", "{SIZE}的{PRODUCT}"), ("product_search", "推荐一款{PRODUCT}"),
    ("product_search", "帮我找{COLOR}{PRODUCT}"), ("product_search", "不要{NEG_COLOR}的"), ("product_search", "有{COLOR}的吗"),
    ("product_search", "想要一个{PRODUCT}，{PRICE}"), ("product_search", "给我看看{BRAND}的{PRODUCT}"),
    ("product_search", "{COLOR}{SIZE}{PRODUCT}"), ("product_search", "找一下{PRODUCT}，不要{NEG_FEATURE}"),
    ("product_search", "有没有{PRODUCT}啊"), ("product_search", "我需要{PRICE}的{COLOR}{PRODUCT}"),
    ("product_search", "{PRODUCT}有吗"), ("product_search", "换个{COLOR}的"),
    ("product_question", "第二个是{COLOR}的吗"), ("product_question", "这个{PRODUCT}有{SIZE}吗"),
    ("product_question", "{BRAND}的{PRODUCT}多少钱"), ("product_question", "这款有{COLOR}吗"),
    ("add_to_cart", "把{COLOR}的{PRODUCT}加入购物车"), ("add_to_cart", "加两个{PRODUCT}到购物车"), ("add_to_cart", "我要{SIZE}的那个"),
    ("order_status", "我的订单{ORDER_ID}到哪了"), ("order_status", "查一下订单{ORDER_ID}，邮箱{EMAIL}"),
    ("order_status", "订单号{ORDER_ID}怎么还没到"), ("cancel_order", "取消订单{ORDER_ID}"),
    ("returns_refunds", "订单{ORDER_ID}我想退货"), ("account", "我的邮箱是{EMAIL}"), ("checkout_help", "结账，邮箱{EMAIL}"),
]


def split_of_template(i: int) -> str:
    return "report" if i % 6 == 0 else "dev" if i % 6 == 3 else "train"


def fill(template: str, pick) -> tuple[str, list[dict]]:
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{([A-Z_]+)\}", template):
        text += template[pos : m.start()]
        slot = m.group(1)
        value = pick(slot)
        label = "NEG" if slot.startswith("NEG_") else slot
        spans.append({"label": label, "start": len(text), "end": len(text) + len(value)})
        text += value
        pos = m.end()
    text += template[pos:]
    return text, spans


def generate(split: str, lang: str, templates: list[T], pools: dict, rng: random.Random, per_template: int) -> list[dict]:
    rows = []
    for i, (intent, tpl) in enumerate(templates):
        if split_of_template(i) != split:
            continue
        for _ in range(per_template):
            def pick(slot: str) -> str:
                key = slot[4:] if slot.startswith("NEG_") else slot
                v = rng.choice(pools[key])
                if key == "PRODUCT" and lang == "en" and rng.random() < 0.3:
                    v = v + "s" if not v.endswith("s") else v
                return v
            text, spans = fill(tpl, pick)
            if lang == "en" and rng.random() < 0.15:
                text = text.capitalize()
            rows.append({"text": text, "intent": intent, "lang": lang, "source": "catalog-template", "spans": spans})
    return rows


def order_id(rng: random.Random) -> str:
    return rng.choice([str(rng.randint(10**5, 10**9)), f"SB-{rng.randint(1000, 99999)}", str(rng.randint(1000, 99999))])


def email(rng: random.Random, split: str) -> str:
    return f"{rng.choice(EMAIL_USERS)}{rng.randint(1, 99) if split != 'train' else ''}@{rng.choice(EMAIL_HOSTS)}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    phrases, brands = product_phrases(ROOT / "evals/data/esci/ubi_ecommerce_products.json.gz")
    zh = zh_products()
    split_by = {"report": 0, "dev": 1}

    def part(xs, key, split):
        k = split_by.get(split)
        return [x for x in xs if (bucket(key(x), 8) == k if k is not None else bucket(key(x), 8) >= 2)]

    conv_turns = set()
    for f in (ROOT / "evals/conversations").rglob("*.json"):
        d = json.loads(f.read_text(encoding="utf-8"))
        for c in d.get("conversations", []) if isinstance(d, dict) else []:
            for t in c.get("turns", []):
                if isinstance(t.get("user"), str):
                    conv_turns.add(t["user"].strip().lower())
    out: dict[str, list[dict]] = {}
    for split, per in (("report", 20), ("dev", 12), ("train", 60)):
        rng = random.Random(f"{args.seed}-{split}")
        prods = sorted({p for p, _ in part(phrases, lambda x: x[0], split)})
        en_pools = {"PRODUCT": prods, "BRAND": part(brands, lambda x: x, split), "COLOR": EN_COLORS, "SIZE": EN_SIZES,
                    "PRICE": EN_PRICES, "FEATURE": EN_FEATURES, "ORDER_ID": None, "EMAIL": None}
        zh_pools = {**en_pools, "PRODUCT": part(zh, lambda x: x, split), "COLOR": ZH_COLORS, "SIZE": ZH_SIZES,
                    "PRICE": ZH_PRICES, "FEATURE": ZH_FEATURES}
        for pools in (en_pools, zh_pools):
            pools["ORDER_ID"] = [order_id(rng) for _ in range(300)]
            pools["EMAIL"] = [email(rng, split) for _ in range(300)]
        rows = generate(split, "en", EN_TEMPLATES, en_pools, rng, per) + generate(split, "zh", ZH_TEMPLATES, zh_pools, rng, per)
        out[split] = rows
    # The store intent data: train as is (no span annotation); its dev halves into dev and report.
    def read(p):
        return [json.loads(l) for l in (ROOT / p).read_text(encoding="utf-8").splitlines() if l.strip()]
    intent_train = [{**r, "spans": None} for r in read("evals/data/intent/train.jsonl")]
    for r in read("evals/data/intent/dev.jsonl"):
        (out["report"] if bucket(r["text"], 2) == 0 else out["dev"]).append({**r, "spans": None})
    out["train"] = intent_train + out["train"]
    # Report rows never appear in training data (nor in this dev); the report conversations' user
    # turns never appear in training data.
    train_texts = {r["text"].strip().lower() for r in out["train"]}
    out["report"] = list({r["text"].strip().lower(): r for r in out["report"] if r["text"].strip().lower() not in train_texts}.values())
    report_texts = {r["text"].strip().lower() for r in out["report"]}
    out["dev"] = [r for r in out["dev"] if r["text"].strip().lower() not in report_texts | train_texts]
    out["train"] = [r for r in out["train"] if r["text"].strip().lower() not in conv_turns]
    for split, rows in out.items():
        with (OUT / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(split, len(rows), sum(1 for r in rows if r["spans"] is not None), "with spans")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
