"""Quality and speed of the ENC rules on a labelled evaluation set.

Generates the set (``benchmarks/enc_evalset.py``: clean articles, clean articles
rich in legitimate non-ASCII text, and articles with injected glitches; a
deterministic seed per split) under ``benchmarks/data/enc-<split>/`` unless it is
there already, runs the six ENC rules on every file in one process, and reports:

* per code and for the family: span precision and recall (a finding is right
  when it overlaps a labelled glitch of the same code; a glitch is found when a
  finding of its code overlaps it), and recall per injection kind;
* file level: precision and recall of "this file has an encoding glitch", and
  the share of clean files with any finding (false alarms), ASCII and rich;
* repairs: the share of dirty files that ``--fix --unsafe-fixes`` (and safe
  fixes alone) turn back into exactly the original text, and a check that the
  ENC001/ENC006 repairs together equal ``ftfy.fix_text`` (encoding fixes only);
* throughput in MB/s of the rules (CPU time of one process: per core), next to two
  baselines run on the same files in the same run: ``ftfy.fix_text`` with the
  same encoding-only configuration, and with ftfy's defaults.

Usage::

    python benchmarks/enc_quality.py --split dev      # tune on this one only
    python benchmarks/enc_quality.py --split test     # held-out styles and text
    python benchmarks/enc_quality.py --split test --show 10   # print misses and false alarms
    python benchmarks/enc_quality.py --split test --seed 7    # a fresh set of the test split
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from enc_evalset import generate, kinds_for  # noqa: E402

from corpuslint.document import Document  # noqa: E402
from corpuslint.fixer import apply_fixes, fix_until_stable  # noqa: E402
from corpuslint.model import Edit, Fix  # noqa: E402
from corpuslint.registry import load_registry  # noqa: E402
from corpuslint.rule import CheckContext, DocumentRule  # noqa: E402
from corpuslint.runner import run_document_rules  # noqa: E402

# CPU time of this process: MB/s per core, and much less sensitive than wall-clock
# time to other work on a shared machine.
CLOCK = time.process_time

CODES = ("ENC001", "ENC002", "ENC003", "ENC004", "ENC005", "ENC006")


def enc_rules():
    registry = load_registry()
    return [cls() for cls in registry.matching("ENC")]


def load_set(split: str, data: Path, files: int, regenerate: bool, seed: int | None = None):
    out = data / (f"enc-{split}" if seed is None else f"enc-{split}-seed{seed}")
    manifest = out / "manifest.jsonl"
    meta = out / "params.json"
    params = {"split": split, "files": files, "seed": seed}
    if (
        regenerate
        or not manifest.exists()
        or not meta.exists()
        or json.loads(meta.read_text()) != params
    ):
        if out.exists():
            import shutil

            shutil.rmtree(out)
        generate(split, out, files, seed)
        meta.write_text(json.dumps(params))
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row["raw"] = (out / "docs" / row["file"]).read_bytes()
    return rows


def _overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < max(b1, b0 + 1) and b0 < max(a1, a0 + 1)


def run(rows, rules, ctx, passes: int):
    """Findings per file, and the best-of-``passes`` seconds of the rules per category."""
    findings = []
    for row in rows[:50]:  # warm up: imports, compiled patterns, caches
        run_document_rules(Document.from_bytes(row["file"], row["raw"]), rules, ctx, [])
    best: dict[str, float] = {}
    for p in range(passes):
        totals: Counter = Counter()
        for row in rows:
            doc = Document.from_bytes(row["file"], row["raw"])
            t0 = CLOCK()
            errors: list[str] = []
            diags = run_document_rules(doc, rules, ctx, errors)
            totals[row["category"]] += CLOCK() - t0
            if errors:
                raise SystemExit("\n".join(errors))
            if p == 0:
                findings.append(diags)
        for category, seconds in totals.items():
            best[category] = min(best.get(category, float("inf")), seconds)
    return findings, best


def baseline_times(rows, passes: int):
    import ftfy
    from corpuslint.rules.enc.mojibake import ftfy_config

    config = ftfy_config()._replace(explain=False)
    texts = [row["raw"].decode("utf-8") for row in rows]
    out = {}
    changed = {}
    for name, cfg in (
        ("ftfy.fix_text (encoding fixes only)", config),
        ("ftfy.fix_text (defaults)", None),
    ):
        best = float("inf")
        for _ in range(passes):
            t0 = CLOCK()
            results = [ftfy.fix_text(t, cfg) if cfg else ftfy.fix_text(t) for t in texts]
            best = min(best, CLOCK() - t0)
        out[name] = best
        changed[name] = [r != t for r, t in zip(results, texts)]
    return out, changed


def evaluate(rows, findings, rules, ctx, show: int):
    labels_by_code = Counter()
    found_by_code = Counter()
    found_any = Counter()
    kind_total = Counter()
    kind_found = Counter()
    pred_by_code = Counter()
    tp_by_code = Counter()
    fam_pred = fam_tp = 0
    file_tp = file_fp = file_fn = 0
    clean_files = Counter()
    clean_alarm = Counter()
    misses: list[str] = []
    false_alarms: list[str] = []
    for row, diags in zip(rows, findings):
        labels = row["labels"]
        diags = [d for d in diags if d.code in CODES]
        text = row["raw"].decode("utf-8")
        for d in diags:
            s0, s1 = d.span.start, d.span.end
            pred_by_code[d.code] += 1
            fam_pred += 1
            same = any(
                lab["code"] == d.code and _overlap(s0, s1, lab["start"], lab["end"])
                for lab in labels
            )
            anyc = any(_overlap(s0, s1, lab["start"], lab["end"]) for lab in labels)
            tp_by_code[d.code] += same
            fam_tp += anyc
            if not same and len(false_alarms) < show:
                false_alarms.append(
                    f"{row['file']} [{row['category']}] {d.code}"
                    f"{'' if anyc else ' (no glitch here)'} {d.message} "
                    f"in {text[max(0, s0 - 30) : s1 + 30]!r}"
                )
        for lab in labels:
            labels_by_code[lab["code"]] += 1
            kind_total[lab["kind"]] += 1
            hit = any(
                d.code == lab["code"]
                and _overlap(d.span.start, d.span.end, lab["start"], lab["end"])
                for d in diags
            )
            hit_any = any(
                _overlap(d.span.start, d.span.end, lab["start"], lab["end"]) for d in diags
            )
            found_by_code[lab["code"]] += hit
            found_any[lab["code"]] += hit_any
            kind_found[lab["kind"]] += hit
            if not hit and len(misses) < show:
                misses.append(
                    f"{row['file']} {lab['code']} {lab['kind']}: "
                    f"{text[lab['start'] : lab['end']]!r} (gold {lab['gold']!r})"
                    + (f" [found as {_codes_at(diags, lab)}]" if hit_any else "")
                )
        dirty = bool(labels)
        flagged = bool(diags)
        if dirty:
            file_tp += flagged
            file_fn += not flagged
        else:
            file_fp += flagged
            clean_files[row["category"]] += 1
            clean_alarm[row["category"]] += flagged
    n_labels = sum(labels_by_code.values())
    report = {
        "files": len(rows),
        "bytes": sum(len(r["raw"]) for r in rows),
        "per_code": {
            code: {
                "labels": labels_by_code[code],
                "recall": _ratio(found_by_code[code], labels_by_code[code]),
                "recall_any_code": _ratio(found_any[code], labels_by_code[code]),
                "findings": pred_by_code[code],
                "precision": _ratio(tp_by_code[code], pred_by_code[code]),
            }
            for code in CODES
        },
        "family": {
            "labels": n_labels,
            "recall": _ratio(sum(found_by_code.values()), n_labels),
            "recall_any_code": _ratio(sum(found_any.values()), n_labels),
            "findings": fam_pred,
            "precision": _ratio(fam_tp, fam_pred),
        },
        "per_kind_recall": {
            k: {"labels": kind_total[k], "recall": _ratio(kind_found[k], kind_total[k])}
            for k in sorted(kind_total)
        },
        "file_level": {
            "dirty_files": file_tp + file_fn,
            "recall": _ratio(file_tp, file_tp + file_fn),
            "precision": _ratio(file_tp, file_tp + file_fp),
        },
        "clean_false_alarm_rate": {
            **{c: _ratio(clean_alarm[c], clean_files[c]) for c in sorted(clean_files)},
            "all_clean": _ratio(sum(clean_alarm.values()), sum(clean_files.values())),
            "clean_files": dict(clean_files),
        },
    }
    return report, misses, false_alarms


def _codes_at(diags, lab) -> str:
    return ", ".join(
        sorted(
            {d.code for d in diags if _overlap(d.span.start, d.span.end, lab["start"], lab["end"])}
        )
    )


def repairs(rows, findings, rules, ctx):
    """Dirty files restored exactly by the fixes, and agreement with ftfy.fix_text."""
    import ftfy
    from corpuslint.rules.enc.mojibake import ftfy_config

    config = ftfy_config()._replace(explain=False)
    restorable = restored_all = restored_safe = 0
    ftfy_same = ftfy_files = overridden = 0
    for row, diags in zip(rows, findings):
        text = row["raw"].decode("utf-8")
        # ENC001 + ENC006 repairs against ftfy.fix_text: ftfy's own repairs, and what
        # ftfy would have written where a whole embedded sequence replaced its pieces.
        ftfy_fixes = []
        for d in diags:
            if d.code not in ("ENC001", "ENC006"):
                continue
            if d.data.get("source") == "ftfy":
                ftfy_fixes.append(d.fix)
            elif "ftfy_text" in d.data:
                span = d.fix.edits[0].span
                ftfy_fixes.append(Fix.safe(Edit(span, d.data["ftfy_text"])))
        overridden += any("ftfy_text" in d.data for d in diags)
        if ftfy_fixes or any(lab["code"] in ("ENC001", "ENC006") for lab in row["labels"]):
            ftfy_files += 1
            ours, _ = apply_fixes(text, ftfy_fixes)
            ftfy_same += ours == ftfy.fix_text(text, config)
        labels = row["labels"]
        if not labels or any(
            lab["code"] == "ENC002" or lab["kind"] == "cp1252-lossy" for lab in labels
        ):
            continue  # U+FFFD loses information: nothing can restore it
        restorable += 1
        gold = text
        for lab in sorted(labels, key=lambda lab: -lab["start"]):
            gold = gold[: lab["start"]] + lab["gold"] + gold[lab["end"] :]

        def check(t: str, name=row["file"]):
            return run_document_rules(Document.from_text(name, t), rules, ctx, [])

        full = fix_until_stable(text, check, unsafe=True, first=diags)
        safe = fix_until_stable(text, check, unsafe=False, first=diags)
        restored_all += full.text == gold
        restored_safe += safe.text == gold
    return {
        "restorable_dirty_files": restorable,
        "restored_by_all_fixes": _ratio(restored_all, restorable),
        "restored_by_safe_fixes": _ratio(restored_safe, restorable),
        "ftfy_agreement_files": ftfy_files,
        "ftfy_agreement": _ratio(ftfy_same, ftfy_files),
        "files_where_ftfy_piecewise_repair_was_replaced": overridden,
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--seed",
        type=int,
        help="a fresh random seed for the split (a set never looked at before)",
    )
    parser.add_argument("--passes", type=int, default=3, help="timing passes (best is kept)")
    parser.add_argument("--show", type=int, default=0, help="print this many misses/false alarms")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument(
        "--time-with",
        action="append",
        default=[],
        metavar="PREFIX",
        help="also time ENC together with another family's document rules (e.g. BP)",
    )
    args = parser.parse_args(argv)
    splits = ("dev", "test") if args.split == "all" else (args.split,)
    rules = enc_rules()
    ctx = CheckContext()
    reports = {}
    for split in splits:
        rows = load_set(split, args.data, args.files, args.regenerate, args.seed)
        findings, by_category = run(rows, rules, ctx, args.passes)
        seconds = sum(by_category.values())
        report, misses, false_alarms = evaluate(rows, findings, rules, ctx, args.show)
        report["repairs"] = repairs(rows, findings, rules, ctx)
        base, base_changed = baseline_times(rows, args.passes)
        mb = report["bytes"] / 1e6
        size = Counter()
        for row in rows:
            size[row["category"]] += len(row["raw"])
        report["throughput_mb_s"] = {
            "ENC rules (6 codes), whole set": round(mb / seconds, 2),
            **{
                f"ENC rules, {category} files only": round(size[category] / 1e6 / t, 2)
                for category, t in sorted(by_category.items())
            },
            **{f"{name}, whole set": round(mb / t, 2) for name, t in base.items()},
        }
        for prefix in args.time_with:
            # The same files through ENC plus another family's per-document rules.
            registry = load_registry()
            more = [
                cls()
                for cls in registry.matching(prefix)
                if issubclass(cls, DocumentRule) and cls.default_enabled
            ]
            _, together = run(rows, rules + more, ctx, args.passes)
            report["throughput_mb_s"][f"ENC + {prefix} ({len(more)} document rules), whole set"] = (
                round(mb / sum(together.values()), 2)
            )
        report["throughput_ratio_vs_ftfy_encoding_only"] = round(
            base["ftfy.fix_text (encoding fixes only)"] / seconds, 2
        )
        clean_rich = [i for i, r in enumerate(rows) if r["category"] == "clean-rich"]
        report["baseline_clean_rich_changed_by_ftfy"] = {
            name: _ratio(sum(changed[i] for i in clean_rich), len(clean_rich))
            for name, changed in base_changed.items()
        }
        report["injection_kinds"] = kinds_for(split)
        reports[split] = report
        _print(split, report)
        for line in misses:
            print("  MISS", line)
        for line in false_alarms:
            print("  WRONG", line)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(reports, indent=2, ensure_ascii=False))
    return 0


def _print(split: str, r: dict) -> None:
    print(f"== ENC evaluation, split {split}: {r['files']} files, {r['bytes'] / 1e6:.2f} MB")
    print(f"{'code':8} {'labels':>7} {'recall':>7} {'findings':>9} {'precision':>9}")
    for code, v in r["per_code"].items():
        print(
            f"{code:8} {v['labels']:7d} {_f(v['recall']):>7} {v['findings']:9d} "
            f"{_f(v['precision']):>9}"
        )
    f = r["family"]
    print(
        f"{'ENC':8} {f['labels']:7d} {_f(f['recall']):>7} {f['findings']:9d} "
        f"{_f(f['precision']):>9}   (any-code recall {_f(f['recall_any_code'])})"
    )
    print("recall per injection kind:")
    for kind, v in r["per_kind_recall"].items():
        print(f"  {kind:24} {v['labels']:5d}  {_f(v['recall'])}")
    fl = r["file_level"]
    print(
        f"file level: recall {_f(fl['recall'])}, precision {_f(fl['precision'])} "
        f"({fl['dirty_files']} dirty files)"
    )
    c = r["clean_false_alarm_rate"]
    print(
        f"clean files with any finding: {_f(c['all_clean'])} "
        f"(ascii {_f(c.get('clean-ascii'))}, rich {_f(c.get('clean-rich'))}; "
        f"{c['clean_files']})"
    )
    rp = r["repairs"]
    print(
        f"repairs: {rp['restorable_dirty_files']} restorable dirty files, restored exactly by "
        f"all fixes {_f(rp['restored_by_all_fixes'])}, by safe fixes "
        f"{_f(rp['restored_by_safe_fixes'])}; ENC001+ENC006 == ftfy.fix_text on "
        f"{_f(rp['ftfy_agreement'])} of {rp['ftfy_agreement_files']} files (in "
        f"{rp['files_where_ftfy_piecewise_repair_was_replaced']} of them a piecewise ftfy "
        "repair was replaced by the whole sequence)"
    )
    print("throughput (MB/s per core: CPU time of one process):")
    for name, v in r["throughput_mb_s"].items():
        print(f"  {name:40} {v:8.2f}")
    print(f"  ratio ENC rules / ftfy encoding-only: {r['throughput_ratio_vs_ftfy_encoding_only']}x")
    print(
        "clean rich files that ftfy.fix_text would change: "
        + ", ".join(f"{k} {_f(v)}" for k, v in r["baseline_clean_rich_changed_by_ftfy"].items())
    )


def _f(x) -> str:
    return "-" if x is None else f"{x:.3f}"


if __name__ == "__main__":
    raise SystemExit(main())
