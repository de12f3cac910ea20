"""The LanguageTool engine: grammar-error counts through language-tool-python.

Two ways to reach LanguageTool, both through ``language_tool_python.LanguageTool``:

* a server URL (``languagetool-url`` option): the library's remote-server mode,
  which POSTs to ``<url>/v2/check`` (tests use a local server speaking that API);
* a local installation found via ``LTP_PATH`` (a folder holding
  ``LanguageTool-*/languagetool-server.jar``, language-tool-python's own layout)
  or ``LTP_JAR_DIR_PATH`` (the folder of the jar): the library starts the server
  with Java, its heap capped by ``languagetool-memory``
  (``JAVA_TOOL_OPTIONS=-Xmx...``). This path cannot be tested here (no
  LanguageTool download); it is the library's own local mode.

Neither: a clear error. Nothing is ever downloaded.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpuslint.errors import CorpuslintError


class LanguageToolUnavailable(CorpuslintError):
    pass


JAR = "languagetool-server.jar"


def local_installation() -> Path | None:
    """The folder of ``languagetool-server.jar`` (``LTP_JAR_DIR_PATH``, or under ``LTP_PATH``)."""
    jar_dir = os.environ.get("LTP_JAR_DIR_PATH")
    if jar_dir and (Path(jar_dir) / JAR).is_file():
        return Path(jar_dir)
    root = os.environ.get("LTP_PATH")
    if not root:
        return None
    for jar in sorted(Path(root).glob(f"LanguageTool*/{JAR}")):
        return jar.parent
    return None


def _local_version(folder: Path) -> str | None:
    """``LanguageTool-6.6`` -> ``6.6`` (what language-tool-python calls the version)."""
    m = re.fullmatch(r"LanguageTool-(\d+\.\d+)", folder.name)
    return m.group(1) if m else None


def check_available(url: str) -> None:
    """Raise a clear error when neither a server URL nor a local LanguageTool is there."""
    if url:
        return
    if local_installation() is None:
        where = os.environ.get("LTP_PATH")
        detail = (
            f"LTP_PATH={where!r} holds no LanguageTool-*/languagetool-server.jar"
            if where
            else "LTP_PATH is not set"
        )
        raise LanguageToolUnavailable(
            'engine = "languagetool" needs a LanguageTool server (languagetool-url) or a '
            f"local LanguageTool installation (LTP_PATH or LTP_JAR_DIR_PATH); {detail}"
        )


@lru_cache(maxsize=4)
def _tool(url: str, memory: str, language: str) -> Any:
    check_available(url)
    try:
        import language_tool_python
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise LanguageToolUnavailable(f"language-tool-python is not installed: {exc}") from None
    try:
        if url:
            return language_tool_python.LanguageTool(language, remote_server=url)
        folder = local_installation()
        assert folder is not None
        version = _local_version(folder)
        if version is None:
            raise LanguageToolUnavailable(
                f"{folder}: a local LanguageTool folder must be named LanguageTool-X.Y"
            )
        # language-tool-python's own layout: LTP_PATH/LanguageTool-X.Y; with
        # LTP_JAR_DIR_PATH set it never downloads. Cap the JVM's heap.
        os.environ["LTP_PATH"] = str(folder.parent)
        os.environ["LTP_JAR_DIR_PATH"] = str(folder)
        opts = os.environ.get("JAVA_TOOL_OPTIONS", "")
        if "-Xmx" not in opts:
            os.environ["JAVA_TOOL_OPTIONS"] = f"{opts} -Xmx{memory}".strip()
        return language_tool_python.LanguageTool(language, language_tool_download_version=version)
    except LanguageToolUnavailable:
        raise
    except Exception as exc:
        raise LanguageToolUnavailable(
            f"cannot reach LanguageTool ({url or local_installation()}): {exc}"
        ) from None


def grammar_errors(text: str, paras: list, sents: list, engine: Any) -> list[int]:
    """LanguageTool matches per sentence (spelling matches are not counted)."""
    tool = _tool(engine.languagetool_url, engine.languagetool_memory, engine.language)
    counts = [0] * len(sents)
    starts = [s.start for s in sents]
    for p in paras:
        try:
            matches = tool.check(p.text)
        except Exception as exc:
            raise LanguageToolUnavailable(f"LanguageTool check failed: {exc}") from None
        for m in matches:
            if str(getattr(m, "category", "")).upper() in ("TYPOS",):
                continue
            at = p.start + int(getattr(m, "offset", 0))
            # the sentence that holds the match
            lo, hi = 0, len(starts)
            while lo < hi:
                mid = (lo + hi) // 2
                if starts[mid] <= at:
                    lo = mid + 1
                else:
                    hi = mid
            if lo:
                counts[lo - 1] += 1
    return counts
