"""Sentence-level signals of garbled machine translation (pure Python, no model).

Each detector takes the analysed paragraphs and sentences and yields ``Signal``
objects: a code, a span in document offsets, a message and data. The rule
classes in ``rules.py`` only select their code and turn signals into findings,
so one analysis serves every MT rule (see ``analysis.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from corpuslint.rules.mt.sentences import (
    END_ABBREVIATIONS,
    TITLE_ABBREVIATIONS,
    Paragraph,
    Sentence,
    word_count,
)

ORPHAN = "MT002"
GLUED = "MT003"
DOUBLED = "MT004"
QUOTES = "MT005"
FIRST_PERSON = "MT006"
NAMES = "MT007"
DETERMINERS = "MT008"


@dataclass(frozen=True)
class Signal:
    code: str
    start: int
    end: int
    message: str
    data: dict = field(default_factory=dict, compare=False, hash=False)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- MT002 orphan fragments -------------------------------------------------------

# A sentence made only of a verb phrase with no subject (`Can be done.`).
_SUBJECTLESS = re.compile(
    r"(?i)^(did|does|do|can|could|will|would|should|may|might|must|is|are|was|were|has|have|"
    r"had)(\s+(not|be|been|done|made|seen|said))*\s*[.!]$"
)


def orphan_fragments(sents: list[Sentence]) -> Iterator[Signal]:
    for i, s in enumerate(sents):
        if s.lower_start:
            yield Signal(
                ORPHAN,
                s.start,
                s.end,
                f"Orphan fragment {_short(s.text)!r}: starts in lower case after a full stop",
                {"fragment": s.text, "reason": "lower-case-start"},
            )
            continue
        words = word_count(s.text)
        if s.index_in_paragraph > 0 and words <= 4 and _SUBJECTLESS.match(s.text):
            yield Signal(
                ORPHAN,
                s.start,
                s.end,
                f"Orphan fragment {_short(s.text)!r}: a verb phrase with no subject",
                {"fragment": s.text, "reason": "no-subject"},
            )
            continue
        last_in_para = i + 1 == len(sents) or sents[i + 1].paragraph != s.paragraph
        if (
            last_in_para
            and s.index_in_paragraph > 0
            and words <= 4
            and s.text[-1:] not in ".!?…\"”’')]:;"
        ):
            yield Signal(
                ORPHAN,
                s.start,
                s.end,
                f"Orphan fragment {_short(s.text)!r}: an unfinished sentence ends the paragraph",
                {"fragment": s.text, "reason": "unterminated"},
            )


# -- MT003 glued sentence boundary ---------------------------------------------------


# The word after a glued boundary, for the message (bounded: a long run of glued
# sentences without spaces would otherwise be copied once per boundary).
_GLUED_WORD = re.compile(r"\S{0,64}")


def glued_boundaries(text: str, sents: list[Sentence]) -> Iterator[Signal]:
    for s in sents:
        if s.glued:
            dot = s.start - 1
            while dot > 0 and text[dot] not in ".!?":
                dot -= 1
            a = max(0, dot - 12)
            m = _GLUED_WORD.match(text, s.start)
            snippet = text[a : m.end() if m else s.start]
            yield Signal(
                GLUED,
                dot,
                s.start,
                f"No space between sentences: {_short(_last_word(snippet))!r}",
                {"context": snippet},
            )


def _token_before(t: str, i: int) -> str:
    j = i
    while j > 0 and not t[j - 1].isspace():
        j -= 1
    return t[j:i]


def _last_word(snippet: str) -> str:
    parts = snippet.split()
    return parts[-1] if parts else snippet


# -- MT004 doubled punctuation ---------------------------------------------------------

_DOUBLED = re.compile(r"([.,;:])(\s*)([.,;])")


def doubled_punctuation(text: str, paras: list[Paragraph]) -> Iterator[Signal]:
    for p in paras:
        t = p.text
        for m in _DOUBLED.finditer(t):
            a, gap, b = m.group(1), m.group(2), m.group(3)
            s, e = m.start(), m.end()
            before = t[s - 1 : s]
            after = t[e : e + 1]
            ellipsis = before == "." or t[e : e + 2] in (" .", ".") or after == "."
            if a == "." and b == "." and ellipsis:
                continue  # an ellipsis, spaced (`. . .`) or not (`...`)
            if a == "." and b == "." and not gap and "." in _token_before(t, s):
                continue  # `D.C..`: an abbreviation's full stop, then the sentence's
            if a == "." and b in ",;" and not gap:
                continue  # `U.S.,` `Inc.;`
            if a == "." and b in ",;" and gap:
                continue
            if a == ":" and not gap:
                continue
            if b == "." and a == "." and not gap and before.isalnum() and after.isalnum():
                continue  # a..b in identifiers
            found = t[s:e]
            yield Signal(
                DOUBLED,
                p.start + s,
                p.start + e,
                f"Doubled punctuation {found!r}",
                {"punctuation": found},
            )


# -- MT005 unpaired or mismatched quotes and brackets ---------------------------------

_PAIRS = {"“": "”", "(": ")", "[": "]", "«": "»", "‘": "’"}
_CLOSING = {v: k for k, v in _PAIRS.items()}


def _is_apostrophe(t: str, i: int) -> bool:
    prev = t[i - 1] if i > 0 else " "
    nxt = t[i + 1] if i + 1 < len(t) else " "
    return prev.isalnum() and (nxt.isalnum() or prev in "sS" or not nxt.isalnum())


def quote_marks(p: Paragraph) -> tuple[list[tuple[str, int, str]], list[tuple[int, int]]]:
    """Problems of one paragraph and the quoted ranges (paragraph-relative offsets).

    Problems are (kind, offset, mark): ``unclosed``, ``unopened`` or
    ``mismatched``. A straight ``"`` opens where it starts a word and closes
    where it ends one. A double quote opened while another is open is the news
    convention for a quote running over paragraphs that were joined into one
    line (``"... here. "I just aim ...``): the first quote ends there, no
    problem. A ``‘`` opens only where it starts a word and a ``’`` closes only
    a ``‘`` (otherwise it is an apostrophe).
    """
    t = p.text
    stack: list[tuple[str, int]] = []
    problems: list[tuple[str, int, str]] = []
    quoted: list[tuple[int, int]] = []
    for i, c in enumerate(t):
        if c == '"':
            prev = t[i - 1] if i > 0 else " "
            nxt = t[i + 1] if i + 1 < len(t) else " "
            opening = (prev.isspace() or prev in "([{—–-/") and not nxt.isspace()
            c = "“" if opening else "”"
        if c == "“" or c == "«":
            if stack and stack[-1][0] == c:
                o = stack.pop()  # the running-quote convention
                quoted.append((o[1], i))
            stack.append((c, i))
        elif c == "‘":
            nxt = t[i + 1] if i + 1 < len(t) else " "
            if nxt.isspace():
                if stack and stack[-1][0] == "“":
                    problems.append(("mismatched", i, c))
                    o = stack.pop()
                    quoted.append((o[1], i + 1))
                else:
                    problems.append(("unopened", i, c))
            else:
                stack.append((c, i))
        elif c == "’":
            if (
                stack
                and stack[-1][0] == "‘"
                and not (i + 1 < len(t) and t[i + 1].isalpha() and t[i - 1 : i].isalpha())
            ):
                o = stack.pop()
                quoted.append((o[1], i + 1))
        elif c in _PAIRS:
            stack.append((c, i))
        elif c in _CLOSING:
            if c == ")" and _is_list_marker(t, i):
                continue
            opener = _CLOSING[c]
            if stack and stack[-1][0] == opener:
                o = stack.pop()
                if opener in "“«":
                    quoted.append((o[1], i + 1))
            elif any(o[0] == opener for o in stack):
                while stack and stack[-1][0] != opener:
                    o = stack.pop()
                    if o[0] != "‘":
                        problems.append(("unclosed", o[1], o[0]))
                o = stack.pop()
                if opener in "“«":
                    quoted.append((o[1], i + 1))
            else:
                problems.append(("unopened", i, t[i]))
    for mark, i in stack:
        if mark == "‘":
            continue  # an opening single quote is often a stray apostrophe (‘90s)
        problems.append(("unclosed", i, t[i]))
        if mark in "“«":
            quoted.append((i, len(t)))
    return problems, quoted


def _is_list_marker(t: str, i: int) -> bool:
    """``a)`` or ``2)`` starting an enumerated item, or a smiley ``:)``."""
    j = i - 1
    while j >= 0 and t[j].isalnum():
        j -= 1
    token = t[j + 1 : i]
    smiley = t[max(0, i - 2) : i] in (":-", ";-") or t[i - 1 : i] in (":", ";")
    return (0 < len(token) <= 2 and (j < 0 or t[j] in " \t")) or smiley


def unpaired_quotes(paras: list[Paragraph], text: str) -> Iterator[Signal]:
    for k, p in enumerate(paras):
        problems, _ = quote_marks(p)
        for kind, off, mark in problems:
            if kind == "unclosed" and mark in '“"' and _continues_quote(paras, k, text):
                continue  # a quote running on into the next paragraph (news convention)
            if kind == "mismatched":
                msg = f"Quotation opened with '“' is closed with {mark!r}"
            elif kind == "unclosed":
                msg = f"Unclosed {mark!r} (no matching closing mark in the paragraph)"
            else:
                msg = f"Closing {mark!r} without an opening mark"
            yield Signal(
                QUOTES,
                p.start + off,
                p.start + off + 1,
                msg,
                {"mark": mark, "problem": kind},
            )


def _continues_quote(paras: list[Paragraph], k: int, text: str) -> bool:
    if k + 1 >= len(paras):
        return False
    nxt = paras[k + 1]
    # only the next line of the document, not a paragraph after skipped lines
    between = text[paras[k].end : nxt.start]
    return nxt.text[:1] in '“"' and between.count("\n") <= 2


# -- MT006 first person intruding into third-person reporting -----------------------------

_FIRST_PERSON = re.compile(r"^(I|We)(\s|['’](m|ve|d|ll)\b)")
_SPEAKER_LABEL = re.compile(r"^[A-Z][\w.\- ]{0,30}:\s")
_ATTRIBUTION = re.compile(r"\b(said|says|told|added|according to|reported|stated)\b")


def first_person(paras: list[Paragraph], sents: list[Sentence]) -> Iterator[Signal]:
    quoted_by_para = {p.index: quote_marks(p)[1] for p in paras}
    para_by_index = {p.index: p for p in paras}
    candidates = []
    for i, s in enumerate(sents):
        if not _FIRST_PERSON.match(s.text) or any(c in s.text for c in '“”"«»'):
            continue
        p = para_by_index[s.paragraph]
        rel = s.start - p.start
        if any(a <= rel < b for a, b in quoted_by_para[s.paragraph]):
            continue
        prev = sents[i - 1] if i > 0 else None
        if prev is not None and prev.text.rstrip().endswith(":"):
            continue
        if _SPEAKER_LABEL.match(p.text):
            continue  # an interview turn (`A: I expect ...`, `SMITH: We ...`)
        candidates.append(s)
    if not candidates:
        return
    n = len(sents)
    attributed = sum(1 for s in sents if _ATTRIBUTION.search(s.text))
    # A first-person text (a column, an interview) is not an intrusion.
    if len(candidates) > 4 or len(candidates) > n / 3 or attributed < 2:
        return
    for s in candidates:
        yield Signal(
            FIRST_PERSON,
            s.start,
            s.end,
            f"First-person sentence {_short(s.text)!r} outside quotes in third-person reporting",
            {"sentence": s.text},
        )


# -- MT007 one name spelt several ways -------------------------------------------------------

_NAME = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_FULL_NAME = re.compile(rf"\b({_NAME})(?:\s+[A-Z]\.)?(?:\s+{_NAME})?\s+({_NAME})\b")
_SPEAKER_VERBS = (
    "said|says|added|adds|told|noted|wrote|argued|explained|stated|warned|met|insisted|"
    "believes|thinks|concluded|stressed|emphasized|emphasised|claimed|replied|asked"
)
_SPEAKER_AFTER = re.compile(rf"\b(?:{_SPEAKER_VERBS})\s+({_NAME})\b(?!\s+[A-Z])")
_SPEAKER_BEFORE = re.compile(
    rf"(?<![A-Z][a-z])(?<![A-Z][a-z]\s)\b({_NAME})\s+(?:{_SPEAKER_VERBS})\b"
)
_ACCORDING = re.compile(rf"\baccording to\s+({_NAME})\b(?!\s+[A-Z])")
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "They",
        "We",
        "I",
        "You",
        "His",
        "Her",
        "Their",
        "Our",
        "My",
        "Its",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "As",
        "Since",
        "Although",
        "Though",
        "In",
        "On",
        "At",
        "For",
        "President",
        "Minister",
        "Officials",
        "Analysts",
        "Experts",
        "Police",
        "Reuters",
        "Government",
        "Ministry",
        "Kremlin",
        "Washington",
        "Moscow",
        "Tehran",
        "Beijing",
        "London",
        "Paris",
        "Russia",
        "Iran",
        "China",
        "Israel",
        "Ukraine",
        "America",
        "Europe",
        "Congress",
        "Parliament",
        "Spokesman",
        "Spokeswoman",
        "Putin",
        "Trump",
        "Biden",
        "Obama",
        "Who",
        "Which",
        "What",
        "Sources",
        "Critics",
        "Residents",
        "Witnesses",
        "Authorities",
        "Officers",
        "Doctors",
        "Scientists",
        "Researchers",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "Sir",
        "Lord",
        "Lady",
        "Saint",
        "St",
        "Today",
        "Yesterday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)


def _edit_distance(a: str, b: str, limit: int = 3) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _similar(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b or a[0] != b[0] or min(len(a), len(b)) < 4:
        return False
    if a.startswith(b) or b.startswith(a):
        return False  # Raisi / Raisis, possessives and plurals
    d = _edit_distance(a, b)
    return d <= 2 or (d == 3 and min(len(a), len(b)) >= 5 and a[:2] == b[:2])


def name_variants(paras: list[Paragraph]) -> Iterator[Signal]:
    text_of = [(p.start, p.text) for p in paras]
    surnames: dict[str, tuple[str, int]] = {}  # surname -> (full name, offset)
    name_words: set[str] = set()
    first_names: set[str] = set()
    for start, t in text_of:
        for m in _FULL_NAME.finditer(t):
            first, last = m.group(1), m.group(2)
            if first in _NOT_NAMES or last in _NOT_NAMES:
                continue
            surnames.setdefault(last, (m.group(0), start + m.start(2)))
            name_words.update(m.group(0).replace(".", " ").split())
            first_names.add(first)
    if not surnames:
        return
    speakers: list[tuple[str, int]] = []
    for start, t in text_of:
        for rx in (_SPEAKER_AFTER, _SPEAKER_BEFORE, _ACCORDING):
            for m in rx.finditer(t):
                speakers.append((m.group(1), start + m.start(1)))
    # one finding per variant spelling, at its first speaker position
    seen: set[str] = set()
    for word, off in sorted(speakers, key=lambda x: x[1]):
        if word in surnames or word in name_words or word in _NOT_NAMES or word in seen:
            continue
        matches = sorted({s for s in surnames if _similar(word, s)})
        if len(matches) != 1:
            continue
        seen.add(word)
        full, _ = surnames[matches[0]]
        variants = sorted({matches[0], word} | {w for w in seen if _similar(w, matches[0])})
        yield Signal(
            NAMES,
            off,
            off + len(word),
            f"Name {word!r} looks like another spelling of {matches[0]!r} ({full})",
            {"name": word, "canonical": matches[0], "full_name": full, "variants": variants},
        )
    del first_names


# -- MT008 garbled determiner and pronoun runs ------------------------------------------------

_POSS = r"(?:my|your|his|her|its|our|their)"
_ART = r"(?:the|a|an)"
_DET_RUNS = (
    (re.compile(rf"\b({_ART})\s+({_ART}|his|its|their|our|my|your)\b"), "article-determiner"),
    (re.compile(rf"\b(his|their|our|my|your)\s+({_ART}|{_POSS})\b"), "possessive-determiner"),
    (
        re.compile(rf"\b({_POSS})\s+([a-z]{{3,}})\s+({_POSS})\s+([a-z]{{3,}})\b"),
        "possessive-noun-possessive",
    ),
)
_FUNCTION_AFTER_POSS = frozenset(
    [
        "and",
        "or",
        "but",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "from",
        "by",
        "as",
        "at",
        "that",
        "than",
        "who",
        "which",
        "own",
    ]
)


def determiner_runs(paras: list[Paragraph]) -> Iterator[Signal]:
    for p in paras:
        t = p.text
        for rx, kind in _DET_RUNS:
            for m in rx.finditer(t):
                if kind == "possessive-noun-possessive" and (
                    m.group(1) == m.group(3) or m.group(2) in _FUNCTION_AFTER_POSS
                ):
                    continue
                if kind == "possessive-determiner" and m.group(1) == "her":
                    continue
                if m.group(1) == m.group(2):
                    continue  # `the the`: a typo, not a garbled run
                found = m.group(0)
                yield Signal(
                    DETERMINERS,
                    p.start + m.start(),
                    p.start + m.end(),
                    f"Garbled determiner/pronoun run {found!r}",
                    {"run": found, "pattern": kind},
                )


def all_signals(text: str, paras: list[Paragraph], sents: list[Sentence]) -> list[Signal]:
    out: list[Signal] = []
    out.extend(orphan_fragments(sents))
    out.extend(glued_boundaries(text, sents))
    out.extend(doubled_punctuation(text, paras))
    out.extend(unpaired_quotes(paras, text))
    out.extend(first_person(paras, sents))
    out.extend(name_variants(paras))
    out.extend(determiner_runs(paras))
    out.sort(key=lambda s: (s.start, s.code))
    return out


__all__ = [
    "END_ABBREVIATIONS",
    "TITLE_ABBREVIATIONS",
    "Signal",
    "all_signals",
]
