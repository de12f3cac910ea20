"""BP boilerplate quality and throughput on a generated, labelled evaluation set.

    python benchmarks/bp_quality.py                   # dev and held-out splits, 3000 files each
    python benchmarks/bp_quality.py --split heldout --files 5000 --show-errors 20

For each split it generates the set (bp_evalgen.py; deterministic) under
benchmarks/data/bp_eval/<split>/, runs every BP rule through the real engine (runner,
corpus index for BP010) in one process, and reports line-level precision and recall
per category and overall. A finding counts on the line where it starts; a line counts
for a category when a finding of that code starts on it. Overall figures count a
boilerplate line as found when any BP code flags it.

Throughput (single process, MB/s of text): the BP document rules (BP001-BP009, BP011),
the whole BP family through the engine (with BP010's index build), and baselines in the
same run: reading and splitting lines only, and the FMT family. ENC+BP together is
measured when ENC rules are installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bp_evalgen import generate  # noqa: E402
from corpuslint.rules.bp import tables as bp_tables  # noqa: E402

from corpuslint.config import load_settings  # noqa: E402
from corpuslint.document import Document  # noqa: E402
from corpuslint.files import discover  # noqa: E402
from corpuslint.registry import load_registry  # noqa: E402
from corpuslint.rule import CheckContext, DocumentRule  # noqa: E402
from corpuslint.runner import Job, Runner, Source, fingerprint, run_document_rules  # noqa: E402
from corpuslint.selection import FindingFilter, instantiate  # noqa: E402

CODES = [f"BP{i:03d}" for i in range(1, 12)]


def rules_for(prefixes: tuple[str, ...], settings):
    registry = load_registry()
    classes = [r for r in registry.rules if r.code.startswith(prefixes) and r.default_enabled]
    return instantiate(classes, registry, settings)


def run_engine(root: Path, rules, settings) -> tuple[list, float]:
    """All findings of ``rules`` on the corpus under ``root`` (one process, no cache)."""
    ctx = CheckContext(root=root)
    job = Job(settings, rules, ctx, fingerprint(settings, rules, "", ctx), False, FindingFilter({}))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        sources = [Source(e) for e in discover(["."], settings, root)]
        t0 = time.perf_counter()
        outcome = Runner(job, jobs=1).check(sources)
        elapsed = time.perf_counter() - t0
    finally:
        os.chdir(cwd)
    if outcome.errors:
        raise SystemExit("\n".join(outcome.errors[:10]))
    return outcome.diagnostics, elapsed


def time_document_rules(texts: list[tuple[str, bytes]], rules) -> float:
    """CPU seconds of this process to run ``rules`` on every text (robust to machine load)."""
    ctx = CheckContext()
    doc_rules = [r for r in rules if isinstance(r, DocumentRule)]
    bp_tables.classifier().clear_cache()  # every timed run starts cold
    t0 = time.process_time()
    for name, raw in texts:
        run_document_rules(Document.from_bytes(name, raw), doc_rules, ctx, [])
    return time.process_time() - t0


def time_baseline(texts: list[tuple[str, bytes]]) -> float:
    t0 = time.process_time()
    for name, raw in texts:
        doc = Document.from_bytes(name, raw)
        doc.text.splitlines()
        _ = doc.line_index
    return time.process_time() - t0


def best(fn, *args, repeat: int = 3) -> float:
    return min(fn(*args) for _ in range(repeat))


def score(split_dir: Path, diagnostics: list) -> dict:
    labels = {}
    records = (split_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    for line in records:
        rec = json.loads(line)
        for row, code in rec["lines"].items():
            labels[(rec["file"], int(row))] = code
    predicted: dict[tuple[str, int], set[str]] = {}
    for d in diagnostics:
        if not d.code.startswith("BP"):
            continue
        key = (Path(d.path).name, d.location.row)
        predicted.setdefault(key, set()).add(d.code)
    per = {}
    for code in CODES:
        gold = {k for k, c in labels.items() if c == code}
        pred = {k for k, cs in predicted.items() if code in cs}
        tp = len(gold & pred)
        per[code] = {
            "labelled": len(gold),
            "flagged": len(pred),
            "tp": tp,
            "precision": tp / len(pred) if pred else None,
            "recall": tp / len(gold) if gold else None,
        }
    found = {k for k in labels if k in predicted}
    false = {k for k in predicted if k not in labels}
    overall = {
        "labelled": len(labels),
        "flagged": len(predicted),
        "tp": len(found),
        "precision": len(found) / len(predicted) if predicted else None,
        "recall": len(found) / len(labels) if labels else None,
    }
    confusion = Counter(
        (labels[k], c) for k in labels if k in predicted for c in predicted[k] if c != labels[k]
    )
    multi = sum(1 for cs in predicted.values() if len(cs) > 1)
    return {
        "per_code": per,
        "overall": overall,
        "confusion": confusion,
        "multi": multi,
        "missed": sorted(k for k in labels if k not in predicted),
        "false": sorted(false),
        "labels": labels,
        "predicted": predicted,
    }


def fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def show_errors(split_dir: Path, result: dict, n: int) -> None:
    files = split_dir / "files"

    def line(name: str, row: int) -> str:
        text = (files / name).read_text(encoding="utf-8").split("\n")
        return text[row - 1][:150]

    print(f"  false alarms (first {n}):")
    for name, row in result["false"][:n]:
        codes = ",".join(sorted(result["predicted"][(name, row)]))
        print(f"    {name}:{row} {codes} | {line(name, row)}")
    by_code: dict[str, list] = {}
    for k in result["missed"]:
        by_code.setdefault(result["labels"][k], []).append(k)
    for code, keys in sorted(by_code.items()):
        print(f"  missed {code} ({len(keys)}):")
        seen = set()
        for name, row in keys:
            text = line(name, row)
            if text in seen:
                continue
            seen.add(text)
            print(f"    {name}:{row} | {text}")
            if len(seen) >= n:
                break


def evaluate(split: str, files: int, out: Path, errors: int, regenerate: bool) -> dict:
    split_dir = out / split
    if (
        regenerate
        or not (split_dir / "labels.jsonl").exists()
        or (len(list((split_dir / "files").glob("*.txt"))) != files)
    ):
        generate(out, split, files)
    root = split_dir / "files"
    texts = [(p.name, p.read_bytes()) for p in sorted(root.glob("*.txt"))]
    mb = sum(len(raw) for _, raw in texts) / 1e6

    clean_names = {
        json.loads(line)["file"]
        for line in (split_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        if not json.loads(line)["lines"]
    }
    clean = [(n, raw) for n, raw in texts if n in clean_names]
    clean_mb = sum(len(raw) for _, raw in clean) / 1e6

    index_dir = Path(tempfile.mkdtemp(prefix="bp_eval_index_"))
    try:
        settings = load_settings(root, isolated=True)
        settings = replace(
            settings, root=root, corpus=(root,), index_path=index_dir / "index.sqlite"
        )
        bp_rules = rules_for(("BP",), settings)
        c0 = time.process_time()
        diagnostics, t_engine = run_engine(root, bp_rules, settings)
        c_engine = time.process_time() - c0
        result = score(split_dir, diagnostics)
        t_doc = best(time_document_rules, texts, bp_rules)
        t_clean = best(time_document_rules, clean, bp_rules)
        t_base = best(time_baseline, texts)
        t_fmt = best(time_document_rules, texts, rules_for(("FMT",), settings), repeat=1)
        enc_rules = rules_for(("ENC",), settings)
        t_enc = t_enc_bp = t_enc_bp_clean = None
        if enc_rules:
            t_enc = best(time_document_rules, texts, enc_rules, repeat=2)
            t_enc_bp = best(time_document_rules, texts, enc_rules + bp_rules)
            t_enc_bp_clean = best(time_document_rules, clean, enc_rules + bp_rules)
    finally:
        shutil.rmtree(index_dir, ignore_errors=True)

    print(f"\n== split {split}: {len(texts)} files, {mb:.2f} MB ({split_dir})")
    print(f"{'code':8}{'labelled':>9}{'flagged':>9}{'tp':>7}{'precision':>11}{'recall':>9}")
    for code, r in result["per_code"].items():
        print(
            f"{code:8}{r['labelled']:>9}{r['flagged']:>9}{r['tp']:>7}"
            f"{fmt(r['precision']):>11}{fmt(r['recall']):>9}"
        )
    o = result["overall"]
    print(
        f"{'ALL BP':8}{o['labelled']:>9}{o['flagged']:>9}{o['tp']:>7}"
        f"{fmt(o['precision']):>11}{fmt(o['recall']):>9}"
    )
    if result["confusion"]:
        pairs = ", ".join(f"{a}->{b}: {n}" for (a, b), n in result["confusion"].most_common(8))
        print(f"category confusions (labelled -> flagged): {pairs}")
    print(f"lines with two BP codes: {result['multi']}")
    print("throughput (one process, CPU time; MB of UTF-8 text per CPU second):")
    print(f"  read+split baseline          {mb / t_base:8.1f} MB/s")
    print(f"  FMT family                   {mb / t_fmt:8.1f} MB/s")
    print(
        f"  BP document rules            {mb / t_doc:8.1f} MB/s  ({t_base / t_doc:.3f} x baseline;"
        f" {len(diagnostics) / mb:.0f} findings per MB)"
    )
    print(
        f"  BP document rules, clean     {clean_mb / t_clean:8.1f} MB/s  ({len(clean)} files"
        " without boilerplate)"
    )
    print(
        f"  BP all through the engine   {mb / c_engine:8.1f} MB/s  (wall {mb / t_engine:.1f};"
        " file reads, BP010 index build and corpus check included)"
    )
    if t_enc_bp is not None:
        print(f"  ENC document rules           {mb / t_enc:8.1f} MB/s")
        print(f"  ENC+BP document rules        {mb / t_enc_bp:8.1f} MB/s")
        print(f"  ENC+BP document rules, clean {clean_mb / t_enc_bp_clean:8.1f} MB/s")
    else:
        print("  ENC+BP: no ENC rules installed")
    if errors:
        show_errors(split_dir, result, errors)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["dev", "heldout", "both"], default="both")
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=HERE / "data" / "bp_eval")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    splits = ["dev", "heldout"] if args.split == "both" else [args.split]
    for split in splits:
        evaluate(split, args.files, args.out, args.show_errors, args.regenerate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
