#!/usr/bin/env python3
"""Expected Llama 3 token ids for the workbench's parity test, from an implementation independent
of Hugging Face's library and of the workbench.

Llama 3's official tokenizer is tiktoken: split the text with its regex, then merge byte pairs,
always the pair whose merged bytes have the lowest rank (rank = token id), and a piece that is a
token as a whole is that token. This script does exactly that with nothing but the `regex` module
and the vocabulary of ../shared/data/llama3-tokenizer/tokenizer.json (whose ids equal the official
tokenizer.model ranks, see that folder's README). The Java test then requires the workbench's ids
(Hugging Face's tokenizers library through DJL) to equal these.

Writes model-backend/src/test/resources/tokenizer/llama3-expected.json:
  cases:    [{"text", "ids"}]                    hand-picked hard strings
  wikitext: [{"doc", "count", "sha256"}]        per WikiText document: id count and the SHA-256
                                                of the ids joined by "," (keeps the file small)
Run: python3 scripts/llama3-expected-ids.py [SHARED_DIR]   (needs the `regex` module)
"""
import hashlib
import json
import os
import sys

import regex

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
TOKENIZER = os.path.join(SHARED, "data", "llama3-tokenizer", "tokenizer.json")
WIKITEXT = os.path.join(SHARED, "data", "wikitext103-test.jsonl")
OUT = os.path.join(ROOT, "model-backend", "src", "test", "resources", "tokenizer", "llama3-expected.json")

# The pattern of Meta's llama3 tokenizer.py (tiktoken), written out here, not read from the JSON.
PATTERN = regex.compile(
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def byte_symbols():
    """GPT-2's printable stand-in character for each byte, as tokenizer.json spells tokens."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


def load_ranks():
    with open(TOKENIZER, encoding="utf-8") as f:
        data = json.load(f)
    to_byte = {c: b for b, c in byte_symbols().items()}
    ranks = {bytes(to_byte[c] for c in token): rank for token, rank in data["model"]["vocab"].items()}
    specials = {t["content"]: t["id"] for t in data["added_tokens"]}
    return ranks, specials


def merge(piece, ranks):
    if piece in ranks:
        return [ranks[piece]]
    parts = [piece[i:i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        best, at = None, -1
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and (best is None or r < best):
                best, at = r, i
        if best is None:
            break
        parts[at:at + 2] = [parts[at] + parts[at + 1]]
    return [ranks[p] for p in parts]


def encode(text, ranks, specials):
    # Special tokens written in the text are matched as themselves (Hugging Face does the same).
    if specials:
        split = regex.compile("(" + "|".join(regex.escape(s) for s in sorted(specials, key=len, reverse=True)) + ")")
        segments = split.split(text)
    else:
        segments = [text]
    ids = []
    for i, segment in enumerate(segments):
        if i % 2 == 1:
            ids.append(specials[segment])
            continue
        for piece in PATTERN.findall(segment):
            ids.extend(merge(piece.encode("utf-8"), ranks))
    return ids


CASES = [
    "Hello world!",
    "Café naïve crème brûlée, e\u0301 (combining accent), Ångström, Øresund, Łódź, ß",
    "日本語のテキストと中文文本，한국어 텍스트",
    "👍🏽 👨‍👩‍👧 🇯🇵 🤖 emoji",
    "1 12 123 1234 12345 123456 1234567 3.14159 2026-12-02 ٣٤٥",
    "a  b   c    d\t\te\n\n\nf   \n  g     ",
    "   leading and trailing spaces   ",
    "it's THEY'RE we'll I'M you'd 'S",
    "@-@ $3.50 — “quotes” <b>html</b> x+=1; // code",
    "text<|end_of_text|>more<|begin_of_text|>",
    "",
]


def main():
    ranks, specials = load_ranks()
    cases = [{"text": t, "ids": encode(t, ranks, specials)} for t in CASES]
    wikitext = []
    with open(WIKITEXT, encoding="utf-8") as f:
        docs = [json.loads(line)["text"] for line in f if line.strip()]
    for d, text in enumerate(docs):
        ids = encode(text, ranks, specials)
        digest = hashlib.sha256(",".join(map(str, ids)).encode("ascii")).hexdigest()
        wikitext.append({"doc": d, "count": len(ids), "sha256": digest})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    result = {
        "source": "scripts/llama3-expected-ids.py: tiktoken-style rank BPE over the Llama 3 vocabulary, "
                  "independent of Hugging Face tokenizers and of the workbench",
        "cases": cases,
        "wikitext": wikitext,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases, {len(wikitext)} WikiText documents ({sum(w['count'] for w in wikitext)} ids) -> {OUT}")


if __name__ == "__main__":
    main()
