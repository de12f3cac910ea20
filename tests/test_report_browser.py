"""The HTML report in real headless Chromium (Debian's ``chromium``).

The browser is driven through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages ending in NUL on fds 3 and 4), with
the standard library only. The tests check the DOM after the script ran: charts,
every file reachable through the pager, search and filters, highlighted spans in
the file view, no network request (Network events; the browser also runs with a
proxy on a closed port), no script error, untrusted text shown as text. Each
saves a screenshot under its tmp_path.

Skipped when chromium is not installed (CI installs it: see .ci/run).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import random
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from corpuslint.model import Diagnostic, Severity, Span
from corpuslint.report import ReportFile, ReportOptions, render_report
from tests.conftest import run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)


class Browser:
    """A headless Chromium and one page, driven over the DevTools pipe."""

    def __init__(self, exe: str, profile: Path) -> None:
        cmd_r, cmd_w = os.pipe()  # we write commands; Chromium reads them on fd 3
        res_r, res_w = os.pipe()  # Chromium writes replies on fd 4; we read them
        # Keep the child's ends clear of 3 and 4 so the dup2s cannot clobber each other.
        child_in = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(res_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(cmd_r)
        os.close(res_w)
        args = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            f"--user-data-dir={profile}",
            # any real request would go to a closed port and fail (and still show up
            # in the Network events the tests check)
            "--proxy-server=127.0.0.1:9",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, child_in, 3),
            (os.POSIX_SPAWN_DUP2, child_out, 4),
        ]
        self.pid = os.posix_spawn(exe, args, os.environ, file_actions=actions)
        os.close(child_in)
        os.close(child_out)
        self._out = os.fdopen(cmd_w, "wb", buffering=0)
        self._in = res_r
        self._next = 0
        self._replies: dict[int, dict] = {}
        self.events: list[dict] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable", session=True)

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._in, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._cond.notify_all()
                return
            buf += chunk
            *messages, buf = buf.split(b"\0")
            with self._cond:
                for raw in messages:
                    msg = json.loads(raw)
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                self._cond.notify_all()

    def call(self, method: str, *, session: bool = False, timeout: float = 30, **params):
        self._next += 1
        msg: dict = {"id": self._next, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self._out.write(json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._next not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or not self._reader.is_alive():
                    raise TimeoutError(f"no reply to {method}")
                self._cond.wait(left)
            reply = self._replies.pop(self._next)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def js(self, expression: str):
        """Evaluate ``expression`` in the page; its value (JSON-able)."""
        result = self.call(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str, width: int = 1280, height: int = 900) -> None:
        self.events.clear()
        self.resize(width, height)
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("document.documentElement.getAttribute('data-ready') === '1'")

    def wait_for(self, condition: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(AssertionError, RuntimeError):
                if self.js(condition):
                    return
            time.sleep(0.05)
        raise TimeoutError(f"page never reached: {condition}")

    def screenshot(self, path: Path, *, full_page: bool = True, clip: tuple | None = None) -> Path:
        """A PNG of the viewport, or of the whole page (the viewport grown to fit it,
        so sticky headers stay on top), or of ``clip`` = (x, y, width, height)."""
        params: dict = {"format": "png"}
        if full_page:
            height = min(int(self.js("document.documentElement.scrollHeight")), 8000)
            self.resize(height=height)
        if clip is not None:
            x, y, w, h = clip
            params["clip"] = {"x": x, "y": y, "width": w, "height": h, "scale": 1}
        data = self.call("Page.captureScreenshot", session=True, **params)["data"]
        if full_page:
            self.resize()
        path.write_bytes(base64.b64decode(data))
        return path

    def resize(self, width: int = 1280, height: int = 900) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def problems(self) -> list[str]:
        """Script exceptions, console errors and log errors (a CSP refusal is one)."""
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(json.dumps(params.get("exceptionDetails"))[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                out.append(json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                out.append(params["entry"].get("text", "")[:500])
        return out

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.call("Browser.close", timeout=5)
        with contextlib.suppress(OSError):
            self._out.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG) != (0, 0):
                break
            time.sleep(0.05)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self._in)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    b = Browser(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()


def assert_no_external_requests(browser: Browser, report: Path) -> None:
    own = report.resolve().as_uri()
    urls = browser.requested_urls()
    assert urls, "the Network domain saw no request at all (is it enabled?)"
    stray = [u for u in urls if u.split("#")[0] != own and not u.startswith(("data:", "about:"))]
    assert stray == [], f"the report made network requests: {stray}"
    assert browser.problems() == []


# -- a generated corpus, rendered without running the rules (fast) ---------------

WORDS = [
    *("council", "budget", "river", "harbour", "minister", "school", "election", "museum"),
    *("festival", "railway", "bridge", "hospital", "weather", "market", "farmers", "bank"),
    *("orchestra", "court", "police", "library"),
]


def synthetic_corpus(n: int, seed: int = 7) -> tuple[list[ReportFile], dict[str, str]]:
    """``n`` files with texts and findings of every family, some duplicate clusters."""
    rng = random.Random(seed)
    files, texts = [], {}
    for i in range(n):
        path = f"corpus/{i // 500:02d}/{i:05d}_{rng.getrandbits(40):010x}.txt"
        lines = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))).capitalize() + "."
            for _ in range(rng.randint(2, 12))
        ]
        diags: list[Diagnostic] = []
        if i % 3 == 0:
            lines.insert(1, "Advertisement")
        text = "\n".join(lines) + ("\n" if i % 4 else "")
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        if i % 3 == 0:
            s = starts[1]
            diags.append(_diag("BP001", "ad-marker", "Ad marker line", path, text, s, s + 13))
        if i % 4 == 0:
            diags.append(
                _diag(
                    "FMT009",
                    "missing-final-newline",
                    "No newline",
                    path,
                    text,
                    len(text),
                    len(text),
                )
            )
        if i % 7 == 0:
            s = starts[0] + 2
            diags.append(_diag("ENC001", "mojibake", "Mojibake 'Ã©'", path, text, s, s + 4))
        if i % 11 == 0:
            diags.append(_diag("MT001", "garbled-translation", "Garbled", path, text, None, None))
        if i % 50 in (7, 9):  # cluster: 7 matches the original 0; 9 matches 7
            root = files[i - i % 50].path
            other = root if i % 50 == 7 else files[i - 2].path
            jaccard = 0.91 if i % 50 == 7 else 0.84
            diags.append(
                _diag(
                    "DUP002",
                    "near-duplicate",
                    f"Near-duplicate of {other}",
                    path,
                    text,
                    None,
                    None,
                    data={
                        "duplicate_of": other,
                        "cluster": root,
                        "jaccard": jaccard,
                        "cluster_size": 3,
                    },
                )
            )
        record = {
            "path": path,
            "words": len(text.split()),
            "boilerplate_line_share": round(1 / len(lines), 4) if i % 3 == 0 else 0.0,
            "mojibake_count": 1 if i % 7 == 0 else 0,
            "mt": {"score": round(rng.random() ** 3, 4)},
        }
        files.append(ReportFile(path, record, diags))
        texts[path] = text
    return files, texts


def _diag(code, name, message, path, text, start, end, data=None) -> Diagnostic:
    from corpuslint.document import Document

    span = None if start is None else Span(start, end)
    d = Diagnostic(code, name, message, Severity.WARNING, path, span, data=data or {})
    return d.resolve(Document.from_text(path, text))


def render_to(path: Path, files: list[ReportFile], texts: dict[str, str], **kw) -> Path:
    rules = {
        "BP001": ("ad-marker", "warning", ""),
        "FMT009": ("missing-final-newline", "warning", ""),
        "ENC001": ("mojibake", "warning", ""),
        "MT001": ("garbled-translation", "warning", ""),
        "DUP002": ("near-duplicate", "warning", ""),
    }
    options = ReportOptions(
        text_loader=texts.get, rules=rules, mt_measured=True, garble_threshold=0.5, **kw
    )
    path.write_text(render_report(files, options), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big_report(tmp_path_factory: pytest.TempPathFactory):
    files, texts = synthetic_corpus(2000)
    out = tmp_path_factory.mktemp("big") / "report.html"
    # a budget that embeds details for some files only
    return render_to(out, files, texts, max_embedded_text_bytes=150_000), files, texts


def search(browser: Browser, text: str) -> None:
    browser.js(
        f"{{ const q = document.getElementById('q'); q.value = {json.dumps(text)};"
        "q.dispatchEvent(new Event('input')); }"
    )


WALK_PAGES = """(() => {
  const seen = [];
  const first = document.querySelector('#pager [data-role=first]');
  if (!first.disabled) first.click();
  for (let guard = 0; guard < 10000; guard++) {
    document.querySelectorAll('#file-rows tr[data-file] td.path a').forEach(
      a => seen.push(a.textContent));
    const next = document.querySelector('#pager [data-role=next]');
    if (next.disabled) break;
    next.click();
  }
  return seen;
})()"""


def test_every_file_is_reachable_through_the_pager(browser: Browser, big_report, tmp_path):
    report, files, _ = big_report
    browser.open(report.as_uri())
    assert browser.js("document.querySelectorAll('#file-rows tr').length") == 100
    seen = browser.js(WALK_PAGES)
    assert len(seen) == len(files)
    assert sorted(seen) == sorted(f.path for f in files)
    # the DOM never holds more than one page of rows
    assert browser.js("document.querySelectorAll('#file-rows tr').length") <= 100
    assert browser.js("document.querySelector('#pager .info').textContent") == "Page 20 of 20"
    browser.screenshot(tmp_path / "report-2000.png")
    assert_no_external_requests(browser, report)


def test_search_and_filters_find_files(browser: Browser, big_report):
    report, files, _ = big_report
    browser.open(report.as_uri())
    target = files[1234].path
    search(browser, target[-14:])
    browser.wait_for("document.querySelectorAll('#file-rows tr[data-file]').length === 1")
    assert browser.js("document.querySelector('#file-rows td.path a').textContent") == target
    # a rule filter lists exactly the files with that rule's findings
    search(browser, "")
    browser.wait_for("document.querySelectorAll('#file-rows tr[data-file]').length === 100")
    browser.js("location.hash = '#files?code=ENC001'")
    browser.wait_for("document.getElementById('filter').value === 'code:ENC001'")
    want = sum(1 for f in files if any(d.code == "ENC001" for d in f.diagnostics))
    assert browser.js("document.getElementById('count').textContent") == (
        f"{want:,} of {len(files):,} files"
    )


def test_histogram_bars_filter_the_list_to_their_count(browser: Browser, big_report, tmp_path):
    report, files, _ = big_report
    browser.open(report.as_uri())
    charts = browser.js(
        "Array.from(document.querySelectorAll('svg.chart')).map(s => "
        "[s.getAttribute('class'), s.querySelectorAll('rect.bar').length])"
    )
    assert {c.split()[1] for c, _ in charts} == {"chart-words", "chart-garble", "chart-bp"}
    assert all(n >= 5 for _, n in charts)
    # every bar's count, summed, is the number of files with a value
    for metric in ("words", "garble", "bp"):
        total = browser.js(
            f"Array.from(document.querySelectorAll('svg.chart-{metric} rect.bar'))"
            ".reduce((s, r) => s + Number(r.dataset.count), 0)"
        )
        assert total == len(files), metric
    # clicking a bar lists exactly its files
    bars = browser.js(
        "Array.from(document.querySelectorAll('svg.chart-words rect.bar'))"
        ".map(r => [r.dataset.bin, Number(r.dataset.count)]).filter(b => b[1] > 0)"
    )
    k, count = bars[len(bars) // 2]
    browser.js(f"location.hash = '#files?hist=words&bin={k}'")
    browser.wait_for("document.getElementById('active-filter').textContent.length > 0")
    assert browser.js("document.getElementById('count').textContent").startswith(f"{count:,} of")
    browser.screenshot(tmp_path / "report-filtered.png", full_page=False)


def test_file_view_highlights_spans_and_lists_messages(browser: Browser, big_report, tmp_path):
    report, files, texts = big_report
    browser.open(report.as_uri())
    i = 0  # BP001, FMT009, ENC001, MT001: the worst kind of file, details embedded
    browser.js(f"location.hash = '#file={i}'")
    browser.wait_for("!document.getElementById('view').hidden")
    assert browser.js("document.getElementById('dashboard').hidden") is True
    marks = browser.js(
        "Array.from(document.querySelectorAll('#view pre.doc mark.hl'))"
        ".map(m => [m.textContent, m.title])"
    )
    assert ["Advertisement", "BP001 Ad marker line"] in marks
    assert any(title.startswith("ENC001 ") for _, title in marks)
    # the zero-width span at the end (missing final newline) is a marker
    assert browser.js("document.querySelectorAll('#view pre.doc span.ins').length") == 1
    items = browser.js("Array.from(document.querySelectorAll('#view aside li')).length")
    assert items == len(files[i].diagnostics)
    # the page's text is the document's text, unchanged
    text = browser.js("document.querySelector('#view pre.doc').textContent")
    assert text == texts[files[i].path]
    browser.screenshot(tmp_path / "report-file.png", full_page=False)
    # a file whose details did not fit the budget still opens, with its counts
    no_detail = json.loads(
        browser.js(
            "JSON.stringify(JSON.parse(document.getElementById('summary').textContent)"
            ".files.findIndex(r => r[10] === 0 && r[4] > 0))"
        )
    )
    assert no_detail >= 0
    browser.js(f"location.hash = '#file={no_detail}'")
    browser.wait_for(f"document.getElementById('view').dataset.file === '{no_detail}'")
    note = browser.js("document.querySelector('#view .doc-note').textContent")
    assert "not embedded" in note
    browser.js("location.hash = '#files'")
    browser.wait_for("!document.getElementById('dashboard').hidden")
    assert_no_external_requests(browser, report)


def test_duplicate_clusters_name_who_duplicates_whom(browser: Browser, big_report):
    report, files, _ = big_report
    browser.open(report.as_uri())
    clusters = browser.js(
        "Array.from(document.querySelectorAll('#clusters .cluster')).map(c => ["
        "c.querySelector('.root').textContent,"
        "Array.from(c.querySelectorAll('li')).map(li => ["
        "li.querySelector('.who a').textContent,"
        "(li.querySelector('.of a') || {textContent: null}).textContent,"
        "li.querySelector('.jac').textContent])])"
    )
    assert len(clusters) == 10  # one page of clusters
    by_root = {}
    for f in files:
        for d in f.diagnostics:
            if d.code == "DUP002":
                by_root.setdefault(d.data["cluster"], []).append((f.path, d.data))
    for root, members in clusters:
        want = sorted(by_root[root], key=lambda m: -m[1]["jaccard"])
        # a member matched to the original shows no "duplicates": the root says it
        assert members == [
            [
                p,
                None if data["duplicate_of"] == root else data["duplicate_of"],
                f"{data['jaccard']:.2f}",
            ]
            for p, data in want
        ]


HOSTILE = (
    "date: 2024-01-01\n"
    "Before </script><script>window.__pwned = 1</script> and "
    '<img src=x onerror="window.__pwned = 2"> and <!-- a comment --> after.\n'
    "Emoji 😀 before a span: Advertisement\n"
)


# Elements the hostile text and path would create if they were parsed as HTML.
INJECTED = (
    "document.querySelectorAll('img, i, [onerror], [onmouseover]').length"
    " + document.querySelectorAll('script').length - 3"
)


def test_untrusted_text_is_shown_as_text(browser: Browser, tmp_path):
    path = 'evil/<b onmouseover="x">name</b>.txt'
    start = HOSTILE.index("Advertisement")
    d = _diag("BP001", "ad-marker", "Ad <i>marker</i>", path, HOSTILE, start, start + 13)
    rec = {"path": path, "words": 20, "boilerplate_line_share": 0.33}
    files = [ReportFile(path, rec, [d])]
    report = render_to(tmp_path / "hostile.html", files, {path: HOSTILE})
    browser.open(report.as_uri())
    assert browser.js("window.__pwned === undefined")
    assert browser.js(INJECTED) == 0
    assert browser.js("document.querySelector('#file-rows td.path a').textContent") == path
    browser.js("location.hash = '#file=0'")
    browser.wait_for("!document.getElementById('view').hidden")
    assert browser.js("document.querySelector('#view pre.doc').textContent") == HOSTILE
    # the span after an astral character (two UTF-16 units in JS) lands on its word
    assert browser.js("document.querySelector('#view mark.hl').textContent") == "Advertisement"
    assert browser.js("document.querySelector('#view aside .msg').textContent") == (
        "Ad <i>marker</i>"
    )
    assert browser.js("window.__pwned === undefined")
    assert browser.js(INJECTED) == 0
    browser.screenshot(tmp_path / "report-hostile.png", full_page=False)
    assert_no_external_requests(browser, report)


def test_seeds_report_from_the_cli(browser: Browser, seeds_copy: Path, tmp_path):
    out = tmp_path / "seeds-report.html"
    result = run_cli("report", "seeds", "-o", str(out), "--no-cache", cwd=seeds_copy)
    assert result.code == 0, result.err
    browser.open(out.as_uri())
    assert browser.js("document.querySelectorAll('svg.chart rect.bar').length") > 10
    paths = browser.js(WALK_PAGES)
    assert sorted(paths) == sorted(f"seeds/{p.name}" for p in (seeds_copy / "seeds").glob("*.txt"))
    # the ad marker of seed 001 is highlighted in its file view
    row = browser.js(
        "Array.from(document.querySelectorAll('#file-rows tr[data-file]'))"
        ".find(tr => tr.textContent.includes('001_')).dataset.file"
    )
    browser.js(f"location.hash = '#file={row}'")
    browser.wait_for("!document.getElementById('view').hidden")
    marks = browser.js(
        "Array.from(document.querySelectorAll('#view mark.hl')).map(m => m.textContent)"
    )
    assert "Advertisment" in marks
    browser.screenshot(tmp_path / "report-seeds-file.png", full_page=False)
    browser.js("location.hash = '#overview'")
    browser.wait_for("!document.getElementById('dashboard').hidden")
    browser.screenshot(tmp_path / "report-seeds.png")
    assert (tmp_path / "report-seeds.png").stat().st_size > 10_000
    assert_no_external_requests(browser, out)


_URL_ATTR = re.compile(r"""\b(?:src|href|action|poster|xlink:href)\s*=\s*["']?([^"'\s>]*)""", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.I)


def test_the_html_names_no_external_url(big_report):
    report, _, _ = big_report
    html = report.read_text(encoding="utf-8")
    refs = _URL_ATTR.findall(html) + _CSS_URL.findall(html)
    assert refs, "expected in-page links"
    assert [r for r in refs if not r.startswith(("#", "data:"))] == []
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
