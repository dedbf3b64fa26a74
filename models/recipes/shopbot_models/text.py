"""WordPiece tokenizer: vocabulary training and an encoder that matches transformers.js exactly.

Serving tokenizes in Node with @huggingface/transformers (BertNormalizer, BertPreTokenizer,
WordPiece), so this file mirrors that implementation rather than the Rust one where they differ:
CJK detection looks at UTF-16 code units (only BMP ideographs are split), and whitespace is
JavaScript's `\\s`. test/models/recipes.test.ts checks both sides token for token.
"""
from __future__ import annotations

import collections
import json
import unicodedata
from pathlib import Path
from typing import Iterable

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = range(5)
PREFIX = "##"
MAX_CHARS_PER_WORD = 100

# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator).
_JS_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(c) for c in range(0x2000, 0x200B)
}


def is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
    )


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 0x21 <= cp <= 0x2F or 0x3A <= cp <= 0x40 or 0x5B <= cp <= 0x60 or 0x7B <= cp <= 0x7E:
        return True
    return unicodedata.category(ch).startswith("P")


def normalize(text: str) -> str:
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if ch in _JS_SPACE:
            out.append(" ")
        elif is_cjk(cp):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    text = "".join(out).lower()
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def pre_tokenize(text: str) -> list[str]:
    words: list[str] = []
    cur: list[str] = []
    for ch in text.strip():
        if ch in _JS_SPACE:
            if cur:
                words.append("".join(cur))
                cur = []
        elif _is_punct(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


def words_of(text: str) -> list[str]:
    return pre_tokenize(normalize(text))


class WordPiece:
    def __init__(self, vocab: list[str]):
        self.vocab = vocab
        self.ids = {t: i for i, t in enumerate(vocab)}
        self._cache: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.vocab)

    def word_ids(self, word: str) -> list[int]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        if len(word) > MAX_CHARS_PER_WORD:
            return [UNK]
        out: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                sub = word[start:end]
                if start > 0:
                    sub = PREFIX + sub
                if sub in self.ids:
                    found = self.ids[sub]
                    break
                end -= 1
            if found is None:
                out = [UNK]
                break
            out.append(found)
            start = end
        if len(self._cache) < 500_000:
            self._cache[word] = out
        return out

    def ids_of(self, text: str) -> list[int]:
        return [i for w in words_of(text) for i in self.word_ids(w)]

    def tokens(self, text: str) -> list[str]:
        return [self.vocab[i] for i in self.ids_of(text)]

    def encode(self, text: str, max_len: int) -> list[int]:
        """[CLS] ids [SEP], truncated the way transformers.js truncates (from the end)."""
        body = self.ids_of(text)[: max_len - 2]
        return [CLS, *body, SEP]


def train_vocab(
    texts: Iterable[str], size: int, cjk_chars: Iterable[str] = (), min_freq: int = 2, log=print
) -> list[str]:
    """WordPiece vocabulary by byte-pair merges over ##-marked pieces (how HF trains WordPiece):
    every character (initial and ##continuation) first, then the most frequent adjacent pairs."""
    counts: collections.Counter[str] = collections.Counter()
    for t in texts:
        counts.update(words_of(t))
    words = [w for w, c in counts.items() if c >= min_freq and len(w) <= MAX_CHARS_PER_WORD]
    freq = [counts[w] for w in words]
    cjk = [c for c in dict.fromkeys(cjk_chars) if len(c) == 1 and is_cjk(ord(c))]
    vocab: list[str] = list(SPECIALS)
    seen = set(vocab)

    def add(tok: str) -> None:
        if tok not in seen:
            seen.add(tok)
            vocab.append(tok)

    alphabet = collections.Counter()
    for w, f in zip(words, freq):
        for i, ch in enumerate(w):
            alphabet[ch if i == 0 else PREFIX + ch] += f
    for tok, f in sorted(alphabet.items(), key=lambda kv: (-kv[1], kv[0])):
        if f >= min_freq:
            add(tok)
    for ch in cjk:
        add(ch)
    # Every single character must also exist as a word start and as a continuation, otherwise
    # a rare letter turns the whole word into [UNK].
    for tok in list(vocab[len(SPECIALS):]):
        base = tok[2:] if tok.startswith(PREFIX) else tok
        if len(base) == 1 and not is_cjk(ord(base)):
            add(base)
            add(PREFIX + base)

    splits = [[w[0]] + [PREFIX + c for c in w[1:]] for w in words]
    pair_freq: collections.Counter[tuple[str, str]] = collections.Counter()
    where: dict[tuple[str, str], set[int]] = collections.defaultdict(set)
    for i, s in enumerate(splits):
        for a, b in zip(s, s[1:]):
            pair_freq[(a, b)] += freq[i]
            where[(a, b)].add(i)
    import heapq

    heap = [(-f, p) for p, f in pair_freq.items()]
    heapq.heapify(heap)
    while len(vocab) < size and heap:
        nf, pair = heapq.heappop(heap)
        f = pair_freq.get(pair, 0)
        if f != -nf:
            if f > 0:
                heapq.heappush(heap, (-f, pair))
            continue
        if f < min_freq:
            break
        a, b = pair
        merged = a + (b[2:] if b.startswith(PREFIX) else b)
        add(merged)
        for i in list(where.pop(pair, ())):
            s = splits[i]
            j = 0
            new: list[str] = []
            changed = False
            while j < len(s):
                if j + 1 < len(s) and s[j] == a and s[j + 1] == b:
                    new.append(merged)
                    j += 2
                    changed = True
                else:
                    new.append(s[j])
                    j += 1
            if not changed:
                continue
            for x, y in zip(s, s[1:]):
                pair_freq[(x, y)] -= freq[i]
            for x, y in zip(new, new[1:]):
                pair_freq[(x, y)] += freq[i]
                where[(x, y)].add(i)
                heapq.heappush(heap, (-pair_freq[(x, y)], (x, y)))
            splits[i] = new
        pair_freq.pop(pair, None)
        if len(vocab) % 1000 == 0:
            log(f"  vocab {len(vocab)}/{size}")
    return vocab


def write_tokenizer(vocab: list[str], out_dir: Path, max_len: int) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = {t: i for i, t in enumerate(vocab)}
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for i, t in enumerate(SPECIALS)
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": PREFIX, "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": PREFIX,
                  "max_input_chars_per_word": MAX_CHARS_PER_WORD, "vocab": ids},
    }
    (out_dir / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
    cfg = {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "tokenize_chinese_chars": True,
        "strip_accents": None,
        "model_max_length": max_len,
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
        "mask_token": "[MASK]",
        "clean_up_tokenization_spaces": True,
    }
    (out_dir / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")



def load_tokenizer(dir_: Path) -> WordPiece:
    tok = json.loads((dir_ / "tokenizer.json").read_text(encoding="utf-8"))
    ids = tok["model"]["vocab"]
    vocab = [""] * len(ids)
    for t, i in ids.items():
        vocab[i] = t
    return WordPiece(vocab)


def jieba_common_chars(limit: int) -> list[str]:
    """Most frequent Chinese characters, weighted by jieba's word frequencies (python3-jieba is a
    Debian package here; without it the vocabulary keeps only the CJK characters of the corpus)."""
    try:
        import jieba  # noqa: F401
    except ImportError:
        return []
    path = Path(jieba.__file__).parent / "dict.txt"
    if not path.exists():
        return []
    counts: collections.Counter[str] = collections.Counter()
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            w, n = parts[0], int(parts[1]) if parts[1].isdigit() else 0
            for ch in w:
                if is_cjk(ord(ch)):
                    counts[ch] += n
    return [c for c, _ in counts.most_common(limit)]
