"""Generate a synthetic corpus for the DUP benchmarks (near-duplicates planted at known rates).

Documents are ~3 KB of English-like text: words drawn from a real vocabulary with its
real frequencies (the 50,000 most frequent English words of ``wordfreq``, a Zipfian
distribution), in sentences and paragraphs, with a ``date:`` header line. A fraction
of documents are planted near-duplicates of an earlier document, each made with one
kind of change at one rate:

* ``words``: a fraction of the words substituted, deleted or inserted (rates 1%..30%);
* ``exact``: an identical copy; ``case-space``: the same text with its case and
  whitespace changed (an exact duplicate after normalisation);
* ``paragraphs``: paragraphs dropped or appended from another document.

The ground truth that matters for the benchmarks is computed from the files (brute
force), not from these labels; the manifest (``manifest.jsonl``) records what was planted.

Usage::

    pip install wordfreq        # the vocabulary (a benchmark-only dependency)
    python benchmarks/dup_generate.py --docs 20000 --out benchmarks/data/dup-20k
    python benchmarks/dup_generate.py --docs 100000 --out benchmarks/data/dup-100k

Files go to ``OUT/docs/<shard>/<nnnnnn>_<hex>.txt`` (``--shard-size 0`` for one flat
directory). The same ``--seed`` gives the same corpus.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

EDIT_RATES = (0.01, 0.03, 0.05, 0.10, 0.15, 0.20, 0.30)
# Share of documents that are planted copies of an earlier one, by kind.
PLANT_KINDS = (("words", 0.12), ("exact", 0.01), ("case-space", 0.01), ("paragraphs", 0.02))


def vocabulary(size: int) -> tuple[list[str], list[float]]:
    try:
        import wordfreq
    except ImportError:
        raise SystemExit(
            "the generator needs the vocabulary package: pip install wordfreq"
        ) from None
    words = [w for w in wordfreq.top_n_list("en", size) if w.isalpha()]
    weights = [wordfreq.word_frequency(w, "en") for w in words]
    return words, weights


class Writer:
    def __init__(self, rng: random.Random, words: list[str], weights: list[float]):
        self.rng = rng
        self.words = words
        # cumulative weights once, so choices() is a bisect per word
        total, cum = 0.0, []
        for w in weights:
            total += w
            cum.append(total)
        self.cum = cum

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)

    def paragraph(self) -> list[str]:
        """A paragraph as a list of sentences, each a list of words."""
        out = []
        for _ in range(self.rng.randint(2, 6)):
            out.append(self.draw(self.rng.randint(8, 28)))
        return out

    def document(self, target_bytes: int) -> list[list[list[str]]]:
        paras: list[list[list[str]]] = []
        size = 0
        while size < target_bytes:
            p = self.paragraph()
            paras.append(p)
            size += sum(len(w) + 1 for s in p for w in s)
        return paras


def render(date: str, paras: list[list[list[str]]]) -> str:
    lines = [f"date: {date}", ""]
    for p in paras:
        sentences = []
        for s in p:
            if not s:
                continue
            sentences.append(" ".join([s[0].capitalize(), *s[1:]]) + ".")
        lines.append(" ".join(sentences))
        lines.append("")
    return "\n".join(lines)


def edit_words(writer: Writer, paras, rate: float):
    rng = writer.rng
    out = []
    for p in paras:
        new_p = []
        for s in p:
            new_s = []
            for w in s:
                r = rng.random()
                if r < rate / 3:  # substitute
                    new_s.append(writer.draw(1)[0])
                elif r < 2 * rate / 3:  # delete
                    continue
                elif r < rate:  # insert after
                    new_s.extend([w, writer.draw(1)[0]])
                else:
                    new_s.append(w)
            new_p.append(new_s)
        out.append(new_p)
    return out


def case_space(text: str, rng: random.Random) -> str:
    out = []
    for line in text.split("\n"):
        words = line.split(" ")
        out.append("  ".join(w.upper() if rng.random() < 0.1 else w for w in words))
    return "\n".join(out) + "\n\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--bytes", type=int, default=3000, help="target size of a document")
    ap.add_argument("--seed", type=int, default=20240320)
    ap.add_argument("--vocab", type=int, default=50000)
    ap.add_argument("--shard-size", type=int, default=1000, help="files per directory (0: flat)")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    words, weights = vocabulary(args.vocab)
    writer = Writer(rng, words, weights)
    if args.out.exists():
        shutil.rmtree(args.out)
    docs_dir = args.out / "docs"
    docs_dir.mkdir(parents=True)
    kinds = [k for k, _ in PLANT_KINDS]
    shares = [s for _, s in PLANT_KINDS]
    planted_share = sum(shares)
    bodies: list[list] = []  # parsed paragraphs of every original (for copies)
    manifest = []
    for i in range(args.docs):
        date = f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        kind = "original"
        source = None
        rate = None
        if i > 10 and rng.random() < planted_share:
            kind = rng.choices(kinds, weights=shares)[0]
            source = rng.randrange(len(bodies))
        if kind == "original":
            paras = writer.document(args.bytes)
            text = render(date, paras)
        elif kind == "words":
            rate = rng.choice(EDIT_RATES)
            paras = edit_words(writer, bodies[source][1], rate)
            text = render(bodies[source][0], paras)
        elif kind == "exact":
            paras = bodies[source][1]
            text = render(bodies[source][0], paras)
        elif kind == "case-space":
            paras = bodies[source][1]
            text = case_space(render(bodies[source][0], paras), rng)
        else:  # paragraphs: drop one or add one from a fresh paragraph
            paras = list(bodies[source][1])
            if len(paras) > 3 and rng.random() < 0.5:
                del paras[rng.randrange(len(paras))]
            else:
                paras.insert(rng.randrange(len(paras) + 1), writer.paragraph())
            text = render(bodies[source][0], paras)
        bodies.append((date, paras))
        name = f"{i:06d}_{rng.getrandbits(64):016x}.txt"
        shard = docs_dir / (f"{i // args.shard_size:04d}" if args.shard_size else "")
        shard.mkdir(exist_ok=True)
        (shard / name).write_text(text, encoding="utf-8")
        rel = (shard / name).relative_to(args.out).as_posix()
        manifest.append({"path": rel, "kind": kind, "source": source, "rate": rate})
    for m in manifest:
        if m["source"] is not None:
            m["source"] = manifest[m["source"]]["path"]
    with open(args.out / "manifest.jsonl", "w") as fh:
        for m in manifest:
            fh.write(json.dumps(m) + "\n")
    print(f"wrote {args.docs} documents to {docs_dir}")


if __name__ == "__main__":
    main()
