"""Walking the corpus: include / exclude, skipped directories, relative and display paths.

``walk`` works on strings (a check of a large corpus walks every file, and a Path per
file cost more than the walk itself); these cases pin down what it yields.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuslint.config import Settings
from corpuslint.files import corpus_files, walk

TREE = [
    "corpus/001_a.txt",
    "corpus/notes.md",
    "corpus/sub/002_b.txt",
    "corpus/sub/deeper/003_c.txt",
    "corpus/drafts/004_d.txt",
    "corpus/sub/drafts/005_e.txt",
    "corpus/.git/006_f.txt",
    "corpus/__pycache__/007_g.txt",
    "corpus/old.bak.txt",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for rel in TREE:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"text of {rel}\n")
    return tmp_path


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (
            ("**/*.txt",),
            (),
            [
                "corpus/001_a.txt",
                "corpus/drafts/004_d.txt",
                "corpus/old.bak.txt",
                "corpus/sub/002_b.txt",
                "corpus/sub/deeper/003_c.txt",
                "corpus/sub/drafts/005_e.txt",
            ],
        ),
        # a slash-free pattern names a directory at any depth; *.bak.txt any such file
        (
            ("**/*.txt",),
            ("drafts", "*.bak.txt"),
            ["corpus/001_a.txt", "corpus/sub/002_b.txt", "corpus/sub/deeper/003_c.txt"],
        ),
        # anchored patterns are relative to the project root
        (
            ("**/*.txt",),
            ("corpus/sub",),
            [
                "corpus/001_a.txt",
                "corpus/drafts/004_d.txt",
                "corpus/old.bak.txt",
            ],
        ),
        (("**/*.md",), (), ["corpus/notes.md"]),
        (
            ("corpus/sub/**/*.txt",),
            ("deeper",),
            ["corpus/sub/002_b.txt", "corpus/sub/drafts/005_e.txt"],
        ),
    ],
    ids=["default", "unanchored-excludes", "anchored-exclude", "other-extension", "anchored"],
)
def test_walk_selects(project: Path, include: tuple, exclude: tuple, expected: list[str]) -> None:
    settings = Settings(
        root=project, include=include, exclude=exclude, corpus=(project / "corpus",)
    )
    entries = sorted(walk(project / "corpus", settings, project))
    assert [e.relpath for e in entries] == expected
    assert [e.display for e in entries] == expected  # cwd is the project root
    assert all(e.path == project / e.relpath for e in entries)
    assert all(isinstance(e.path, Path) and e.path.is_absolute() for e in entries)

    assert [e.relpath for e in corpus_files(settings, project)] == expected


@pytest.mark.parametrize(
    ("cwd", "display"),
    [
        (".", "corpus/sub/002_b.txt"),
        ("corpus", "sub/002_b.txt"),
        ("corpus/sub", "002_b.txt"),
        ("elsewhere", None),  # not below the working directory: the absolute path
    ],
)
def test_display_paths_are_relative_to_the_working_directory(
    project: Path, cwd: str, display: str | None
) -> None:
    (project / "elsewhere").mkdir()
    settings = Settings(root=project, exclude=("drafts", "deeper", "*.bak.txt"))
    entries = walk(project / "corpus" / "sub", settings, project / cwd)
    assert [e.relpath for e in entries] == ["corpus/sub/002_b.txt"]
    want = display if display is not None else (project / "corpus/sub/002_b.txt").as_posix()
    assert entries[0].display == want


def test_root_outside_the_project_and_symlinks(tmp_path: Path) -> None:
    """A corpus root outside the project root; a symlinked directory is not followed."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    (outside / "real").mkdir(parents=True)
    (outside / "real" / "001_a.txt").write_text("a\n")
    project.mkdir()
    (outside / "linkdir").symlink_to(outside / "real", target_is_directory=True)
    (outside / "linkfile.txt").symlink_to(outside / "real" / "001_a.txt")
    settings = Settings(root=project, corpus=(outside,))
    expected = {
        str(outside / "real" / "001_a.txt").lstrip("/"),
        str(outside / "linkfile.txt").lstrip("/"),
    }
    assert {e.relpath for e in corpus_files(settings, project)} == expected


def test_file_entry_keeps_the_dataclass_contract(tmp_path: Path) -> None:
    """FileEntry stores a str path (a Path only on access) but behaves as before."""
    import dataclasses
    import pickle

    from corpuslint.files import FileEntry

    a = FileEntry("a.txt", tmp_path / "a.txt", "a.txt")
    same = FileEntry("a.txt", str(tmp_path / "a.txt"), "a.txt")
    b = FileEntry("b.txt", tmp_path / "b.txt", "b.txt")
    assert a == same and hash(a) == hash(same) and a != b
    assert a.path == tmp_path / "a.txt" and isinstance(a.path, Path)
    assert a.abspath == str(tmp_path / "a.txt")
    assert sorted([b, a]) == [a, b] and a < b and b >= a
    assert pickle.loads(pickle.dumps(a)) == a
    assert "a.txt" in repr(a)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.display = "x"  # type: ignore[misc]
    assert {a: 1}[same] == 1
