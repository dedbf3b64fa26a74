#!/usr/bin/env python3
"""One command for every model artifact shopbot ships (npm run models:train), plus the tiny CI
configuration and the public-benchmark trainer used by `shopbot eval intent-benchmarks`.

  python3 models/recipes/train.py all [--size small] [--out models]
  python3 models/recipes/train.py ci --out DIR --intents FILE
  python3 models/recipes/train.py benchmark --clinc150 FILE --split val --banking77-train F --banking77-test F --out PRED.json
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from shopbot_models import data, text  # noqa: E402
from shopbot_models.common import file_size, log, setup, write_json  # noqa: E402
from shopbot_models.embedding import train_embedding  # noqa: E402
from shopbot_models.export import export, hf_config  # noqa: E402
from shopbot_models.joint import TAGS, encode_with_tags, finetune_joint, words_with_offsets, predict as predict_joint, span_f1
from shopbot_models.intent import apply_threshold, choose_threshold, finetune, predict_proba  # noqa: E402
from shopbot_models.model import Encoder, EncoderConfig, count_params, mean_pool  # noqa: E402
from shopbot_models.pretrain import pretrain  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OOS = "out_of_scope"

SIZES = {
    # The shipped size: about 2M parameters, a few tens of CPU minutes in total.
    "small": dict(vocab=9500, cjk=1500, hidden=128, layers=2, heads=4, intermediate=512, max_len=64, quant_min=4096,
                  pre_steps=300, pre_batch=32, pre_seq=48, pre_lr=1e-3,
                  intent_epochs=8, intent_batch=32, intent_lr=5e-4, joint_epochs=3, joint_lr=1e-3,
                  emb_epochs=3, emb_batch=32, emb_lr=3e-4),
    # For bench/gpu: a larger model and longer schedules.
    "base": dict(vocab=16000, cjk=3000, hidden=256, layers=6, heads=4, intermediate=1024, max_len=128, quant_min=4096,
                 pre_steps=6000, pre_batch=128, pre_seq=128, pre_lr=5e-4,
                 intent_epochs=10, intent_batch=32, intent_lr=1e-4, joint_epochs=10, joint_lr=1e-4,
                 emb_epochs=10, emb_batch=128, emb_lr=1e-4),
    # CI: every stage end to end in seconds.
    "tiny": dict(vocab=600, cjk=50, hidden=32, layers=2, heads=2, intermediate=64, max_len=64,
                 quant_min=256, pre_steps=3, pre_batch=8, pre_seq=32, pre_lr=1e-3,
                 intent_epochs=1, intent_batch=8, intent_lr=1e-3, joint_epochs=1, joint_lr=1e-3,
                 emb_epochs=1, emb_batch=8, emb_lr=1e-3),
}
INTENT_LEN = 64
QUERY_LEN = 32
PASSAGE_LEN = 64


def encoder_config(s: dict, vocab_size: int) -> EncoderConfig:
    return EncoderConfig(vocab_size=vocab_size, hidden=s["hidden"], layers=s["layers"], heads=s["heads"],
                         intermediate=s["intermediate"], max_len=s["max_len"])


def save_encoder(enc: Encoder, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # fp16 halves the committed size; fine-tuning starts from it in fp32.
    torch.save({"config": enc.config.to_dict(), "state": {k: v.half() for k, v in enc.state_dict().items()}}, path)


def load_encoder(path: Path) -> Encoder:
    ck = torch.load(path, map_location="cpu")
    enc = Encoder(EncoderConfig(**ck["config"]))
    enc.load_state_dict({k: v.float() for k, v in ck["state"].items()})
    return enc


def macro_f1(gold: np.ndarray, pred: np.ndarray, n: int) -> float:
    f1s = []
    for c in range(n):
        tp = int(((pred == c) & (gold == c)).sum())
        fp = int(((pred == c) & (gold != c)).sum())
        fn = int(((pred != c) & (gold == c)).sum())
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def build_tokenizer(texts: list[str], s: dict, out: Path) -> text.WordPiece:
    cjk = text.jieba_common_chars(s["cjk"])
    corpus_cjk = [ch for t in texts for ch in t if text.is_cjk(ord(ch))]
    vocab = text.train_vocab(texts, s["vocab"], cjk_chars=[*corpus_cjk, *cjk], log=log)
    text.write_tokenizer(vocab, out, s["max_len"])
    log(f"tokenizer: {len(vocab)} tokens ({sum(1 for v in vocab if len(v) == 1 and text.is_cjk(ord(v)))} CJK) -> {out}")
    return text.WordPiece(vocab)


def train_intent_model(enc, tok, rows_train, rows_dev, s, args, device, max_steps=None):
    labels = sorted({r["intent"] for r in rows_train} | {OOS})
    lid = {l: i for i, l in enumerate(labels)}
    train = [(r["text"], lid[r["intent"]]) for r in rows_train]
    dev = [(r["text"], lid[r["intent"]]) for r in rows_dev if r["intent"] in lid]
    clf = finetune(enc, train, labels, tok, epochs=s["intent_epochs"], batch=s["intent_batch"], lr=s["intent_lr"],
                   max_len=INTENT_LEN, seed=args.seed, device=device, max_steps=max_steps, dev=dev)
    probs = predict_proba(clf, [t for t, _ in dev], tok, INTENT_LEN, device)
    gold = np.array([y for _, y in dev])
    threshold = choose_threshold(probs, gold, lid[OOS])
    pred = apply_threshold(probs, lid[OOS], threshold)
    ins = gold != lid[OOS]
    metrics = {
        "accuracy": float((pred == gold).mean()),
        "macroF1": macro_f1(gold, pred, len(labels)),
        "oosRecall": float((pred[~ins] == lid[OOS]).mean()) if (~ins).any() else float("nan"),
        "inScopeAccuracy": float((pred[ins] == gold[ins]).mean()) if ins.any() else float("nan"),
        "threshold": threshold,
        "devSize": len(dev),
        "trainSize": len(train),
    }
    return clf, labels, threshold, metrics


def joint_config(model, labels: list[str], threshold: float) -> dict:
    cfg = hf_config(model.encoder, labels, {"task": "joint", "oosLabel": OOS, "oosThreshold": threshold,
                                            "maxLength": INTENT_LEN, "pooling": "cls", "tagLabels": TAGS,
                                            "tagging": "bio-first-piece"})
    cfg["architectures"] = ["BertModel"]  # transformers.js AutoModel then returns every output
    return cfg


def train_joint_model(enc, tok, rows_train, rows_dev, s, args, device, max_steps=None):
    """Joint intent + span fine-tune; the OOS threshold is chosen on dev (never on the report split)."""
    labels = sorted({r["intent"] for r in rows_train} | {OOS})
    lid = {l: i for i, l in enumerate(labels)}
    dev = [r for r in rows_dev if r["intent"] in lid]
    model = finetune_joint(enc, rows_train, labels, tok, epochs=s["joint_epochs"], batch=s["intent_batch"],
                           lr=s["joint_lr"], max_len=INTENT_LEN, seed=args.seed, device=device, max_steps=max_steps,
                           dev=dev)
    probs, spans = predict_joint(model, dev, tok, INTENT_LEN, device)
    gold = np.array([lid[r["intent"]] for r in dev])
    threshold = choose_threshold(probs, gold, lid[OOS])
    pred = apply_threshold(probs, lid[OOS], threshold)
    annotated = [i for i, r in enumerate(dev) if r.get("spans") is not None]
    metrics = {
        "accuracy": float((pred == gold).mean()),
        "macroF1": macro_f1(gold, pred, len(labels)),
        "spanF1": span_f1([{(x["label"], x["start"], x["end"]) for x in dev[i]["spans"]} for i in annotated],
                          [spans[i] for i in annotated]),
        "threshold": threshold,
        "devSize": len(dev),
        "trainSize": len(rows_train),
    }
    return model, labels, threshold, metrics


def cmd_all(args) -> int:
    s = SIZES[args.size]
    device = setup(args.seed, args.threads, args.device)
    out = Path(args.out)
    t0 = time.time()
    products = data.read_catalog(Path(args.catalog))
    rows_train = data.read_intents(Path(args.intent_train))
    rows_dev = data.read_intents(Path(args.intent_dev))
    policies = data.read_policies(Path(args.policies)) if args.policies else []
    # The intent data holds some judged ESCI queries as product_search examples: keep them out of
    # pre-training, which the embedding model inherits (judged queries are evaluation data).
    judged = data.read_judged_queries(Path(args.exclude_queries)) if args.exclude_queries else set()
    intent_texts = [r["text"] for r in rows_train if r["text"].strip().lower() not in judged]
    texts = data.pretraining_texts(products, intent_texts, policies)
    log(f"corpus: excluded {len(rows_train) - len(intent_texts)} judged queries from pre-training")
    log(f"corpus: {len(products)} products, {len(rows_train)} intent utterances, {len(policies)} policy paragraphs")
    reused = args.reuse_pretrained and (out / "encoder" / "encoder.pt").exists()
    if reused:
        tok = text.load_tokenizer(out / "tokenizer")
        enc = load_encoder(out / "encoder" / "encoder.pt")
        log("reusing the pre-trained encoder and tokenizer in " + str(out))
    else:
        tok = build_tokenizer(texts, s, out / "tokenizer")
        cfg = encoder_config(s, len(tok))
        enc = pretrain(texts, tok, cfg, steps=s["pre_steps"], batch=s["pre_batch"], lr=s["pre_lr"],
                       seq_len=s["pre_seq"], seed=args.seed, device=device)
        save_encoder(enc.cpu(), out / "encoder" / "encoder.pt")
    enc = enc.to(device)
    t_pre = time.time() - t0

    stages = set(args.stages.split(","))
    summary_file = out / "training-summary.json"
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else {}
    summary.update({"size": args.size, "seed": args.seed, "threads": args.threads, "device": str(device),
                    "corpus": {"products": len(products), "intentUtterances": len(rows_train),
                               "policyParagraphs": len(policies)}})
    summary.setdefault("parameters", {})["encoder"] = count_params(enc)
    if not reused:
        summary.setdefault("trainSeconds", {})["tokenizerAndPretrain"] = round(t_pre)
    if args.intent_epochs:
        s = {**s, "intent_epochs": args.intent_epochs}
    if args.emb_epochs:
        s = {**s, "emb_epochs": args.emb_epochs}
    if "intent" in stages:
        t1 = time.time()
        clf, labels, threshold, metrics = train_intent_model(enc, tok, rows_train, rows_dev, s, args, device)
        log(f"intent dev: {metrics}")
        export(clf, "classifier", out / "intent", out / "tokenizer",
               hf_config(clf.encoder, labels, {"task": "intent", "oosLabel": OOS, "oosThreshold": threshold,
                                               "maxLength": INTENT_LEN, "pooling": "cls"}),
               quant_min=s["quant_min"])
        summary["parameters"]["intent"] = count_params(clf)
        summary["trainSeconds"]["intent"] = round(time.time() - t1)
        summary["intentEpochs"] = s["intent_epochs"]
        summary["intentDev"] = metrics
    if "joint" in stages:
        t1 = time.time()
        if args.joint_epochs:
            s = {**s, "joint_epochs": args.joint_epochs}
        joint, labels, threshold, metrics = train_joint_model(enc, tok, data.read_intents(Path(args.nlu_train)),
                                                              data.read_intents(Path(args.nlu_dev)), s, args, device)
        log(f"joint dev: {metrics}")
        export(joint, "joint", out / "nlu", out / "tokenizer", joint_config(joint, labels, threshold),
               quant_min=s["quant_min"])
        summary["parameters"]["nlu"] = count_params(joint)
        summary["trainSeconds"]["nlu"] = round(time.time() - t1)
        summary["nluEpochs"] = s["joint_epochs"]
        summary["nluDev"] = metrics
    if "embedding" in stages:
        t1 = time.time()
        pairs = data.embedding_pairs(products, random.Random(args.seed))
        emb = train_embedding(enc, pairs, tok, epochs=s["emb_epochs"], batch=s["emb_batch"], lr=s["emb_lr"],
                              query_len=QUERY_LEN, passage_len=min(PASSAGE_LEN, s["max_len"]), temperature=0.05,
                              seed=args.seed, device=device)
        export(emb, "encoder", out / "embedding", out / "tokenizer",
               hf_config(emb.encoder, None, {"task": "embedding", "pooling": "mean", "normalize": True,
                                             "queryMaxLength": QUERY_LEN,
                                             "passageMaxLength": min(PASSAGE_LEN, s["max_len"])}),
               quant_min=s["quant_min"])
        summary["parameters"]["embedding"] = count_params(emb)
        summary["trainSeconds"]["embedding"] = round(time.time() - t1)
        summary["embeddingPairs"] = len(pairs)
        summary["embeddingEpochs"] = s["emb_epochs"]
    summary["bytes"] = {f"{m}/{f}": file_size(out / m / "onnx" / f) for m in ("intent", "nlu", "embedding")
                        for f in ("model.onnx", "model_quantized.onnx")}
    write_json(summary_file, summary)
    log(f"done: {json.dumps(summary)}")
    return 0


def cmd_ci(args) -> int:
    """Tiny end-to-end run for the CI round trip, plus PyTorch reference outputs for Node."""
    s = SIZES["tiny"]
    device = setup(args.seed, 1, "cpu")
    out = Path(args.out)
    products = data.read_catalog(Path(args.catalog), limit=60)
    rows = data.read_intents(Path(args.intents))
    texts = data.pretraining_texts(products, [r["text"] for r in rows], [])
    tok = build_tokenizer(texts, s, out / "tokenizer")
    enc = pretrain(texts, tok, encoder_config(s, len(tok)), steps=s["pre_steps"], batch=s["pre_batch"],
                   lr=s["pre_lr"], seq_len=s["pre_seq"], seed=args.seed, device=device)
    clf, labels, threshold, _ = train_intent_model(enc, tok, rows, rows, s, args, device, max_steps=3)
    export(clf, "classifier", out / "intent", out / "tokenizer",
           hf_config(clf.encoder, labels, {"task": "intent", "oosLabel": OOS, "oosThreshold": threshold,
                                           "maxLength": INTENT_LEN, "pooling": "cls"}),
           quant_min=s["quant_min"])
    pairs = data.embedding_pairs(products, random.Random(args.seed))
    emb = train_embedding(enc, pairs, tok, epochs=1, batch=s["emb_batch"], lr=s["emb_lr"], query_len=QUERY_LEN,
                          passage_len=min(PASSAGE_LEN, s["max_len"]), temperature=0.05, seed=args.seed, device=device,
                          max_steps=3)
    export(emb, "encoder", out / "embedding", out / "tokenizer",
           hf_config(emb.encoder, None, {"task": "embedding", "pooling": "mean", "normalize": True,
                                         "queryMaxLength": QUERY_LEN, "passageMaxLength": min(PASSAGE_LEN, s["max_len"])}),
           quant_min=s["quant_min"])
    joint = None
    if args.nlu:
        nlu_rows = data.read_intents(Path(args.nlu))
        joint, joint_labels, joint_threshold, _ = train_joint_model(enc, tok, nlu_rows, nlu_rows, s, args, device, max_steps=3)
        export(joint, "joint", out / "nlu", out / "tokenizer", joint_config(joint, joint_labels, joint_threshold),
               quant_min=s["quant_min"])
        joint.eval()
    clf.eval()
    emb.eval()
    probes = json.loads(Path(args.probes).read_text(encoding="utf-8"))
    ref = {"probes": probes, "tokens": [], "ids": [], "logits": [], "embeddings": [], "jointIds": [], "jointLogits": [],
           "tagLogits": [], "words": []}
    with torch.no_grad():
        for p in probes:
            ids = tok.encode(p, INTENT_LEN)
            ref["tokens"].append([tok.vocab[i] for i in ids])
            ref["ids"].append(ids)
            t = torch.tensor([ids])
            m = torch.ones_like(t)
            logits, _ = clf(t, m)
            ref["logits"].append(logits[0].tolist())
            e_ids = torch.tensor([tok.encode(p, QUERY_LEN)])
            ref["embeddings"].append(mean_pool(emb.hidden(e_ids, torch.ones_like(e_ids)), torch.ones_like(e_ids))[0].tolist())
            if joint is not None:
                j_ids, _, _ = encode_with_tags(tok, p, None, INTENT_LEN)
                ref["jointIds"].append(j_ids)
                ref["words"].append([[w, s_, e_] for w, s_, e_ in words_with_offsets(p)])
                jt = torch.tensor([j_ids])
                il, tl, _ = joint(jt, torch.ones_like(jt))
                ref["jointLogits"].append(il[0].tolist())
                ref["tagLogits"].append(tl[0].tolist())
    ref["labels"] = labels
    if joint is not None:
        ref["jointLabels"] = joint_labels
    write_json(out / "reference.json", ref)
    log(f"ci: wrote {out}")
    return 0


def read_clinc(path: Path, split: str) -> tuple[list[dict], list[dict]]:
    d = json.loads(path.read_text(encoding="utf-8"))

    def rows(key):
        return [{"text": t, "intent": OOS if l == "oos" else l} for t, l in d.get(key, [])]

    if split not in d:
        raise SystemExit(f"{path}: no '{split}' split (has {sorted(d)})")
    return rows("train") + rows("oos_train"), rows(split) + rows(f"oos_{split}")


def read_banking(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{"text": r["text"], "intent": r["category"]} for r in csv.DictReader(f)]


def benchmark_run(name, enc, tok, train_rows, test_rows, s, args, device) -> dict:
    """Train on 90% of train, choose the OOS threshold on the seeded other 10%, predict test."""
    rng = random.Random(args.seed)
    rows = list(train_rows)
    rng.shuffle(rows)
    has_oos = any(r["intent"] == OOS for r in rows)
    n_hold = len(rows) // 10 if has_oos else 0
    hold, fit = rows[:n_hold], rows[n_hold:]
    labels = sorted({r["intent"] for r in rows} | ({OOS} if has_oos else set()))
    lid = {l: i for i, l in enumerate(labels)}
    log(f"{name}: {len(fit)} train, {len(hold)} threshold holdout, {len(test_rows)} test, {len(labels)} labels")
    clf = finetune(enc, [(r["text"], lid[r["intent"]]) for r in fit], labels, tok, epochs=args.epochs,
                   batch=s["intent_batch"], lr=args.lr, max_len=INTENT_LEN, seed=args.seed, device=device,
                   max_steps=args.max_steps)
    threshold = 0.0
    oos = lid.get(OOS) if has_oos else None
    if hold:
        hp = predict_proba(clf, [r["text"] for r in hold], tok, INTENT_LEN, device)
        threshold = choose_threshold(hp, np.array([lid[r["intent"]] for r in hold]), oos)
    tp = predict_proba(clf, [r["text"] for r in test_rows], tok, INTENT_LEN, device)
    pred = apply_threshold(tp, oos, threshold)
    return {"gold": [r["intent"] for r in test_rows], "pred": [labels[i] for i in pred],
            "predArgmax": [labels[i] for i in tp.argmax(1)], "threshold": threshold,
            "trainSize": len(fit), "parameters": count_params(clf)}


def cmd_benchmark(args) -> int:
    s = SIZES[args.size]
    device = setup(args.seed, args.threads, args.device)
    tok = text.load_tokenizer(Path(args.models) / "tokenizer")
    enc = load_encoder(Path(args.models) / "encoder" / "encoder.pt").to(device)
    result = {}
    if args.clinc150:
        tr, te = read_clinc(Path(args.clinc150), args.split)
        result["clinc150"] = benchmark_run("clinc150", enc, tok, tr, te, s, args, device)
    if args.banking77_train:
        result["banking77"] = benchmark_run("banking77", enc, tok, read_banking(Path(args.banking77_train)),
                                            read_banking(Path(args.banking77_test)), s, args, device)
    write_json(Path(args.out), result)
    return 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seed", type=int, default=13)
    common.add_argument("--threads", type=int, default=1)
    common.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    common.add_argument("--catalog", default=str(ROOT / "evals/data/esci/ubi_ecommerce_products.json.gz"))
    a = sub.add_parser("all", parents=[common])
    a.add_argument("--size", choices=sorted(SIZES), default="small")
    a.add_argument("--out", default=str(ROOT / "models"))
    a.add_argument("--intent-train", default=str(ROOT / "evals/data/intent/train.jsonl"))
    a.add_argument("--intent-dev", default=str(ROOT / "evals/data/intent/dev.jsonl"))
    a.add_argument("--policies", default=str(ROOT / "evals/data/policies"))
    a.add_argument("--exclude-queries", default=str(ROOT / "evals/data/esci/esci_us_queryset_dev.json"),
                   help="queryset JSON whose queries are kept out of pre-training")
    a.add_argument("--nlu-train", default=str(ROOT / "evals/data/nlu/train.jsonl"))
    a.add_argument("--nlu-dev", default=str(ROOT / "evals/data/nlu/dev.jsonl"))
    a.add_argument("--stages", default="intent,joint,embedding", help="which fine-tuned models to (re)train")
    a.add_argument("--joint-epochs", type=int, help="override the size's joint (intent + span) epochs")
    a.add_argument("--intent-epochs", type=int, help="override the size's intent epochs")
    a.add_argument("--emb-epochs", type=int, help="override the size's embedding epochs")
    a.add_argument("--reuse-pretrained", action="store_true",
                   help="skip tokenizer and MLM pre-training when models/encoder/encoder.pt exists")
    c = sub.add_parser("ci", parents=[common])
    c.add_argument("--out", required=True)
    c.add_argument("--intents", required=True)
    c.add_argument("--probes", required=True)
    c.add_argument("--nlu", help="joint intent + span rows (JSON lines with spans) for the tiny joint model")
    b = sub.add_parser("benchmark", parents=[common])
    b.add_argument("--size", choices=sorted(SIZES), default="small")
    b.add_argument("--models", default=str(ROOT / "models"))
    b.add_argument("--clinc150")
    b.add_argument("--split", default="val")
    b.add_argument("--banking77-train")
    b.add_argument("--banking77-test")
    b.add_argument("--epochs", type=int, default=6)
    b.add_argument("--lr", type=float, default=3e-4)
    b.add_argument("--max-steps", type=int)
    b.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "benchmark" and bool(args.banking77_train) != bool(args.banking77_test):
        ap.error("--banking77-train and --banking77-test go together")
    return {"all": cmd_all, "ci": cmd_ci, "benchmark": cmd_benchmark}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
