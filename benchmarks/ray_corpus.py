"""A synthetic corpus for the Ray engine's equivalence test and overhead benchmark.

Small English-like documents (a few hundred bytes each, so 20,000 files are checked
in seconds) with the problems whose findings depend on the whole corpus planted at
known rates:

* exact copies (some with case and spacing changed: equal after normalisation, DUP001);
* near-duplicates (a few words changed, DUP002), chains of them (C is close to B, B to
  A, C not to A: the file named as ``duplicate_of`` is not the original), and one
  template copied ~150 times with small changes (an LSH bucket wider than the pairing
  window of 64);
* near-duplicates below the threshold (many words changed: look-alikes);
* a site footer recurring in ~5% of the files (BP010) and a rarer footer below the
  share threshold (a look-alike), ad markers (``Advertisement`` / ``Advertisment``);
* reused numeric file-name prefixes (FMT002), and a few odd files (empty, CRLF line
  ends, invalid UTF-8, trailing spaces).

Everything is generated from ``--seed`` by a pseudo-random vocabulary, so no data is
downloaded. Usage::

    python benchmarks/ray_corpus.py --docs 20000 --out benchmarks/data/ray-20k
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SYLLABLES = [
    "ka",
    "ri",
    "to",
    "na",
    "mel",
    "sor",
    "ven",
    "dal",
    "pri",
    "gun",
    "lo",
    "ta",
    "shi",
    "ber",
    "mon",
    "ex",
    "cal",
    "der",
    "fin",
    "har",
    "jo",
    "lin",
    "mar",
    "ost",
    "pel",
    "quin",
    "ras",
    "tev",
    "ul",
    "var",
    "wen",
    "yor",
    "zan",
    "bel",
    "cor",
    "dum",
]
FOOTER = "Independent, local and reader-funded: this is The Lantern Gazette."
RARE_FOOTER = "Subscribe to The Quiet Harbour newsletter for weekly local stories."
AD_MARKERS = ("Advertisement", "Advertisment", "- Advertisement -")
SHARD_SIZE = 1000


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))))
    return sorted(words)


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = _vocabulary(rng)
        # Zipf-like weights: a few very common words, a long tail
        self.cum: list[float] = []
        total = 0.0
        for rank in range(len(self.words)):
            total += 1.0 / (rank + 1)
            self.cum.append(total)

    def word(self) -> str:
        return self.rng.choices(self.words, cum_weights=self.cum)[0]

    def sentence(self) -> str:
        n = self.rng.randint(14, 22)
        text = " ".join(self.word() for _ in range(n))
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(2))

    def document(self, day: int) -> list[str]:
        """A header and two paragraphs of two sentences (~70 words: 1 changed word
        keeps a copy above Jaccard 0.8, 2 take it below)."""
        header = f"date: 2024-{1 + day % 12:02d}-{1 + day % 28:02d}"
        return [header, "", self.paragraph(), "", self.paragraph()]


def _mutate(rng: random.Random, writer: _Writer, lines: list[str], changes: int) -> list[str]:
    """``lines`` with ``changes`` words replaced (in body paragraphs)."""
    out = list(lines)
    body = [i for i, line in enumerate(out) if line and not line.startswith("date:")]
    for _ in range(changes):
        i = rng.choice(body)
        words = out[i].split(" ")
        j = rng.randrange(len(words))
        words[j] = writer.word()
        out[i] = " ".join(words)
    return out


def generate(out: Path, docs: int = 20000, seed: int = 7) -> dict[str, int]:
    """Write ``docs`` files under ``out/docs/<shard>/`` and a ``corpuslint.toml``."""
    rng = random.Random(seed)
    writer = _Writer(rng)
    root = out / "docs"
    texts: list[list[str]] = []
    counts = {"exact": 0, "near": 0, "chain": 0, "template": 0, "far": 0, "footer": 0}
    template = writer.document(3)
    template_copies = 150
    for i in range(docs):
        roll = rng.random()
        if i < template_copies * 40 and i % 40 == 7:
            lines = _mutate(rng, writer, template, rng.randint(0, 1))
            counts["template"] += 1
        elif texts and roll < 0.02:
            lines = list(rng.choice(texts))
            if rng.random() < 0.5:  # the same text with case and spacing changed
                lines = [line.upper().replace(" ", "  ") for line in lines]
            counts["exact"] += 1
        elif texts and roll < 0.08:  # above the threshold, or (2 words) just below
            lines = _mutate(rng, writer, rng.choice(texts), rng.choice((1, 1, 2)))
            counts["near"] += 1
        elif len(texts) > 2 and roll < 0.10:  # a near-copy of the last file: chains
            lines = _mutate(rng, writer, texts[-1], 1)
            counts["chain"] += 1
        elif texts and roll < 0.12:
            lines = _mutate(rng, writer, rng.choice(texts), 25)
            counts["far"] += 1
        else:
            lines = writer.document(i)
        lines = list(lines)
        if rng.random() < 0.05:
            lines += ["", FOOTER]
            counts["footer"] += 1
        elif rng.random() < 0.003:
            lines += ["", RARE_FOOTER]
        if rng.random() < 0.03:
            lines.insert(min(len(lines), 4), rng.choice(AD_MARKERS))
            lines.insert(min(len(lines), 4), "")
        texts.append(lines)
        prefix = i if rng.random() > 0.002 else max(0, i - rng.randint(1, 50))
        name = f"{prefix:06d}_{rng.getrandbits(64):016x}.txt"
        path = root / f"{i // SHARD_SIZE:03d}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "\n".join(lines) + "\n"
        odd = rng.random()
        if odd < 0.001:
            data = b""
        elif odd < 0.002:
            data = text.replace("\n", "\r\n").encode()
        elif odd < 0.003:
            data = text.encode()[:40] + b"\xff\xfe broken bytes\n" + text.encode()[40:]
        elif odd < 0.006:
            data = text.replace(".\n", ".   \n", 1).encode()
        else:
            data = text.encode()
        path.write_bytes(data)
    (out / "corpuslint.toml").write_text(
        'corpus = ["docs"]\n\n[rules.filename-pattern]\n'
        'pattern = "^\\\\d{6}_[0-9a-f]{16}\\\\.txt$"\n'
    )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    counts = generate(args.out, args.docs, args.seed)
    print(f"wrote {args.docs} files to {args.out / 'docs'}: {counts}")


if __name__ == "__main__":
    main()
