"""Paragraphs and sentences of a document, in character offsets.

A paragraph is a line. The metadata header (`date ...` on line 1, glued or not)
and boilerplate lines (headings, navigation, ad markers, contact lines: a light
heuristic of this family's own) are left out. Sentences are split at `.`, `!`,
`?` (and closing quotes after them) when the next word starts a sentence, with
abbreviations (`U.S.`, `Mr.`, `Oct.`), initials (`Andrew S. Weiss`), decimals
(`4.5`) and ellipses kept inside the sentence. Two boundaries that good text
never has are kept as facts for the rules: a full stop followed by a lower-case
word (`... Tehran. can be done.`) and a full stop glued to the next sentence
(`to come.The Kremlin`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Titles and other abbreviations that are never the end of a sentence.
TITLE_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "capt",
        "sgt",
        "maj",
        "adm",
        "cmdr",
        "st",
        "jr",
        "sr",
        "rev",
        "fr",
        "hon",
        "pres",
        "supt",
        "insp",
        "det",
        "cpl",
        "pvt",
        "brig",
        "messrs",
        "mssrs",
        "mme",
        "mlle",
        "no",
        "nos",
        "vol",
        "pp",
        "fig",
        "figs",
        "art",
        "sec",
        "ch",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "ft",
        "ave",
        "blvd",
        "rd",
        "vs",
        "v",
        "approx",
        "ca",
        "cf",
    ]
)
# Abbreviations only before a number (`No. 5`, `Vol. 2`); elsewhere ordinary words.
NUMBER_ABBREVIATIONS = frozenset(["no", "nos", "vol", "pp", "fig", "figs", "art", "sec", "ch"])
# Abbreviations that may also end a sentence (`... of Apple Inc. The ...`).
END_ABBREVIATIONS = frozenset(
    [
        "inc",
        "co",
        "corp",
        "ltd",
        "llc",
        "plc",
        "bros",
        "etc",
        "al",
        "jr",
        "sr",
        "a.m",
        "p.m",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "d.c",
        "e.g",
        "i.e",
        "u.s.a",
        "n.y",
        "l.a",
    ]
)
# Abbreviations that may stand before a lower-case word mid-sentence (AP state
# names and the like): never the end of an orphan's sentence.
OTHER_ABBREVIATIONS = frozenset(
    [
        "ala",
        "ariz",
        "ark",
        "calif",
        "colo",
        "conn",
        "del",
        "fla",
        "ga",
        "ill",
        "ind",
        "kan",
        "ky",
        "la",
        "md",
        "mass",
        "mich",
        "minn",
        "miss",
        "mo",
        "mont",
        "neb",
        "nev",
        "okla",
        "ore",
        "pa",
        "penn",
        "tenn",
        "tex",
        "vt",
        "va",
        "wash",
        "wis",
        "wyo",
        "dept",
        "univ",
        "assn",
        "est",
        "min",
        "max",
        "ibid",
        "op",
        "ed",
        "eds",
        "trans",
        "incl",
        "misc",
        "govt",
        "natl",
        "intl",
        "mfg",
        "lbs",
        "oz",
        "yds",
        "hrs",
        "mins",
        "secs",
        "pts",
        "sq",
        "tbsp",
        "tsp",
        "approx",
    ]
)
# Two-letter words that end sentences (other short tokens may be abbreviations).
SHORT_WORDS = frozenset(
    ["it", "us", "me", "up", "on", "in", "to", "do", "go", "so", "be", "he", "we", "by", "of"]
)
# Capitalised words that start sentences, for deciding after `U.S.` and `Inc.`.
SENTENCE_STARTERS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "my",
        "in",
        "on",
        "at",
        "for",
        "but",
        "and",
        "or",
        "so",
        "yet",
        "if",
        "when",
        "while",
        "after",
        "before",
        "as",
        "since",
        "although",
        "though",
        "there",
        "here",
        "what",
        "who",
        "why",
        "how",
        "some",
        "many",
        "most",
        "all",
        "no",
        "one",
        "two",
        "three",
        "four",
        "five",
        "however",
        "meanwhile",
        "still",
        "also",
        "even",
        "now",
        "then",
        "last",
        "next",
        "earlier",
        "later",
    ]
)

_HEADER = re.compile(
    r"(?i)^[^\S\r\n]*date[^\S\r\n]*[:=]?[^\S\r\n]*\d{4}-\d{1,2}-\d{1,2}\b[^\S\r\n]*"
)
_LINE = re.compile(r"[^\r\n]+")
_TERMINAL = re.compile(r"[.!?…]+[\"”’'»)\]]*")
_CLOSERS = "\"”’'»)]"
_OPENERS = "\"“‘'«(["
# Boilerplate lines (a light heuristic: the BP family does the real work).
_BOILERPLATE = re.compile(
    r"(?i)^\W*(advert\w*|sponsored|previous|next|read more|related\b.*|share this.*|"
    r"click here.*|subscribe.*|sign up.*|follow us.*|comments?\b.*|please read our comment.*|"
    r"all rights reserved.*|©.*|copyright\b.*|photo:.*|image:.*|credit:.*|source:.*)\W*$"
)
# The e-mail part starts at a token start (the look-behind): searching from every
# character of a long token would be quadratic.
_CONTACT = re.compile(
    r"(?i)(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.|\b(can be reached at)\b"
)
_BULLET = re.compile(r"^\s*[•·▪●■◦*-]\s")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int  # exclusive, after the terminal punctuation (and closing quotes)
    text: str
    paragraph: int  # index of the paragraph in the document
    index_in_paragraph: int
    lower_start: bool  # follows a full stop in the same paragraph, starts lower case
    glued: bool  # follows a full stop with no space (`come.The`)


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    text: str
    index: int


def content_paragraphs(text: str) -> list[Paragraph]:
    """Lines that hold prose: not the header, not empty, not boilerplate or headings."""
    out: list[Paragraph] = []
    first = True
    for m in _LINE.finditer(text):
        start, end = m.start(), m.end()
        if first:
            first = False
            h = _HEADER.match(text, start, end)
            if h is not None:
                start = h.end()
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        trail = len(line) - len(line.rstrip())
        if is_boilerplate(stripped):
            continue
        out.append(Paragraph(start + lead, end - trail, stripped, len(out)))
    return out


def is_boilerplate(line: str) -> bool:
    """Headings, navigation, ad markers, bylines and contact lines."""
    if _BOILERPLATE.match(line) or _BULLET.match(line) or _CONTACT.search(line):
        return True
    words = _WORDS.findall(line)
    if not words:
        return True
    # A heading or navigation line: short and not ended like a sentence.
    return bool(len(words) < 20 and not re.search(r"[.!?…:][\"”’')\]]*$", line))


def _prev_token(text: str, dot: int) -> str:
    """The token right before the full stop at ``dot`` (letters and inner dots)."""
    i = dot
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in ".-'’"):
        i -= 1
    return text[i:dot].lstrip(".-'’")


def _next_word(text: str, pos: int) -> str:
    m = re.compile(r"[\"“‘'«(\[]*([^\W_]+)").match(text, pos)
    return m.group(1) if m else ""


def _is_boundary(text: str, dot: int, after: int) -> tuple[bool, bool]:
    """(split here?, lower-case start?) for a terminal at ``dot`` followed by ``after``."""
    if after >= len(text):
        return False, False
    mark = text[dot]
    prev = _prev_token(text, dot)
    low = prev.lower()
    nxt = _next_word(text, after)
    if not nxt:
        return text[after] in _OPENERS, False
    upper_next = nxt[0].isupper() or nxt[0].isdigit()
    if mark == "." and text[dot : dot + 3] != "...":
        if low in NUMBER_ABBREVIATIONS:
            if nxt[0].isdigit():
                return False, False
        elif low in TITLE_ABBREVIATIONS and not prev.isupper():
            return False, False
        is_initial = len(prev) == 1 and prev.isalpha() and prev.isupper()
        dotted = "." in prev  # U.S, e.g, p.m
        if is_initial or dotted or low in END_ABBREVIATIONS:
            if is_initial:
                return False, False
            return upper_next and nxt.lower() in SENTENCE_STARTERS, False
    if upper_next:
        return True, False
    if mark in "…" or text[dot : dot + 3] == "..." or text[dot - 1 : dot] == ".":
        return False, False
    # A lower-case word after a plain full stop: an orphan fragment, unless the
    # full stop closes an abbreviation we do not know (short, or all capitals),
    # or the next word is a camel-cased brand (iPhone, eBay).
    plain_word = (len(prev) >= 3 or low in SHORT_WORDS) and low not in OTHER_ABBREVIATIONS
    if mark == "." and nxt[0].islower() and plain_word and prev.isalpha():
        if any(c.isupper() for c in nxt[1:]):
            return False, False
        return True, True
    return False, False


_GLUED = re.compile(r"(?<![\w.])([a-z]{2,})([.!?])([\"”’]?)([A-Z][a-z]+)")


def split_sentences(para: Paragraph) -> list[Sentence]:
    """Sentences of one paragraph (offsets into the document)."""
    text = para.text
    cuts: list[tuple[int, bool, bool]] = []  # (end offset in para, lower, glued-after)
    for m in _TERMINAL.finditer(text):
        end = m.end()
        if end >= len(text):
            break
        if text[end].isspace():
            after = end
            while after < len(text) and text[after].isspace():
                after += 1
            split, lower = _is_boundary(text, m.start(), after)
            if split:
                cuts.append((end, lower, False))
    for m in _GLUED.finditer(text):
        word = m.group(1)
        if word.lower() in TITLE_ABBREVIATIONS or _in_url(text, m.start()):
            continue
        cuts.append((m.start(4), False, True))
    cuts.sort()
    out: list[Sentence] = []
    start = 0
    lower = glued = False
    for cut, next_lower, next_glued in [*cuts, (len(text), False, False)]:
        seg = text[start:cut]
        lead = len(seg) - len(seg.lstrip())
        s, e = start + lead, start + len(seg.rstrip())
        if e > s:
            out.append(
                Sentence(
                    para.start + s,
                    para.start + e,
                    text[s:e],
                    para.index,
                    len(out),
                    lower and bool(out),
                    glued and bool(out),
                )
            )
        start, lower, glued = cut, next_lower, next_glued
    return out


# How far _in_url looks for the ends of a token (bounded: a paragraph without spaces
# would otherwise be scanned again for every glued sentence in it).
_URL_WINDOW = 512


def _in_url(text: str, pos: int) -> bool:
    lo = max(0, pos - _URL_WINDOW)
    i = text.rfind(" ", lo, pos) + 1 or lo
    j = text.find(" ", pos, pos + _URL_WINDOW)
    token = text[i : j if j != -1 else min(len(text), pos + _URL_WINDOW)]
    return "/" in token or "@" in token or token.lower().startswith("www")


def sentences(text: str) -> tuple[list[Paragraph], list[Sentence]]:
    paras = content_paragraphs(text)
    return paras, [s for p in paras for s in split_sentences(p)]


def word_count(sentence: str) -> int:
    return len(_WORDS.findall(sentence))
