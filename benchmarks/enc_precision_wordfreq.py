"""False alarms of the ENC rules on clean text in 40+ languages (none expected).

A precision check on text the evaluation generator never uses: pseudo-articles
made of the 3,000 most frequent words of every language ``wordfreq`` knows
(Arabic, Bulgarian, Catalan, Chinese, Czech, Greek, Hebrew, Hindi, Icelandic,
Japanese, Korean, Persian, Russian, Tamil, Turkish, Urdu, Vietnamese, ...),
NFC-normalised, with the punctuation each language uses (curly and low quotes,
guillemets, ¿ ¡, dashes, ellipses, NBSP before French punctuation). Every
finding on it is a false alarm. Also reports the throughput per language.

Usage::

    pip install wordfreq       # benchmark-only dependency
    python benchmarks/enc_precision_wordfreq.py [--docs 200] [--show 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpuslint.document import Document
from corpuslint.registry import load_registry
from corpuslint.rule import CheckContext
from corpuslint.runner import run_document_rules

# CPU time of this process: MB/s per core, and much less sensitive than wall-clock
# time to other work on a shared machine.
CLOCK = time.process_time

QUOTES = {
    "de": ("„", "“"),
    "cs": ("„", "“"),
    "sk": ("„", "“"),
    "bg": ("„", "“"),
    "fr": ("«\u00a0", "\u00a0»"),
    "ru": ("«", "»"),
    "uk": ("«", "»"),
    "es": ("«", "»"),
    "pl": ("„", "”"),
    "hu": ("„", "”"),
    "ro": ("„", "”"),
    "ja": ("「", "」"),
    "zh": ("“", "”"),
}
NO_SPACES = {"zh", "ja"}


def article(rng: random.Random, lang: str, words: list[str]) -> str:
    open_q, close_q = QUOTES.get(lang, ("“", "”"))
    sep = "" if lang in NO_SPACES else " "
    stop = "。" if lang in NO_SPACES else "."
    paragraphs = []
    for _ in range(rng.randint(3, 7)):
        sentences = []
        for _ in range(rng.randint(2, 5)):
            ws = rng.choices(words, k=rng.randint(5, 18))
            if rng.random() < 0.3:
                i = rng.randrange(len(ws) - 1)
                ws[i] = open_q + ws[i]
                ws[i + 1] = ws[i + 1] + close_q
            if rng.random() < 0.2:
                ws.insert(rng.randrange(len(ws)), rng.choice(["—", "–", "…", "·", "/"]))
            s = sep.join(ws)
            end = stop
            if lang == "es" and rng.random() < 0.2:
                s, end = "¿" + s, "?"
            if lang == "fr" and rng.random() < 0.2:
                end = "\u00a0!"
            sentences.append(s[:1].upper() + s[1:] + end)
        paragraphs.append(sep.join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200, help="articles per language")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--show", type=int, default=5)
    parser.add_argument("--passes", type=int, default=3, help="timing passes (best is kept)")
    args = parser.parse_args(argv)
    try:
        import wordfreq
    except ImportError:
        raise SystemExit("this benchmark needs wordfreq: pip install wordfreq") from None
    import ftfy
    from corpuslint.rules.enc.mojibake import ftfy_config

    config = ftfy_config()._replace(explain=False)
    rules = [cls() for cls in load_registry().matching("ENC")]
    ctx = CheckContext()
    rng = random.Random(args.seed)
    total_docs = flagged_docs = total_bytes = 0
    total_time = total_ftfy = 0.0
    codes: Counter = Counter()
    shown = 0
    print(f"{'lang':5} {'docs':>5} {'flagged':>8} {'MB/s':>8} {'x ftfy':>7}")
    for lang in sorted(wordfreq.available_languages()):
        words = [
            unicodedata.normalize("NFC", w)
            for w in wordfreq.top_n_list(lang, 3000)
            if any(ch.isalpha() for ch in w)
        ]
        texts = [article(rng, lang, words) for _ in range(args.docs)]
        docs = [Document.from_text(f"{lang}-{i}.txt", text) for i, text in enumerate(texts)]
        for doc in docs[:3]:  # warm up (first use imports ftfy, builds tables)
            run_document_rules(Document.from_text(doc.path, doc.text), rules, ctx, [])
        t_lang = t_ftfy = float("inf")
        for _ in range(args.passes):  # best of a few passes: the machine is shared
            t0 = CLOCK()
            for doc in docs:
                run_document_rules(Document.from_text(doc.path, doc.text), rules, ctx, [])
            t_lang = min(t_lang, CLOCK() - t0)
            t0 = CLOCK()
            for doc in docs:  # the baseline: ftfy's own fix_text, encoding fixes only
                ftfy.fix_text(doc.text, config)
            t_ftfy = min(t_ftfy, CLOCK() - t0)
        flagged = 0
        size = sum(len(doc.raw) for doc in docs)
        for text, doc in zip(texts, docs):
            found = run_document_rules(doc, rules, ctx, [])
            if found:
                flagged += 1
                codes.update(d.code for d in found)
                for d in found[: max(0, args.show - shown)]:
                    s = d.span.start
                    print(f"  FALSE ALARM {lang} {d.code} {d.message} in {text[s - 20 : s + 20]!r}")
                    shown += 1
        total_docs += len(texts)
        flagged_docs += flagged
        total_bytes += size
        total_time += t_lang
        total_ftfy += t_ftfy
        print(
            f"{lang:5} {len(texts):5d} {flagged:8d} {size / 1e6 / t_lang:8.1f} "
            f"{t_ftfy / t_lang:7.1f}"
        )
    print("(MB/s per core: CPU time of the rules, best of the passes, documents made outside)")
    print(
        f"all   {total_docs:5d} {flagged_docs:8d} {total_bytes / 1e6 / total_time:8.1f} "
        f"{total_ftfy / total_time:7.1f}   false-alarm rate {flagged_docs / total_docs:.4f}; "
        f"findings by code {dict(codes)}"
    )
    print("(x ftfy: how many times faster the six ENC rules are than ftfy.fix_text with")
    print(" encoding fixes only, on the same documents in the same run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
