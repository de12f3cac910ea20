"""HTML character references (``&amp;``, ``&#8217;``, ``&eacute;``) left in plain text.

Only real references count: a named one must be an HTML5 entity name, so
``AT&T;``, ``R&D`` and ``Q&A`` are left alone. A few legacy names are also
recognised without the semicolon (``&amp``, ``&nbsp`` ...), as browsers do, when
no letter, digit, ``;`` or ``=`` follows (so a URL query ``?a=1&lt=5`` is not
one). Doubly escaped references (``&amp;#8217;``, ``&amp;amp;``) are one finding
whose fix unescapes every level.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from corpuslint.rules.enc.lines import Lines

_CANDIDATE = re.compile(r"&(?:#[0-9]{2,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
# Legacy references browsers accept without the semicolon; others need it.
_NO_SEMICOLON = frozenset({"amp", "AMP", "nbsp", "quot", "QUOT", "lt", "LT", "gt", "GT"})
# Short names (``&in;``, ``&Re;``) count after a letter only when they are common:
# ``R&amp;D`` is a glitch, ``X&in;`` is more likely odd prose than markup.
_ALWAYS = frozenset({"amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT", "apos", "nbsp"})
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


@dataclass(frozen=True)
class EntityFinding:
    start: int
    end: int
    original: str
    decoded: str
    levels: int  # 1 for ``&amp;``, 2 for ``&amp;amp;``, ...
    safe: bool


@lru_cache(maxsize=1)
def _named() -> dict[str, str]:
    """HTML5 entity names (with ``;``) and the upper-cased forms ftfy also decodes."""
    names: dict[str, str] = {}
    for name, char in html.entities.html5.items():
        if name.endswith(";"):
            names[name] = char
            if name == name.lower():
                upper = name.upper()
                if html.unescape("&" + upper) == "&" + upper:
                    names.setdefault(upper, char.upper())
    return names


def _decode_one(ref: str, text: str, end: int) -> str | None:
    """The character(s) one reference stands for, or None when it is not one."""
    body = ref[1:]
    if body.startswith("#"):
        return html.unescape(ref if ref.endswith(";") else ref + ";")
    if body.endswith(";"):
        return _named().get(body)
    if body in _NO_SEMICOLON:
        following = text[end : end + 1]
        if following and (following.isalnum() or following in ";="):
            return None
        return html.unescape("&" + body + ";")
    return None


def _suspicious(decoded: str) -> bool:
    """A decoded character that a plain-text corpus should not silently gain."""
    for ch in decoded:
        cat = unicodedata.category(ch)
        if (ch == "\ufffd" or cat in ("Cc", "Cf", "Cs", "Co", "Cn")) and ch not in "\t\n":
            return True
    return False


def find_entities(text: str) -> list[EntityFinding]:
    if "&" not in text:
        return []
    out: list[EntityFinding] = []
    tag_lines: dict[int, bool] = {}
    lines = Lines(text)
    pos = 0
    while True:
        m = _CANDIDATE.search(text, pos)
        if m is None:
            return out
        ref = m.group()
        pos = m.end()
        decoded = _decode_one(ref, text, m.end())
        if decoded is None:
            continue
        name = ref[1:].rstrip(";")
        if (
            not ref.startswith("&#")
            and len(name) <= 3
            and name not in _ALWAYS
            and m.start() > 0
            and text[m.start() - 1].isalnum()
        ):
            continue
        start, end, levels = m.start(), m.end(), 1
        # Doubly escaped: "&amp;" followed by the rest of another reference.
        while decoded == "&":
            nxt = _CANDIDATE.match("&" + text[end : end + 40])
            if nxt is None:
                break
            inner_ref = nxt.group()
            inner_end = end + len(inner_ref) - 1
            inner_decoded = _decode_one(inner_ref, text, inner_end)
            if inner_decoded is None:
                break
            decoded, end, levels = inner_decoded, inner_end, levels + 1
        line_start, line_end = lines.bounds(start)
        if line_start not in tag_lines:
            tag_lines[line_start] = bool(_TAG.search(text, line_start, line_end))
        safe = not _suspicious(decoded) and not tag_lines[line_start]
        out.append(EntityFinding(start, end, text[start:end], decoded, levels, safe))
        pos = end
