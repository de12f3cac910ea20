"""How long ``corpuslint report`` takes and how big its HTML gets.

Two modes:

* ``corpus N``: writes N generated documents (sentences of the seeds, with ad
  markers, trailing spaces, mojibake, exact and near duplicates, garbled
  sentences injected) to benchmarks/out/report_corpus_N/, then times
  ``corpuslint check`` and ``corpuslint report`` on it (both without cache, same
  selection) and prints the report/check time ratio and the HTML size.
* ``synthetic N``: N files' findings and signals made up directly (no rules run),
  rendered with ``render_report``; times the rendering and prints the size, next
  to the time json.dumps takes for the same findings (a floor for any writer).

    python benchmarks/report_scale.py corpus 2000
    python benchmarks/report_scale.py synthetic 100000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"


def seed_sentences() -> list[str]:
    out = []
    for p in sorted((REPO / "seeds").glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        for para in text.splitlines():
            out += [s for s in re.split(r"(?<=[.!?])\s+", para.strip()) if len(s.split()) > 5]
    return out


def generate(n: int, directory: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    sentences = seed_sentences()
    directory.mkdir(parents=True, exist_ok=True)
    docs: list[str] = []
    for i in range(n):
        if i > 10 and i % 20 == 0:  # exact duplicate of an earlier document
            text = docs[rng.randrange(len(docs))]
        elif i > 10 and i % 15 == 0:  # near duplicate: a few words changed
            words = docs[rng.randrange(len(docs))].split(" ")
            for _ in range(3):
                words[rng.randrange(len(words))] = rng.choice(["the", "new", "said"])
            text = " ".join(words)
        else:
            paras = []
            for _ in range(int(rng.lognormvariate(1.6, 0.6)) + 1):
                paras.append(" ".join(rng.choice(sentences) for _ in range(rng.randint(1, 5))))
            if i % 3 == 0:
                paras.insert(min(2, len(paras)), "Advertisement")
            if i % 10 == 0:  # garbled: fragments, doubled stops, first person
                paras[-1] += " can be done. I rely on you. . Russia approved."
            body = "\n\n".join(paras)
            if i % 7 == 0:
                body = body.replace("’", "â€™").replace("“", "â€œ")
            if i % 5 == 0:
                body = body.replace("\n\n", "  \n\n", 2)
            text = f"date: 2024-03-{1 + i % 28:02d}\n{body}\n"
        docs.append(text)
        (directory / f"{i:06d}_{rng.getrandbits(64):016x}.txt").write_text(text, "utf-8")


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    t = time.perf_counter()
    rc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
    return time.perf_counter() - t, rc


def corpus_mode(n: int) -> None:
    root = OUT / f"report_corpus_{n}"
    docs = root / "docs"
    if not docs.exists():
        generate(n, docs)
    (root / "corpuslint.toml").write_text('corpus = ["docs"]\n')
    exe = str(Path(sys.executable).with_name("corpuslint"))
    html = root / "report.html"
    t_check, rc_check = timed([exe, "check", "docs", "--no-cache", "-q"], root)
    t_report, rc_report = timed([exe, "report", "docs", "--no-cache", "-q", "-o", str(html)], root)
    size = html.stat().st_size
    print(
        json.dumps(
            {
                "files": n,
                "check_s": round(t_check, 2),
                "check_rc": rc_check,
                "report_s": round(t_report, 2),
                "report_rc": rc_report,
                "report_over_check": round(t_report / t_check, 2),
                "html_bytes": size,
                "html": str(html),
            }
        )
    )


def synthetic_mode(n: int, budget: int, html_path: Path | None = None) -> None:
    from corpuslint.model import Diagnostic, Location, Severity, Span
    from corpuslint.report import ReportFile, ReportOptions, render_report

    codes = ["FMT007", "FMT009", "ENC001", "BP001", "BP002", "MT002", "DUP002"]
    files = []
    for i in range(n):
        path = f"corpus/{i // 1000:03d}/{i:06d}.txt"
        diags = []
        for k in range(i % 7):
            code = codes[(i + k) % len(codes)]
            data = {}
            if code == "DUP002":
                root = f"corpus/{(i - 1) // 1000:03d}/{i - 1:06d}.txt"
                data = {"duplicate_of": root, "cluster": root, "jaccard": 0.9, "cluster_size": 2}
            d = Diagnostic(
                code,
                code.lower(),
                f"{code} finding number {k} in this file",
                Severity.WARNING,
                path,
                Span(k * 10, k * 10 + 5) if k else None,
                data=data,
            )
            d.location = Location(k + 1, 1)
            diags.append(d)
        record = {
            "path": path,
            "words": 50 + (i * 37) % 3000,
            "boilerplate_line_share": (i % 10) / 20,
            "mt": {"score": ((i * 7919) % 1000) / 1000},
        }
        files.append(ReportFile(path, record, diags))
    text = "A plain sentence of the document. " * 80
    t = time.perf_counter()
    rows = [
        {"filename": d.path, "code": d.code, "message": d.message, "data": d.data}
        for f in files
        for d in f.diagnostics
    ]
    dumped = json.dumps(rows)
    t_json = time.perf_counter() - t
    options = ReportOptions(
        text_loader=lambda p: text, max_embedded_text_bytes=budget, mt_measured=True
    )
    t = time.perf_counter()
    html = render_report(files, options)
    t_render = time.perf_counter() - t
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(html, encoding="utf-8")
    print(
        json.dumps(
            {
                "files": n,
                "findings": len(rows),
                "render_s": round(t_render, 2),
                "json_dumps_findings_s": round(t_json, 2),
                "render_over_json": round(t_render / t_json, 2),
                "html_bytes": len(html.encode("utf-8")),
                "json_findings_bytes": len(dumped),
                "budget": budget,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["corpus", "synthetic"])
    ap.add_argument("n", type=int)
    ap.add_argument("--budget", type=int, default=10_000_000, help="synthetic: details budget")
    ap.add_argument("--html", type=Path, help="synthetic: also write the HTML here")
    args = ap.parse_args()
    if args.mode == "corpus":
        corpus_mode(args.n)
    else:
        synthetic_mode(args.n, args.budget, args.html)


if __name__ == "__main__":
    main()
