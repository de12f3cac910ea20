"""``junit``: JUnit XML for CI test reports (GitLab, Jenkins, Azure, ...).

One ``<testsuite>`` per file, one failing ``<testcase>`` per finding; a file
without findings gets one passing test case when the checked files are known
(``EmitContext.paths``). Text that XML 1.0 cannot hold (control characters,
lone surrogates, U+FFFE/U+FFFF) is written as ``\\xNN`` / ``\\uNNNN``.
"""

from __future__ import annotations

import re
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from corpuslint.emitters import EmitContext
from corpuslint.emitters.common import printable
from corpuslint.model import Diagnostic

SUITE_NAME = "corpuslint"
# Characters XML 1.0 does not allow (#x9, #xA, #xD and #x20-#xD7FF,
# #xE000-#xFFFD, #x10000-#x10FFFF are allowed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def _xml_safe(text: str) -> str:
    text = printable(text)  # lone surrogates -> \xNN / \uNNNN
    return _NOT_XML.sub(_escape_char, text)


def attr(value: object) -> str:
    return quoteattr(_xml_safe(str(value)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def text(value: str) -> str:
    return escape(_xml_safe(value), {"\r": "&#13;"})


def _case_name(d: Diagnostic) -> str:
    if d.span is None or d.location is None:
        return f"{d.code} {d.name}"
    return f"{d.code} {d.name} at {d.location.row}:{d.location.column}"


def _testcase(d: Diagnostic) -> list[str]:
    where = ""
    if d.span is not None and d.location is not None:
        where = f" line={attr(d.location.row)} column={attr(d.location.column)}"
    loc = d.location
    position = f"{d.path}:{loc.row}:{loc.column}" if loc and d.span is not None else d.path
    body = f"{position}: {d.code} {d.message}"
    return [
        f"    <testcase name={attr(_case_name(d))} classname={attr(d.path)}"
        f" file={attr(d.path)}{where}>",
        f"      <failure message={attr(d.message)} type={attr(d.code)}>{text(body)}</failure>",
        "    </testcase>",
    ]


def emit(diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None:
    found_in: dict[str, list[Diagnostic]] = {path: [] for path in ctx.paths or ()}
    for d in diagnostics:
        found_in.setdefault(d.path, []).append(d)
    by_path = dict(sorted(found_in.items()))
    failures = len(diagnostics)
    tests = sum(max(1, len(found)) for found in by_path.values())
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<testsuites name={attr(SUITE_NAME)} tests={attr(tests)} failures={attr(failures)}"
        ' errors="0">',
    ]
    for path, found in by_path.items():
        out.append(
            f"  <testsuite name={attr(path)} tests={attr(max(1, len(found)))}"
            f' failures={attr(len(found))} errors="0" skipped="0">'
        )
        if not found:
            out.append(
                f"    <testcase name={attr(SUITE_NAME)} classname={attr(path)} file={attr(path)}/>"
            )
        for d in found:
            out += _testcase(d)
        out.append("  </testsuite>")
    out.append("</testsuites>")
    stream.write("\n".join(out) + "\n")
