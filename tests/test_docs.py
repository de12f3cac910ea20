"""The documentation stays true: docs/rules.md is what the rules say, links resolve."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from corpuslint.registry import load_registry

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
# [text](target): relative targets only (no scheme, no pure anchor)
LINK = re.compile(r"\[[^\]]*\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s#]+)(?:#[^)\s]*)?\)")


def test_rules_doc_is_up_to_date() -> None:
    """docs/rules.md is generated from the rules' docstrings: regenerate it with
    ``python scripts/gen_rules_doc.py`` after changing a rule."""
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_rules_doc.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_rule_has_its_anchor_in_the_rules_doc() -> None:
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [cls.code for cls in load_registry().rules if cls.code not in text]
    assert not missing


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = [
        target
        for target in LINK.findall(text)
        if not (page.parent / target).exists() and not (REPO / target).exists()
    ]
    assert not broken, f"{page.name}: {broken}"
