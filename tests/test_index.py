"""The persistent corpus index: ``corpuslint index``, incremental sync (full and quick),
rebuild on corruption, several processes at once."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpuslint.rules.dup.minhash import lsh_params

from tests.conftest import run_cli, run_subprocess
from tests.test_dup import article, edited, findings, write_corpus


def index_json(root: Path, action: str, *extra: str) -> dict:
    result = run_cli("index", action, *extra, "--output-format", "json", cwd=root)
    assert result.code == 0, result.err
    return json.loads(result.out)


def db_rows(root: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(root / ".corpuslint" / "index.sqlite")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_build_update_stats_clear(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {f"{i}.txt": article(i) for i in range(6)})
    built = index_json(root, "build", "--select", "DUP")
    assert (built["added"], built["files"]) == (6, 6)
    again = index_json(root, "update", "--select", "DUP")
    assert (again["added"], again["unchanged"]) == (0, 6)
    (root / "docs" / "0.txt").unlink()
    (root / "docs" / "1.txt").write_text(article(99))
    (root / "docs" / "9.txt").write_text(article(9))
    third = index_json(root, "update", "--select", "DUP")
    assert (third["added"], third["updated"], third["removed"], third["unchanged"]) == (1, 1, 1, 4)
    stats = index_json(root, "stats", "--select", "DUP")
    assert stats["files"] == 6
    assert stats["summaries"]["DUP002"] == 6
    # band rows: one per band per file, and none left of removed or replaced versions
    bands = db_rows(root, "SELECT count(*) FROM dup_near_bands")[0][0]
    keys = db_rows(root, "SELECT count(*) FROM dup_near_keys")[0][0]
    assert keys == 6 and bands == 6 * lsh_params(0.8, 128)[0]
    text = run_cli("index", "stats", cwd=root)
    assert text.code == 0 and re.search(r"^files +6$", text.out, re.M)
    cleared = index_json(root, "clear")
    assert cleared["cleared"] and not (root / ".corpuslint" / "index.sqlite").exists()


def test_check_keeps_the_index_in_step_with_deletions(tmp_path: Path) -> None:
    a = article(1)
    root = write_corpus(
        tmp_path, {f"{i:02d}.txt": article(10 + i) for i in range(30)} | {"50_a.txt": a}
    )
    assert findings(root) == []
    (root / "docs" / "60_near.txt").write_text(edited(a, 2, 1))
    assert [d["data"]["duplicate_of"] for d in findings(root, "docs/60_near.txt")] == [
        "docs/50_a.txt"
    ]
    # the original is deleted: a one-file run (quick sync) must not name it any more
    time.sleep(0.01)
    (root / "docs" / "50_a.txt").unlink()
    assert findings(root, "docs/60_near.txt") == []
    paths = {p for (p,) in db_rows(root, "SELECT path FROM files")}
    assert "docs/50_a.txt" not in paths and "docs/60_near.txt" in paths


def test_quick_sync_trusts_directory_mtimes_and_update_stats_every_file(tmp_path: Path) -> None:
    docs = {f"a/{i:02d}.txt": article(20 + i) for i in range(30)}
    (tmp_path / "docs" / "a").mkdir(parents=True)
    (tmp_path / "docs" / "b").mkdir()
    root = write_corpus(tmp_path, docs)
    assert findings(root) == []

    def stored_key() -> str:
        return db_rows(root, "SELECT key FROM files WHERE path = 'docs/a/07.txt'")[0][0]

    before = stored_key()
    # edited in place (its directory's mtime does not change) into a near copy of 03
    (root / "docs" / "a" / "07.txt").write_text(edited(docs["a/03.txt"], 1, 2))
    (root / "docs" / "b" / "new.txt").write_text(article(500))
    # a one-file run elsewhere syncs quickly: the unnamed, edited file is not re-read
    assert findings(root, "docs/b/new.txt") == []
    assert stored_key() == before
    # `index update` stats every file
    stats = index_json(root, "update", "--select", "DUP001,DUP002")
    assert (stats["updated"], stats["added"]) == (1, 0)
    assert stored_key() != before
    assert [d["data"]["duplicate_of"] for d in findings(root, "docs/a/07.txt")] == ["docs/a/03.txt"]


def test_a_new_subdirectory_is_found_by_a_quick_sync(tmp_path: Path) -> None:
    a = article(7)
    root = write_corpus(
        tmp_path, {f"{i:02d}.txt": article(40 + i) for i in range(30)} | {"a.txt": a}
    )
    assert findings(root) == []
    (root / "docs" / "sub").mkdir()
    (root / "docs" / "sub" / "copy.txt").write_text(edited(a, 1, 3))
    (root / "docs" / "z_new.txt").write_text(article(900))
    assert findings(root, "docs/z_new.txt") == []
    paths = {p for (p,) in db_rows(root, "SELECT path FROM files")}
    assert "docs/sub/copy.txt" in paths


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "old-schema", "empty"],
)
def test_a_damaged_index_is_rebuilt_with_a_warning(tmp_path: Path, damage: str) -> None:
    a = article(3)
    root = write_corpus(tmp_path, {"1.txt": a, "2.txt": edited(a, 2, 1), "3.txt": article(4)})
    clean = run_cli("check", "docs", "--select", "DUP", "--no-cache", cwd=root)
    assert clean.code == 1
    db = root / ".corpuslint" / "index.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        db.write_bytes(b"not a database at all " * 500)
    elif damage == "truncated":
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
    elif damage == "old-schema":
        conn = sqlite3.connect(db)
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
        conn.commit()
        conn.close()
    else:
        db.write_bytes(b"")
    again = run_cli("check", "docs", "--select", "DUP", "--no-cache", cwd=root)
    assert again.code == clean.code and again.out == clean.out
    assert "Traceback" not in again.err
    if damage != "empty":  # an empty file is a valid empty database: nothing to warn about
        assert "warning: index" in again.err


def test_two_processes_update_the_index_at_once(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {f"{i:03d}.txt": article(300 + i) for i in range(120)})
    exe = Path(sys.executable).with_name("corpuslint")
    procs = [
        subprocess.Popen(
            [str(exe), "index", "update", "--select", "DUP", "-j", "1", "--output-format", "json"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs):
        assert p.returncode == 0, err.decode()
        assert b"Traceback" not in err
    counts = [json.loads(out) for out, _ in outs]
    assert all(c["files"] == 120 for c in counts)
    assert db_rows(root, "PRAGMA integrity_check") == [("ok",)]
    assert db_rows(root, "SELECT count(*) FROM files")[0][0] == 120
    assert db_rows(root, "SELECT count(*) FROM dup_near_keys")[0][0] == 120
    assert (
        db_rows(root, "SELECT count(*) FROM dup_near_bands")[0][0] == 120 * lsh_params(0.8, 128)[0]
    )
    # and a check against it sees the same corpus as a fresh build
    (root / "docs" / "new.txt").write_text(edited(article(305), 2, 1))
    result = run_subprocess("check", "docs/new.txt", "--select", "DUP002", cwd=root)
    assert result.code == 1 and "docs/005.txt" in result.out


def test_rules_added_later_get_summaries_for_every_file(tmp_path: Path) -> None:
    a = article(5)
    root = write_corpus(
        tmp_path, {f"{i:02d}.txt": article(60 + i) for i in range(20)} | {"a.txt": a}
    )
    assert run_cli("check", "docs", "--select", "FMT002", cwd=root).code in (0, 1)
    (root / "docs" / "b.txt").write_text(edited(a, 1, 1))
    got = findings(root, "docs/b.txt")
    assert [d["data"]["duplicate_of"] for d in got] == ["docs/a.txt"]


def test_index_path_from_configuration(tmp_path: Path) -> None:
    root = write_corpus(tmp_path, {"1.txt": article(1)}, 'index = "state/dups.sqlite"\n')
    index_json(root, "build")
    assert (root / "state" / "dups.sqlite").exists()
    assert not (root / ".corpuslint" / "index.sqlite").exists()
    assert os.path.getsize(root / "state" / "dups.sqlite") > 0
