"""Reproduce every figure of the MT family: ``python benchmarks/mt_eval.py``.

1. Sentence model on MLQE-PE dev.jsonl (never used in training or tuning):
   garbled (DA < 30) vs clean (DA >= 70), AUROC overall and per language pair,
   and the share of each side flagged at the shipped thresholds. Baselines in
   the same run: sentence length, and share of function words.
2. False alarms on human-written text that the model never saw:
   * the Lee corpus (300 + 50 short news articles of the Australian Broadcasting
     Corporation, Lee, Pincombe & Welsh 2005), as shipped inside the gensim wheel
     (``gensim/test/test_data/lee_background.cor`` and ``lee.cor``; gensim is
     LGPL-2.1; the article texts are ABC's and are redistributed there for
     research). Fetched with ``pip download gensim==4.4.0 --no-deps`` into
     benchmarks/data/ (gitignored), never committed;
   * english-source.jsonl ``en-zh`` (Wikipedia, CC0), grouped into pseudo
     documents of 20 sentences (the training script uses only ``en-de``);
   * seeds 000-003.
   For each: documents with MT001, documents with any MT finding (the
   default-enabled MT rules), and which codes fired.
   And the other side: pseudo documents of 20 dev sentences that are all
   garbled (DA < 30) or all clean (DA >= 70) — how often MT001 fires.
3. Throughput of the default engine, one process (sentences per second), with
   sentence splitting alone as the baseline in the same run; and the import
   cost: numpy and the model stay unloaded until an MT rule checks a document.

Writes benchmarks/out/mt_eval.json and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data"
OUT = REPO / "benchmarks" / "out"
GENSIM = "gensim==4.4.0"
MODEL_FILE = REPO / "rules" / "mt" / "model.npz"
LEE_FILES = ("gensim/test/test_data/lee_background.cor", "gensim/test/test_data/lee.cor")


def mlqe_dir() -> Path:
    from corpuslint.rules.mt.train import default_data_dir

    return default_data_dir()


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def lee_corpus() -> list[str]:
    """The Lee news corpus from the gensim wheel (downloaded once with pip)."""
    target = DATA / "lee"
    files = [target / Path(f).name for f in LEE_FILES]
    if not all(f.exists() for f in files):
        wheels = DATA / "wheels"
        wheels.mkdir(parents=True, exist_ok=True)
        if not list(wheels.glob("gensim-*.whl")):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-deps",
                    "-d",
                    str(wheels),
                    GENSIM,
                ],
                check=True,
            )
        wheel = sorted(wheels.glob("gensim-*.whl"))[-1]
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as z:
            for name, f in zip(LEE_FILES, files):
                f.write_bytes(z.read(name))
    docs = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        docs.extend(line.strip() for line in text.splitlines() if line.strip())
    return docs


def auroc(scores: list[float], labels: list[int]) -> float:
    import numpy as np
    from corpuslint.rules.mt.train import auroc as _auroc

    return _auroc(np.asarray(scores, dtype=float), np.asarray(labels))


# -- 1. dev ---------------------------------------------------------------------------


def dev_eval(data: Path) -> dict:
    from corpuslint.rules.mt import features
    from corpuslint.rules.mt.model import load

    model = load()
    rows = [r for r in read_jsonl(data / "dev.jsonl") if r["da_mean"] < 30 or r["da_mean"] >= 70]
    labels = [1 if r["da_mean"] < 30 else 0 for r in rows]
    texts = [r["text"] for r in rows]
    scores = model.score(texts)
    out: dict = {
        "sentences": len(rows),
        "garbled": sum(labels),
        "clean": len(labels) - sum(labels),
        "auroc": auroc(scores, labels),
        "baseline_auroc_length": auroc([len(features.tokens(t)) for t in texts], labels),
        "baseline_auroc_function_share": auroc(
            [
                sum(c in features.FUNCTION_WORDS for c in features.classes(t))
                / max(1, len(features.tokens(t)))
                for t in texts
            ],
            labels,
        ),
    }
    for name, thr in (
        ("sentence_threshold", model.sentence_threshold),
        ("strict_threshold", model.strict_threshold),
    ):
        g = [s >= thr for s, y in zip(scores, labels) if y == 1]
        c = [s >= thr for s, y in zip(scores, labels) if y == 0]
        out[name] = {
            "value": round(thr, 4),
            "garbled_flagged": sum(g) / len(g),
            "clean_flagged": sum(c) / len(c),
        }
    per_pair = {}
    for lp in sorted({r["lang_pair"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["lang_pair"] == lp]
        ys = [labels[i] for i in idx]
        if 0 < sum(ys) < len(ys):
            per_pair[lp] = {
                "auroc": auroc([scores[i] for i in idx], ys),
                "garbled": sum(ys),
                "clean": len(ys) - sum(ys),
            }
    out["per_language_pair"] = per_pair
    return out


# -- 2. documents -----------------------------------------------------------------------


def mt_rules():
    from corpuslint.registry import load_registry

    registry = load_registry()
    return [cls() for cls in registry.matching("MT")]


def run_docs(docs: list[str], rules) -> dict:
    from corpuslint.rules.mt.analysis import analyze

    from corpuslint.document import Document
    from corpuslint.rule import CheckContext
    from corpuslint.runner import run_document_rules

    ctx = CheckContext()
    default = [r for r in rules if type(r).default_enabled]
    verdicts = any_finding = 0
    scored = flagged = 0
    codes: Counter = Counter()
    examples: list[dict] = []
    for i, text in enumerate(docs):
        doc = Document.from_text(f"doc{i}.txt", text)
        errors: list[str] = []
        found = run_document_rules(doc, default, ctx, errors)
        assert not errors, errors
        a = analyze(doc.text)
        scored += len(a.scored)
        flagged += sum(1 for p in a.scored if p >= a.sentence_threshold)
        if any(d.code == "MT001" for d in found):
            verdicts += 1
        if found:
            any_finding += 1
            if len(examples) < 12:
                examples.extend({"doc": i, "code": d.code, "message": d.message} for d in found[:2])
        codes.update(d.code for d in found)
    n = len(docs)
    return {
        "documents": n,
        "mt001_documents": verdicts,
        "mt001_rate": verdicts / n if n else 0.0,
        "any_mt_documents": any_finding,
        "any_mt_rate": any_finding / n if n else 0.0,
        "findings_by_code": dict(sorted(codes.items())),
        "scored_sentences": scored,
        "sentences_over_threshold_rate": flagged / scored if scored else 0.0,
        "examples": examples,
    }


def pseudo_docs(sentences: list[str], size: int = 20, per_paragraph: int = 4) -> list[str]:
    docs = []
    for i in range(0, len(sentences) - size + 1, size):
        chunk = sentences[i : i + size]
        paras = [" ".join(chunk[j : j + per_paragraph]) for j in range(0, size, per_paragraph)]
        docs.append("\n".join(paras) + "\n")
    return docs


def sentence_count(docs: list[str]) -> int:
    from corpuslint.rules.mt.sentences import sentences

    return sum(len(sentences(d)[1]) for d in docs)


# -- 3. speed -------------------------------------------------------------------------------


def throughput(docs: list[str]) -> dict:
    from corpuslint.rules.mt import analysis
    from corpuslint.rules.mt.model import load
    from corpuslint.rules.mt.sentences import sentences

    load()  # model loading is a one-off, measured separately below
    n_sent = sentence_count(docs)
    best_full = best_split = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for d in docs:
            sentences(d)
        best_split = min(best_split, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for d in docs:
            analysis._cache = None
            analysis._signals_cache = None
            analysis.analyze(d)
        best_full = min(best_full, time.perf_counter() - t0)
    code = (
        "import time, sys; t=time.perf_counter(); import corpuslint.cli, corpuslint.rules.mt; "
        "a=time.perf_counter()-t; np='numpy' in sys.modules; "
        "t=time.perf_counter(); from corpuslint.rules.mt.model import load; load(); "
        "b=time.perf_counter()-t; print(a, np, b)"
    )
    imports = []
    for _ in range(5):
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        a, np_loaded, b = res.stdout.split()
        imports.append((float(a), np_loaded == "True", float(b)))
    return {
        "sentences": n_sent,
        "sentences_per_second_default_engine": n_sent / best_full,
        "sentences_per_second_splitting_only": n_sent / best_split,
        "ratio_full_to_splitting": best_split / best_full,
        "import_cli_and_mt_family_s": statistics.median(i[0] for i in imports),
        "numpy_loaded_by_import": any(i[1] for i in imports),
        "model_load_s_incl_numpy": statistics.median(i[2] for i in imports),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=None, help="the mlqe-pe folder")
    ap.add_argument("--no-news", action="store_true", help="skip the Lee corpus (no pip)")
    args = ap.parse_args(argv)
    data = args.data or mlqe_dir()
    from corpuslint.rules.mt.model import load

    model = load()
    result: dict = {"model": {k: model.meta[k] for k in sorted(model.meta)}}
    result["dev"] = dev_eval(data)
    rules = mt_rules()

    human = read_jsonl(data / "english-source.jsonl")
    enzh = pseudo_docs([r["text"] for r in human if r["source"].startswith("en-zh")])
    seeds = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    sets: dict[str, list[str]] = {"wikipedia_en_zh_pseudo_docs": enzh, "seeds_000_003": seeds[:4]}
    if not args.no_news:
        sets = {"lee_news": lee_corpus(), **sets}
    dev_rows = read_jsonl(data / "dev.jsonl")
    sets["dev_garbled_pseudo_docs"] = pseudo_docs(
        [r["text"] for r in dev_rows if r["da_mean"] < 30]
    )
    sets["dev_clean_pseudo_docs"] = pseudo_docs([r["text"] for r in dev_rows if r["da_mean"] >= 70])
    result["documents"] = {}
    for name, docs in sets.items():
        rec = run_docs(docs, rules)
        rec["sentences"] = sentence_count(docs)
        result["documents"][name] = rec
    result["documents"]["seed_004"] = run_docs(seeds[4:5], rules)
    speed_docs = sets.get("lee_news") or enzh
    result["throughput"] = throughput(speed_docs)

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "mt_eval.json").write_text(json.dumps(result, indent=2) + "\n")
    meta = result["model"]
    print(
        f"model (train-only figures): holdout AUROC {meta['holdout_auroc']:.3f}, out-of-fold "
        f"AUROC {meta.get('out_of_fold_auroc', float('nan')):.3f}; "
        f"{Path(MODEL_FILE).stat().st_size / 1e6:.2f} MB"
    )
    d = result["dev"]
    print(f"dev: {d['garbled']} garbled / {d['clean']} clean sentences")
    print(
        f"  AUROC {d['auroc']:.3f} (baselines: length {d['baseline_auroc_length']:.3f}, "
        f"function-word share {d['baseline_auroc_function_share']:.3f})"
    )
    for k in ("sentence_threshold", "strict_threshold"):
        t = d[k]
        print(
            f"  {k} {t['value']}: garbled flagged {t['garbled_flagged']:.3f}, "
            f"clean flagged {t['clean_flagged']:.3f}"
        )
    for lp, v in d["per_language_pair"].items():
        print(f"  {lp}: AUROC {v['auroc']:.3f} ({v['garbled']} garbled, {v['clean']} clean)")
    for name, rec in result["documents"].items():
        print(
            f"{name}: {rec['documents']} docs, {rec.get('sentences', '?')} sentences: "
            f"MT001 {rec['mt001_documents']} ({rec['mt001_rate']:.1%}), any MT finding "
            f"{rec['any_mt_documents']} ({rec['any_mt_rate']:.1%}) {rec['findings_by_code']}; "
            f"sentences over the sentence threshold {rec['sentences_over_threshold_rate']:.1%}"
        )
    t = result["throughput"]
    print(
        f"throughput: {t['sentences_per_second_default_engine']:.0f} sentences/s (one process; "
        f"splitting alone {t['sentences_per_second_splitting_only']:.0f}/s, "
        f"full/split time ratio {1 / t['ratio_full_to_splitting']:.1f}x)"
    )
    print(
        f"import cli + MT family {t['import_cli_and_mt_family_s'] * 1000:.0f} ms, numpy loaded: "
        f"{t['numpy_loaded_by_import']}; model load (with numpy) "
        f"{t['model_load_s_incl_numpy'] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
