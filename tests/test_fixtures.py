"""One parametrised test over every rule fixture under tests/fixtures/<CODE>/.

A case is ``<name>.txt`` (one document) or ``<name>/`` (a small corpus, for
corpus-wide rules), with next to it:

* ``<name>.expected``: the findings *of that code* in concise format
  (``path:row:col: CODE [*] message``, paths relative to the case), or empty;
* ``<name>.fixed`` (optional, single documents only): the text after applying
  every fix of that code, unsafe ones included;
* ``<name>.toml`` (optional): configuration for the case, e.g.
  ``[rules.header-line]`` / ``required = true``.

Besides the expected findings, every case checks that fixes converge: fixing
with safe fixes leaves no finding of that code with a safe fix, fixing with all
fixes leaves none with any fix, and fixing the fixed text again changes nothing.
``CORPUSLINT_UPDATE_FIXTURES=1`` rewrites the ``.expected`` files (review the diff).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from corpuslint.config import load_settings, parse_config
from corpuslint.document import Document
from corpuslint.emitters.concise import format_line
from corpuslint.files import discover
from corpuslint.fixer import fix_until_stable
from corpuslint.registry import load_registry
from corpuslint.rule import CheckContext, DocumentRule
from corpuslint.runner import Job, Runner, Source, fingerprint, run_document_rules
from corpuslint.selection import FindingFilter, instantiate

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = bool(os.environ.get("CORPUSLINT_UPDATE_FIXTURES"))


def _cases():
    for code_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for case in sorted(code_dir.iterdir()):
            if case.suffix == ".txt" or (case.is_dir() and not case.name.startswith(".")):
                yield pytest.param(code_dir.name, case, id=f"{code_dir.name}/{case.name}")


def _settings(case: Path, root: Path):
    cfg = case.with_suffix(".toml") if case.suffix else case.parent / f"{case.name}.toml"
    table = tomllib.loads(cfg.read_text()) if cfg.exists() else {}
    settings = load_settings(root, isolated=True)
    from dataclasses import replace

    kwargs = parse_config(table, source=str(cfg), root=root)
    return replace(settings, root=root, corpus=(root,), **kwargs)


def _rule(code: str, settings):
    registry = load_registry()
    rule_cls = registry.get(code)
    assert rule_cls is not None, f"fixture directory {code} names no installed rule"
    return instantiate([rule_cls], registry, settings)[0]


def _check_corpus(code: str, case: Path, tmp_path: Path) -> list[str]:
    root = tmp_path / case.name
    shutil.copytree(case, root)
    settings = _settings(case, root)
    rule = _rule(code, settings)
    ctx = CheckContext(root=root)
    job = Job(
        settings, [rule], ctx, fingerprint(settings, [rule], "", ctx), False, FindingFilter({})
    )
    cwd = os.getcwd()
    os.chdir(root)
    try:
        sources = [Source(e) for e in discover(["."], settings, root)]
        outcome = Runner(job, jobs=1).check(sources)
    finally:
        os.chdir(cwd)
    assert not outcome.errors, outcome.errors
    return [format_line(d) for d in outcome.diagnostics if d.code == code]


@pytest.mark.parametrize(("code", "case"), list(_cases()))
def test_fixture(code: str, case: Path, tmp_path: Path) -> None:
    expected_file = (
        case.with_suffix(".expected") if case.suffix else case.parent / f"{case.name}.expected"
    )
    if case.is_dir():
        got = _check_corpus(code, case, tmp_path)
    else:
        settings = _settings(case, tmp_path)
        rule = _rule(code, settings)
        ctx = CheckContext(root=tmp_path)
        doc = Document.from_bytes(case.name, case.read_bytes())
        errors: list[str] = []
        if isinstance(rule, DocumentRule):
            diags = run_document_rules(doc, [rule], ctx, errors)
        else:
            pytest.skip("corpus rules need a directory case")
        assert not errors, errors
        got = [format_line(d) for d in diags]
        if doc.fixable:
            _check_fixes(rule, doc, ctx, case)
        else:
            assert not case.with_suffix(".fixed").exists(), "a non-fixable file has a .fixed"
    if UPDATE:
        expected_file.write_text("".join(line + "\n" for line in got))
    assert expected_file.exists(), f"missing {expected_file.name}"
    expected = [line for line in expected_file.read_text().splitlines() if line.strip()]
    assert got == expected


def _check_fixes(rule, doc: Document, ctx: CheckContext, case: Path) -> None:
    def check(text: str):
        return run_document_rules(Document.from_text(doc.path, text), [rule], ctx, [])

    safe = fix_until_stable(doc.text, check, unsafe=False)
    assert safe.converged
    assert not [d for d in check(safe.text) if d.fix and d.fix.is_applicable(False)]
    full = fix_until_stable(doc.text, check, unsafe=True)
    assert full.converged
    remaining = check(full.text)
    assert not [d for d in remaining if d.fix and d.fix.is_applicable(True)], remaining
    assert fix_until_stable(full.text, check, unsafe=True).text == full.text
    fixed_file = case.with_suffix(".fixed")
    if UPDATE and full.text != doc.text:
        fixed_file.write_bytes(full.text.encode("utf-8", "surrogatepass"))
    if fixed_file.exists():
        assert full.text == fixed_file.read_bytes().decode("utf-8")
    else:
        assert full.text == doc.text or UPDATE, (
            f"fixes change the text but {fixed_file.name} is missing"
        )
