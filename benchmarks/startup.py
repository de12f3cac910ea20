"""Startup benchmark: ``corpuslint check <one file>`` inside a 10,000-file corpus.

This is the pre-commit case: one changed file is named on the command line, the
project configures the whole corpus (``corpus = ["corpus"]``) so corpus-wide rules
see all 10,000 files through the persistent index, and the cache is warm.

    python benchmarks/startup.py                 # generate (once), warm, time
    python benchmarks/startup.py --reps 50 --json benchmarks/out/startup.json
    python benchmarks/startup.py --reps 5 --profile   # where the time goes

The corpus (deterministic, ~3 KB of news-like text per file, a few files with
typical flaws) is generated under benchmarks/data/startup/ (gitignored). One full
``corpuslint check corpus/`` warms the cache and the index; then every repetition
runs, in rotating order, as separate processes:

* ``python -c pass``            the interpreter's own start (the baseline);
* ``corpuslint --version``      the CLI's imports;
* ``corpuslint rules``          + entry-point discovery and every rule family's import;
* ``corpuslint check <file>``   the whole pre-commit path (config, index sync, rules).

It reports the median and p90 wall time of each, and the ratio of each median to
the baseline's median measured in the same run (the machine is shared and noisy:
quote the ratio). The aim: the one-file check under 0.3 s. Every process runs with
bytecode caching on (PYTHONPYCACHEPREFIX under the data directory), as an installed
corpuslint would; the warm-up runs fill that cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "data" / "startup"
GENERATOR_VERSION = "1"

# -- a deterministic, news-like corpus -------------------------------------------------


def _bar_separated(text: str) -> list[str]:
    return text.split("|")


PEOPLE = _bar_separated(
    "Maria Keller|Ahmed Rahimi|John Okafor|Li Wei|Sofia Marquez|Pavel Novak|Amina Diallo|"
    "Hiroshi Tanaka|Elena Petrova|David Cohen|Fatima Zahra|Lucas Silva|Anna Lindqvist|"
    "Rajesh Iyer|Grace Mensah|Tomas Horvath|Nadia Haddad|Kevin O'Brien|Ingrid Berg|"
    "Omar Farouk|Chen Jing|Isabel Duarte|Mikhail Orlov|Aisha Bello|Pierre Laurent|"
    "Yuki Sato"
)
ROLES = _bar_separated(
    "the finance minister|the foreign minister|a senior official|the spokesperson|"
    "the central bank governor|an opposition leader|the mayor|a union leader|"
    "the chief executive|a regional governor|the health minister|a trade envoy"
)
PLACES = _bar_separated(
    "Vienna|Nairobi|Jakarta|Lima|Warsaw|Ankara|Hanoi|Lagos|Oslo|Santiago|Tehran|Manila|"
    "Dhaka|Accra|Tbilisi|Quito|Riga|Tunis|Bogota|Kazan|Porto|Cebu|Mombasa|Izmir|Gdansk|"
    "Medan"
)
ORGS = _bar_separated(
    "the World Bank|the port authority|the national grid operator|the ministry|"
    "the electoral commission|the transport union|the statistics office|"
    "the parliament's budget committee|the regional council|"
    "the grain exporters' association"
)
TOPICS = _bar_separated(
    "grain exports|fuel subsidies|the new rail link|water rationing|the budget deficit|"
    "teachers' pay|the mining licence|interest rates|the fishing quota|flood defences|"
    "the power outages|housing costs|the airport expansion|vaccine supplies|"
    "the border crossing|wheat prices|the pension reform|the steel tariffs"
)
DAYS = _bar_separated("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")
MONTHS = _bar_separated(
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
SENTENCES = [
    "{person}, {role}, said on {day} that talks on {topic} would resume in {place} next week.",
    "Officials in {place} confirmed that {org} had approved a plan worth {money} million dollars.",
    "The decision on {topic} follows months of protests in {place} and {place2}.",
    "According to {org}, about {n} people were affected by the measures announced in {month}.",
    "{person} told reporters that the government remained committed to {topic}.",
    "Critics argue that the plan does little to address {topic}, which has worsened since {month}.",
    "In a statement, {org} said it expected a decision before the end of {month}.",
    "Prices rose by {pct} percent in {month}, the fastest increase in {n2} years.",
    "Residents of {place} said they had waited {n2} hours for buses on {day} morning.",
    "{person} met {person2} in {place} on {day} to discuss {topic} and {topic2}.",
    "The agreement, signed in {place}, covers {topic} for the next {n2} years.",
    "Analysts said the vote on {topic} could be delayed until {month} at the earliest.",
    "{org} has not commented on reports that {n} jobs could be cut in {place}.",
    "Shares of companies involved in {topic} fell {pct} percent after the announcement.",
    "The talks in {place} ended without an agreement on {topic}, {role} said.",
    "Local media reported that {person} would travel to {place} in {month}.",
    "Farmers near {place} say {topic} has cut their income by nearly {pct} percent.",
    "Police in {place} said {n2} people were detained during the protest on {day}.",
    "{person} called the measures on {topic} a first step rather than a solution.",
    "The government expects {org} to publish new figures on {topic} in {month}.",
    "Opposition lawmakers accused {role} of ignoring warnings about {topic}.",
    "Trade between {place} and {place2} grew by {pct} percent last year, {org} said.",
    "Engineers said repairs in {place} would take at least {n2} weeks.",
    "{person}, who has led {org} since {year}, is expected to step down in {month}.",
]
FLAWS = ("trailing-space", "no-final-newline", "crlf", "blank-run", "glued-header")


def _sentence(rng: random.Random) -> str:
    person, person2 = rng.sample(PEOPLE, 2)
    place, place2 = rng.sample(PLACES, 2)
    topic, topic2 = rng.sample(TOPICS, 2)
    return rng.choice(SENTENCES).format(
        person=person,
        person2=person2,
        role=rng.choice(ROLES),
        place=place,
        place2=place2,
        org=rng.choice(ORGS),
        topic=topic,
        topic2=topic2,
        day=rng.choice(DAYS),
        month=rng.choice(MONTHS),
        money=rng.randint(2, 900),
        n=f"{rng.randint(200, 90000):,}",
        n2=rng.randint(2, 40),
        pct=rng.randint(2, 35),
        year=rng.randint(1998, 2022),
    )


def _article(rng: random.Random, target_bytes: int = 3000) -> tuple[str, str]:
    date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    paragraphs: list[str] = []
    size = 0
    while size < target_bytes - 120:
        para = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        paragraphs.append(para)
        size += len(para) + 2
    return date, "\n\n".join(paragraphs)


def _render(date: str, body: str, flaw: str | None) -> str:
    if flaw == "glued-header":
        return f" date {date} {body}\n"
    text = f"date: {date}\n\n{body}\n"
    if flaw == "trailing-space":
        text = text.replace(".\n\n", ".  \n\n", 1)
    elif flaw == "no-final-newline":
        text = text.rstrip("\n")
    elif flaw == "crlf":
        text = text.replace("\n", "\r\n")
    elif flaw == "blank-run":
        text = text.replace("\n\n", "\n\n\n\n\n", 1)
    return text


def generate(data: Path, files: int, seed: int = 20240320) -> Path:
    """Write the corpus and its configuration under ``data``; reuse it when complete."""
    stamp = data / ".generated"
    want = f"{GENERATOR_VERSION} {files} {seed}"
    if stamp.exists() and stamp.read_text() == want:
        return data
    if data.exists():
        shutil.rmtree(data)
    corpus = data / "corpus"
    corpus.mkdir(parents=True)
    # File names follow the corpus convention, widened to five digits for 10,000 files.
    (data / "corpuslint.toml").write_text(
        'corpus = ["corpus"]\n\n'
        "[rules.filename-pattern]\n"
        "pattern = '^\\d{5}_[0-9a-f]{16}\\.txt$'\n"
    )
    rng = random.Random(seed)
    for i in range(files):
        date, body = _article(rng)
        flaw = rng.choice(FLAWS) if rng.random() < 0.05 else None
        text = _render(date, body, flaw)
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        (corpus / f"{i:05d}_{digest}.txt").write_bytes(text.encode("utf-8"))
    stamp.write_text(want)
    return data


# -- timing ----------------------------------------------------------------------------


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start, proc.returncode


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--target", help="the file to check, relative to the corpus root")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also show where one check's time goes (slowest imports, cProfile top)",
    )
    args = parser.parse_args(argv)

    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or shutil.which(
        "corpuslint"
    )
    if exe is None:
        print("corpuslint is not installed in this environment", file=sys.stderr)
        return 2
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CORPUSLINT_DEBUG")}
    # Time what an installed tool costs: with bytecode (pip compiles it at install time),
    # even where PYTHONDONTWRITEBYTECODE is set; kept out of the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(args.data / "pycache")

    t0 = time.perf_counter()
    data = generate(args.data, args.files)
    names = sorted(p.name for p in (data / "corpus").glob("*.txt"))
    print(f"corpus: {len(names)} files in {data / 'corpus'} ({time.perf_counter() - t0:.1f} s)")
    target = f"corpus/{args.target or names[len(names) // 2]}"

    t0 = time.perf_counter()
    _, warm_rc = _run([exe, "check", "corpus"], data, env)
    print(f"warm-up: full check of the corpus {time.perf_counter() - t0:.1f} s (exit {warm_rc})")
    if warm_rc not in (0, 1):
        print("the full check failed; run it by hand to see why:", file=sys.stderr)
        print(f"  cd {data} && {exe} check corpus", file=sys.stderr)
        return 2
    _run([exe, "check", target], data, env)  # the first one-file run builds nothing new

    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "corpuslint --version": [exe, "--version"],
        "corpuslint rules": [exe, "rules"],
        f"corpuslint check {target}": [exe, "check", target],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, set[int]] = {name: set() for name in commands}
    order = list(commands)
    for rep in range(args.reps):
        for name in order[rep % len(order) :] + order[: rep % len(order)]:
            elapsed, rc = _run(commands[name], data, env)
            times[name].append(elapsed)
            codes[name].add(rc)

    base = statistics.median(times["python -c pass"])
    print(f"\n{args.reps} repetitions each, cwd {data}")
    print(f"{'command':<60} {'median':>8} {'p90':>8} {'ratio':>7}  exit")
    results = []
    for name in commands:
        med, p90 = statistics.median(times[name]), _p90(times[name])
        exits = ",".join(str(c) for c in sorted(codes[name]))
        print(f"{name:<60} {med * 1000:>6.0f}ms {p90 * 1000:>6.0f}ms {med / base:>6.1f}x  {exits}")
        results.append(
            {
                "command": name,
                "median_s": med,
                "p90_s": p90,
                "ratio": med / base,
                "exit_codes": sorted(codes[name]),
            }
        )
    check = results[-1]
    verdict = "under" if check["median_s"] < 0.3 else "OVER"
    print(
        f"\none-file check: median {check['median_s']:.3f} s, p90 {check['p90_s']:.3f} s, "
        f"{check['ratio']:.1f}x `python -c pass`; {verdict} the 0.3 s aim"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "files": len(names),
                    "reps": args.reps,
                    "python": sys.version.split()[0],
                    "results": results,
                },
                indent=2,
            )
            + "\n"
        )
    if args.profile:
        _profile(exe, target, data, env)
    if 2 in codes[f"corpuslint check {target}"]:
        print(
            f"the timed check failed (exit 2): these figures are not meaningful; run "
            f"`cd {data} && {exe} check {target}` to see why",
            file=sys.stderr,
        )
        return 1
    return 0


def _profile(exe: str, target: str, data: Path, env: dict[str, str]) -> None:
    """Print the slowest imports (-X importtime) and cProfile's top of one check."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", exe, "check", target],
        cwd=data,
        env=env,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _self, cumulative, name = line.removeprefix("import time:").split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative), name.rstrip()))
    print("\nslowest imports (cumulative, microseconds):")
    for cumulative, name in sorted(rows, reverse=True)[:15]:
        print(f"{cumulative:>10}  {name}")
    proc = subprocess.run(
        [sys.executable, "-m", "cProfile", "-s", "cumulative", exe, "check", target],
        cwd=data,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = proc.stdout.splitlines()
    start = next((i for i, x in enumerate(lines) if x.lstrip().startswith("ncalls")), None)
    if start is not None:
        print("\ncProfile, by cumulative time:")
        print("\n".join(lines[start : start + 35]))


if __name__ == "__main__":
    sys.exit(main())
