"""The LanguageTool engine against a local server that speaks LanguageTool's HTTP API.

LanguageTool itself cannot be downloaded here, so a tiny server on 127.0.0.1
answers ``GET /v2/languages`` and ``POST /v2/check`` with LanguageTool's JSON.
The engine reaches it exactly as it reaches a real server: through
language-tool-python's remote-server mode.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

import pytest

# Error patterns the fake server reports, like LanguageTool's grammar rules would.
GRAMMAR = re.compile(r"(?i)\b(he go|they goes|a apple|more better)\b")
TYPO = re.compile(r"\bteh\b")


def _match(text: str, m: re.Match, category: str) -> dict:
    return {
        "message": "Possible error",
        "shortMessage": "",
        "replacements": [{"value": "fix"}],
        "offset": m.start(),
        "length": m.end() - m.start(),
        "context": {"text": text, "offset": m.start(), "length": m.end() - m.start()},
        "sentence": text,
        "rule": {
            "id": "FAKE_" + category,
            "description": "fake rule",
            "issueType": "grammar" if category == "GRAMMAR" else "misspelling",
            "category": {"id": category, "name": category.title()},
        },
    }


class _Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def log_message(self, *args) -> None:
        pass

    def _json(self, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.startswith("/v2/healthcheck"):
            self._json({"status": "ok"})
        elif self.path.startswith("/v2/languages"):
            self._json([{"name": "English (US)", "code": "en", "longCode": "en-US"}])
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        if not self.path.startswith("/v2/check"):
            self.send_error(404)
            return
        size = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(size).decode())
        text = form.get("text", [""])[0]
        type(self).requests.append({k: v[0] for k, v in form.items()})
        matches = [_match(text, m, "GRAMMAR") for m in GRAMMAR.finditer(text)]
        matches += [_match(text, m, "TYPOS") for m in TYPO.finditer(text)]
        self._json({"matches": matches, "language": {"code": "en-US"}})


def serve(port: int, lifetime: float = 120.0) -> None:
    """Run the fake server on ``port`` for at most ``lifetime`` seconds (the fake java)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    threading.Timer(lifetime, server.shutdown).start()
    server.serve_forever()
    server.server_close()


@pytest.fixture(scope="module")
def lt_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _cli(*args: str, cwd: Path) -> tuple[int, str, str]:
    from corpuslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


BAD = (
    "The minister said he go to the summit on Monday. They goes home after a apple lunch. "
    "Officials said the talks were more better than before. He go again, said the aide. "
    "They goes on. The report said teh plan failed, according to Reuters.\n"
)
GOOD = (
    "The minister said he would attend the summit on Monday. They went home after lunch. "
    "Officials said the talks were better than before. He left again, said the aide. "
    "They carried on. The report said the plan failed, according to Reuters.\n"
)


@pytest.mark.parametrize(
    ("text", "errors", "flagged"),
    [(BAD, 6, True), (GOOD, 0, False)],
    ids=["grammar-errors", "clean"],
)
def test_languagetool_engine_through_the_cli(
    lt_server: str, tmp_path: Path, text: str, errors: int, flagged: bool
) -> None:
    (tmp_path / "corpuslint.toml").write_text(
        f'[rules.garbled-translation]\nengine = "languagetool"\nlanguagetool-url = "{lt_server}"\n'
    )
    (tmp_path / "doc.txt").write_text(text)
    _Handler.requests.clear()
    code, out, err = _cli("signals", "doc.txt", "--no-cache", cwd=tmp_path)
    assert code == 0, err
    rec = json.loads(out)
    assert rec["mt"]["grammar_errors"] == errors  # the TYPOS match is not counted
    assert sum(s["grammar_errors"] for s in rec["mt"]["sentence_records"]) == errors
    assert _Handler.requests and _Handler.requests[0]["language"] == "en-US"
    code, out, err = _cli(
        "check",
        "doc.txt",
        "--select",
        "MT001",
        "--no-cache",
        "--output-format",
        "json",
        cwd=tmp_path,
    )
    found = json.loads(out)
    assert bool(found) is flagged, err
    if flagged:
        assert found[0]["data"]["engine"] == "languagetool"
        assert found[0]["data"]["grammar_errors"] == errors


def test_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "corpuslint.toml").write_text(
        '[rules.garbled-translation]\nengine = "languagetool"\n'
        'languagetool-url = "http://127.0.0.1:9/"\n'
    )
    (tmp_path / "doc.txt").write_text(GOOD)
    code, _out, err = _cli("check", "doc.txt", "--select", "MT001", "--no-cache", cwd=tmp_path)
    assert code == 2
    assert "LanguageTool" in err and "Traceback" not in err


def test_ltp_path_without_languagetool_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LTP_PATH", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "corpuslint.toml").write_text(
        '[rules.garbled-translation]\nengine = "languagetool"\n'
    )
    (tmp_path / "doc.txt").write_text(GOOD)
    code, _out, err = _cli("check", "doc.txt", "--select", "MT001", "--no-cache", cwd=tmp_path)
    assert code == 2
    assert "languagetool-server.jar" in err


FAKE_JAVA = """#!{python}
import os, sys
args = sys.argv[1:]
if args == ["-version"]:
    sys.stderr.write('openjdk version "17.0.9" 2023-10-17\\n')
    sys.exit(0)
with open(os.environ["FAKE_LT_LOG"], "w") as fh:
    fh.write(" ".join(args) + "\\n" + os.environ.get("JAVA_TOOL_OPTIONS", ""))
sys.path.insert(0, {tests!r})
from test_mt_languagetool import serve
serve(int(args[args.index("-p") + 1]))
"""


def test_local_languagetool_via_ltp_path(tmp_path: Path, monkeypatch) -> None:
    """The local mode: language-tool-python starts `java -cp languagetool-server.jar ...`.

    A fake `java` on PATH stands in for the JVM and serves the same API, so the
    library's own local-server code runs, with the heap cap we pass it.
    """
    from corpuslint.rules.mt import languagetool

    install = tmp_path / "lt" / "LanguageTool-6.6"
    install.mkdir(parents=True)
    (install / "languagetool-server.jar").write_bytes(b"PK\x05\x06" + bytes(18))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    java = bin_dir / "java"
    java.write_text(FAKE_JAVA.format(python=sys.executable, tests=str(Path(__file__).parent)))
    java.chmod(0o755)
    log = tmp_path / "java.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("LTP_PATH", str(tmp_path / "lt"))
    monkeypatch.setenv("LTP_JAR_DIR_PATH", "")
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "")
    monkeypatch.setenv("FAKE_LT_LOG", str(log))
    (tmp_path / "corpuslint.toml").write_text(
        '[rules.garbled-translation]\nengine = "languagetool"\nlanguagetool-memory = "256m"\n'
    )
    (tmp_path / "doc.txt").write_text(BAD)
    try:
        code, out, err = _cli("signals", "doc.txt", "--no-cache", cwd=tmp_path)
        assert code == 0, err
        assert json.loads(out)["mt"]["grammar_errors"] == 6
        cmd, java_opts = log.read_text().split("\n", 1)
        assert "languagetool-server.jar" in cmd and "org.languagetool.server.HTTPServer" in cmd
        assert "-Xmx256m" in java_opts
    finally:
        if languagetool._tool.cache_info().currsize:
            languagetool._tool("", "256m", "en-US").close()  # stops the fake server
        languagetool._tool.cache_clear()
