"""Generate the labelled evaluation set for the ENC rules (encoding glitches).

Clean articles are assembled from human-written Wikipedia sentences
(``shared/data/mlqe-pe/english-source.jsonl``, CC0), with names and places in many
scripts, foreign-language sentences, typographic quotes and dashes, currency,
units and emoji mixed in (``benchmarks/evalsets/enc/*.tsv``). Then glitches are
injected at known character spans: mojibake of many kinds, U+FFFD, HTML
entities, invisible characters, non-NFC text and C1 controls.

Two splits that share nothing but the generator:

* ``dev``: sentences of the en-de part, one half of the name and phrase lists,
  seed 1, and the injection styles marked ``dev``. Tune on this one only.
* ``test``: sentences of the en-zh part, the other half of the lists, seed 2,
  and every style, including those held out of ``dev`` (``test`` only).

Each split has clean ASCII articles, clean articles rich in legitimate
non-ASCII text, and dirty articles (the rich or ASCII ones with 1-4 injected
glitches). ``manifest.jsonl`` records every file's category and labels:
``{"code", "kind", "start", "end", "gold"}`` (character offsets into the file's
text; ``gold`` is the text before the glitch).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ftfy  # noqa: F401  (registers the sloppy-windows-* codecs)

HERE = Path(__file__).resolve().parent
LISTS = HERE / "evalsets" / "enc"
SENTENCES = Path("/work/shared/data/mlqe-pe/english-source.jsonl")

SPLITS = {
    "dev": {"sources": ("en-de/train", "en-de/dev"), "seed": 1, "half": 0},
    "test": {"sources": ("en-zh/train", "en-zh/dev"), "seed": 2, "half": 1},
}


# ---------------------------------------------------------------- clean text


def _tsv(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (LISTS / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, text = line.split("\t", 1)
            rows.append((kind, unicodedata.normalize("NFC", text)))
    return rows


def _half(rows: list[tuple[str, str]], half: int) -> list[tuple[str, str]]:
    """A deterministic half of a list (by hash), so the splits share no names."""
    return [r for r in rows if hashlib.sha1(r[1].encode()).digest()[0] % 2 == half]


@dataclass
class Material:
    ascii_sentences: list[str]
    sentences: list[str]
    names: list[tuple[str, str]]
    phrases: list[tuple[str, str]]
    symbols: list[tuple[str, str]]


def load_material(split: str, sentences_path: Path = SENTENCES) -> Material:
    conf = SPLITS[split]
    sentences = []
    for line in sentences_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["source"] in conf["sources"]:
            sentences.append(unicodedata.normalize("NFC", row["text"].strip()))
    ascii_sentences = [s for s in sentences if s.isascii()]
    symbols = _tsv("symbols.tsv")
    # Symbols are few and generic: both splits use all, except emoji rows split.
    emoji = [r for r in symbols if r[0] == "emoji"]
    symbols = [r for r in symbols if r[0] != "emoji"] + _half(emoji, conf["half"]) + emoji[:1]
    return Material(
        ascii_sentences,
        sentences,
        _half(_tsv("names.tsv"), conf["half"]),
        _half(_tsv("phrases.tsv"), conf["half"]),
        symbols,
    )


NAME_TEMPLATES = (
    "The delegation later travelled to {}.",
    "{} could not be reached for comment.",
    "According to {}, the talks went well.",
    "Officials in {} declined to comment on the report.",
    "A spokesperson for {} said the plan was still under review.",
    "The conference in {} drew thousands of visitors.",
    "Residents of {} were asked to stay indoors.",
    "The story was first reported by a newspaper in {}.",
)
QUOTE_TEMPLATES = (
    "As one local paper put it: {}",
    "{}",
    "The sign at the entrance read: {}",
)


def _typography(text: str, rng: random.Random) -> str:
    """Curly quotes, dashes and ellipses, as an editor or a word processor writes them."""
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
    text = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", text)
    text = re.sub(r"(^|\s)'([^']*)'", "\\1\u2018\\2\u2019", text)
    text = text.replace(" - ", rng.choice((" \u2014 ", " \u2013 ")))
    return text.replace("...", "\u2026")


def _paragraph(rng: random.Random, sentences: list[str], rich: bool, m: Material) -> str:
    parts = rng.sample(sentences, rng.randint(2, 5))
    if rich:
        if rng.random() < 0.6:
            parts.insert(
                rng.randrange(len(parts) + 1),
                rng.choice(NAME_TEMPLATES).format(rng.choice(m.names)[1]),
            )
        if rng.random() < 0.25:
            parts.append(rng.choice(QUOTE_TEMPLATES).format(rng.choice(m.phrases)[1]))
        if rng.random() < 0.3:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(m.symbols)[1])
    text = " ".join(parts)
    if rich and rng.random() < 0.8:
        text = _typography(text, rng)
    return text


def clean_article(rng: random.Random, m: Material, rich: bool) -> list[str]:
    """An article as a list of lines (title, optional header, paragraphs)."""
    sentences = m.sentences if rich else m.ascii_sentences
    title = rng.choice(sentences).rstrip(".")
    if rich and rng.random() < 0.3:
        title = f"{title} \u2014 {rng.choice(m.names)[1]}"
    lines = [title, ""]
    if rng.random() < 0.3:
        lines[1:1] = [f"date: 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    for i in range(rng.randint(3, 9)):
        if i:
            lines.append("")
        lines.append(_paragraph(rng, sentences, rich, m))
    if not rich:
        lines = [line.replace("\u2019", "'") for line in lines]
    return lines


# ---------------------------------------------------------------- documents


@dataclass
class Token:
    text: str
    label: tuple[str, str, str] | None = None  # (code, kind, gold)


@dataclass
class Doc:
    """A document as lines of tokens (a word with the spaces after it)."""

    lines: list[list[Token]]
    labels: list[dict] = field(default_factory=list)

    @classmethod
    def from_lines(cls, lines: list[str]) -> Doc:
        return cls([[Token(t) for t in re.findall(r"\S+\s*|\s+", line)] for line in lines])

    def tokens(self):
        for row, line in enumerate(self.lines):
            for col, token in enumerate(line):
                yield row, col, token

    def render(self) -> tuple[str, list[dict]]:
        out: list[str] = []
        labels: list[dict] = []
        pos = 0
        for row, line in enumerate(self.lines):
            if row:
                out.append("\n")
                pos += 1
            for token in line:
                if token.label is not None:
                    code, kind, gold = token.label
                    # The label covers the word, not the spaces after it.
                    core = token.text.rstrip(" ")
                    labels.append(
                        {
                            "code": code,
                            "kind": kind,
                            "start": pos,
                            "end": pos + len(core),
                            "gold": gold,
                        }
                    )
                out.append(token.text)
                pos += len(token.text)
        return "".join(out) + "\n", labels


def _free(doc: Doc, pred: Callable[[str], bool], rng: random.Random, line_pred=None):
    """A random unlabelled token whose text satisfies ``pred``."""
    choices = [
        (row, col, t)
        for row, col, t in doc.tokens()
        if t.label is None and pred(t.text) and (line_pred is None or line_pred(row))
    ]
    return rng.choice(choices) if choices else None


def _set(token: Token, new: str, code: str, kind: str) -> bool:
    gold = token.text.rstrip(" ")
    if new == token.text:
        return False
    token.label = (code, kind, gold)
    token.text = new
    return True


# ---------------------------------------------------------------- injections


def _mis(text: str, *encodings: str, errors: str = "strict") -> str:
    """``text`` encoded as UTF-8 and decoded with each encoding in turn."""
    for encoding in encodings:
        text = text.encode("utf-8").decode(encoding, errors)
    return text


def _mis_token(token: Token, new_core: str) -> str:
    core = token.text.rstrip(" ")
    return new_core + token.text[len(core) :]


def _non_ascii(text: str) -> bool:
    return not text.isascii()


def _has_script(ranges: tuple[tuple[int, int], ...]) -> Callable[[str], bool]:
    def pred(text: str) -> bool:
        return any(lo <= ord(c) <= hi for c in text for lo, hi in ranges)

    return pred


_NON_LATIN = _has_script(((0x0370, 0x1FFF), (0x3000, 0xD7FF)))
_EMOJI = _has_script(((0x1F000, 0x1FAFF), (0x2600, 0x27BF)))
_LATIN_ACCENT = _has_script(((0x00C0, 0x024F), (0x1E00, 0x1EFF)))


def _mojibake(
    kind: str,
    encodings: tuple[str, ...],
    pred=_non_ascii,
    errors="strict",
    post: Callable[[str], str] | None = None,
):
    def inject(doc: Doc, rng: random.Random, m: Material) -> bool:
        found = _free(doc, lambda t: pred(t) and _can(t, encodings, errors), rng)
        if found is None:
            return False
        _, _, token = found
        new = _mis(token.text.rstrip(" "), *encodings, errors=errors)
        if post is not None:
            new = post(new)
        return _set(token, _mis_token(token, new), "ENC001", kind)

    return inject


def _can(text: str, encodings, errors) -> bool:
    try:
        _mis(text, *encodings, errors=errors)
        return True
    except UnicodeDecodeError:
        return False


def _mojibake_line(kind: str, encodings: tuple[str, ...]):
    """A whole paragraph decoded in the wrong encoding: every non-ASCII word breaks."""

    def inject(doc: Doc, rng: random.Random, m: Material) -> bool:
        rows = [
            row
            for row, line in enumerate(doc.lines)
            if any(_non_ascii(t.text) for t in line)
            and all(t.label is None for t in line)
            and all(_can(t.text, encodings, "strict") for t in line)
        ]
        if not rows:
            return False
        row = rng.choice(rows)
        changed = False
        for token in doc.lines[row]:
            if _non_ascii(token.text):
                new = _mis(token.text.rstrip(" "), *encodings)
                changed |= _set(token, _mis_token(token, new), "ENC001", kind)
        return changed

    return inject


def _nbsp_as_space(text: str) -> str:
    return text.replace("\xa0", " ")


def _fffd(kind: str, run: bool):
    def inject(doc: Doc, rng: random.Random, m: Material) -> bool:
        found = _free(doc, _non_ascii, rng)
        if found is None:
            return False
        _, _, token = found
        core = token.text.rstrip(" ")
        if run:  # every non-ASCII character lost
            new = "".join("\ufffd" if ord(c) > 127 else c for c in core)
        else:  # one character lost
            idx = [i for i, c in enumerate(core) if ord(c) > 127]
            i = rng.choice(idx)
            new = core[:i] + "\ufffd" + core[i + 1 :]
        return _set(token, _mis_token(token, new), "ENC002", kind)

    return inject


ENTITY_STYLES = {
    # kind: (characters it replaces, how it writes them)
    "entity-numeric": ("\u2019\u201c\u201d\u2014\u2013", lambda c: f"&#{ord(c)};"),
    "entity-named": (
        "\u2019\u201c\u201d\u2014\u2013\u00e9\u00e8\u00fc\u00f6\u00e1\u00f1\u00e7",
        lambda c: _entity_name(c),
    ),
    "entity-hex": ("\u2019\u201c\u201d\u2014\u00e9", lambda c: f"&#x{ord(c):x};"),
    "entity-double": ("\u2019\u2014\u00e9", lambda c: f"&amp;#{ord(c)};"),
}


def _entity_name(c: str) -> str:
    import html.entities

    return "&" + html.entities.codepoint2name[ord(c)] + ";"


def _entity(kind: str):
    chars, write = ENTITY_STYLES[kind]

    def inject(doc: Doc, rng: random.Random, m: Material) -> bool:
        found = _free(doc, lambda t: any(c in chars for c in t), rng)
        if found is None:
            return False
        _, _, token = found
        new = "".join(write(c) if c in chars else c for c in token.text)
        return _set(token, new, "ENC003", kind)

    return inject


def _entity_amp(kind: str, written: str):
    """An ampersand or a no-break space written as an entity between two words."""

    def inject(doc: Doc, rng: random.Random, m: Material) -> bool:
        found = _free(doc, lambda t: t.endswith(" ") and t.strip().isalpha(), rng)
        if found is None:
            return False
        _, _, token = found
        gold = "&" if "amp" in written.lower() else "\xa0"
        core = token.text.rstrip(" ")
        token.text = core + " "
        # A new token holding the entity; its gold is the character it stands for.
        row, col, _ = found
        doc.lines[row].insert(col + 1, Token(written + " ", ("ENC003", kind, gold)))
        return True

    return inject


def _entity_nbsp_glued(doc: Doc, rng: random.Random, m: Material) -> bool:
    found = _free(doc, lambda t: t.endswith(" ") and t.strip().isdigit(), rng)
    if found is None:
        found = _free(doc, lambda t: t.endswith(" ") and t.strip().isalpha(), rng)
    if found is None:
        return False
    _, _, token = found
    core = token.text.rstrip(" ")
    token.text = core + "&nbsp;" + token.text[len(core) + 1 :]
    token.label = ("ENC003", "entity-nbsp", core + "\xa0")
    return True


INVISIBLES = {
    "zwsp-inside": ("\u200b", "inside"),
    "zwsp-after": ("\u200b", "after"),
    "shy-inside": ("\u00ad", "inside"),
    "lrm-after": ("\u200e", "after"),
    "bom-start": ("\ufeff", "start"),
    "wj-inside": ("\u2060", "inside"),
    "zwnj-inside": ("\u200c", "inside"),
    "zwj-inside": ("\u200d", "inside"),
    "rlo-start": ("\u202e", "start"),
    "invisible-separator": ("\u2063", "after"),
    "rlm-after": ("\u200f", "after"),
}


def _invisible(kind: str):
    char, where = INVISIBLES[kind]

    def inject(doc: Doc, rng: random.Random, m: Material) -> bool:
        if where == "start":
            pred = lambda t: t[:1].isalpha() and t.isascii()  # noqa: E731
            line_pred = lambda row: row > 0 and doc.lines[row] and doc.lines[row][0].label is None  # noqa: E731
            found = _free(doc, pred, rng, line_pred)
            if found is None:
                return False
            row, _, _ = found
            token = doc.lines[row][0]
            if not token.text[:1].isalpha() or token.label is not None:
                return False
            return _set(token, char + token.text, "ENC004", kind)
        found = _free(
            doc, lambda t: len(t.strip()) >= 6 and t.strip().isalpha() and t.isascii(), rng
        )
        if found is None:
            return False
        _, _, token = found
        core = token.text.rstrip(" ")
        if where == "inside":
            i = rng.randrange(2, len(core) - 2)
            new = core[:i] + char + core[i:]
        else:
            new = core + char
        return _set(token, _mis_token(token, new), "ENC004", kind)

    return inject


def _nfd(kind: str):
    def inject(doc: Doc, rng: random.Random, m: Material) -> bool:
        pred = _LATIN_ACCENT if kind != "nfd-hangul" else _has_script(((0xAC00, 0xD7A3),))
        found = _free(doc, lambda t: unicodedata.normalize("NFD", t) != t and pred(t), rng)
        if found is None:
            return False
        _, _, token = found
        return _set(token, unicodedata.normalize("NFD", token.text), "ENC005", kind)

    return inject


def _nfd_line(doc: Doc, rng: random.Random, m: Material) -> bool:
    rows = [
        row
        for row, line in enumerate(doc.lines)
        if all(t.label is None for t in line)
        and any(unicodedata.normalize("NFD", t.text) != t.text for t in line)
    ]
    if not rows:
        return False
    changed = False
    for token in doc.lines[rng.choice(rows)]:
        changed |= _set(token, unicodedata.normalize("NFD", token.text), "ENC005", "nfd-paragraph")
    return changed


def _singleton(doc: Doc, rng: random.Random, m: Material) -> bool:
    """Å written as U+212B ANGSTROM SIGN, Ω as U+2126 OHM SIGN: canonical singletons."""
    found = _free(doc, lambda t: t.strip().isalpha() and t.isascii() and len(t.strip()) > 3, rng)
    if found is None:
        return False
    _, _, token = found
    core = token.text.rstrip(" ")
    sign, gold = rng.choice((("\u212b", "\u00c5"), ("\u2126", "\u03a9"), ("\u212a", "K")))
    new_token = Token(sign + " ", ("ENC005", "nfc-singleton", gold))
    token.text = core + " "
    row, col, _ = found
    doc.lines[row].insert(col + 1, new_token)
    return True


C1_PUNCT = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026"


def _c1(kind: str):
    def inject(doc: Doc, rng: random.Random, m: Material) -> bool:
        if kind == "c1-undefined":
            found = _free(doc, lambda t: t.strip().isalpha() and len(t.strip()) > 3, rng)
            if found is None:
                return False
            _, _, token = found
            core = token.text.rstrip(" ")
            i = rng.randrange(1, len(core))
            new = core[:i] + rng.choice("\x81\x8d\x8f\x90\x9d") + core[i:]
            return _set(token, _mis_token(token, new), "ENC006", kind)
        found = _free(doc, lambda t: any(c in C1_PUNCT for c in t), rng)
        if found is None:
            return False
        _, _, token = found
        new = "".join(
            c.encode("cp1252").decode("latin-1") if c in C1_PUNCT else c for c in token.text
        )
        return _set(token, new, "ENC006", kind)

    return inject


_LATIN1_ONLY = lambda t: _non_ascii(t) and all(ord(c) < 0x100 for c in t)  # noqa: E731
_MOJI_PUNCT = lambda t: any(c in C1_PUNCT for c in t)  # noqa: E731

# kind -> (code, splits it appears in, injector). Kinds marked ("test",) are held
# out of the dev split: they measure generalisation to styles not tuned on.
INJECTIONS: dict[str, tuple[str, tuple[str, ...], Callable]] = {
    "cp1252-word": ("ENC001", ("dev", "test"), _mojibake("cp1252-word", ("sloppy-windows-1252",))),
    "cp1252-punct": (
        "ENC001",
        ("dev", "test"),
        _mojibake("cp1252-punct", ("sloppy-windows-1252",), _MOJI_PUNCT),
    ),
    "latin1-word": ("ENC001", ("dev", "test"), _mojibake("latin1-word", ("latin-1",))),
    "macroman-word": ("ENC001", ("dev", "test"), _mojibake("macroman-word", ("mac_roman",))),
    "macroman-punct": (
        "ENC001",
        ("dev", "test"),
        _mojibake("macroman-punct", ("mac_roman",), _MOJI_PUNCT),
    ),
    "double-cp1252": (
        "ENC001",
        ("dev", "test"),
        _mojibake("double-cp1252", ("sloppy-windows-1252", "sloppy-windows-1252")),
    ),
    "cp1252-paragraph": (
        "ENC001",
        ("dev", "test"),
        _mojibake_line("cp1252-paragraph", ("sloppy-windows-1252",)),
    ),
    "nonlatin-cp1252": (
        "ENC001",
        ("dev", "test"),
        _mojibake("nonlatin-cp1252", ("sloppy-windows-1252",), _NON_LATIN),
    ),
    "cp1252-lossy": (
        "ENC001",
        ("dev", "test"),
        _mojibake(
            "cp1252-lossy", ("cp1252",), lambda t: "\u201d" in t or "\u0441" in t, errors="replace"
        ),
    ),
    "emoji-cp1252": (
        "ENC001",
        ("test",),
        _mojibake("emoji-cp1252", ("sloppy-windows-1252",), _EMOJI),
    ),
    "latin1-paragraph": (
        "ENC001",
        ("test",),
        _mojibake_line("latin1-paragraph", ("latin-1",)),
    ),
    "macroman-paragraph": (
        "ENC001",
        ("test",),
        _mojibake_line("macroman-paragraph", ("mac_roman",)),
    ),
    "nonlatin-latin1": (
        "ENC001",
        ("test",),
        _mojibake("nonlatin-latin1", ("latin-1",), _NON_LATIN),
    ),
    "triple-cp1252": (
        "ENC001",
        ("test",),
        _mojibake("triple-cp1252", ("sloppy-windows-1252",) * 3, _LATIN1_ONLY),
    ),
    "cp1252-nbsp-as-space": (
        "ENC001",
        ("test",),
        _mojibake(
            "cp1252-nbsp-as-space",
            ("sloppy-windows-1252",),
            lambda t: "\u00e0" in t,
            post=_nbsp_as_space,
        ),
    ),
    "fffd-char": ("ENC002", ("dev", "test"), _fffd("fffd-char", run=False)),
    "fffd-run": ("ENC002", ("test",), _fffd("fffd-run", run=True)),
    "entity-numeric": ("ENC003", ("dev", "test"), _entity("entity-numeric")),
    "entity-named": ("ENC003", ("dev", "test"), _entity("entity-named")),
    "entity-amp": ("ENC003", ("dev", "test"), _entity_amp("entity-amp", "&amp;")),
    "entity-hex": ("ENC003", ("test",), _entity("entity-hex")),
    "entity-double": ("ENC003", ("test",), _entity("entity-double")),
    "entity-nbsp": ("ENC003", ("test",), _entity_nbsp_glued),
    "entity-amp-nosemi": ("ENC003", ("test",), _entity_amp("entity-amp-nosemi", "&amp")),
    **{
        kind: (
            "ENC004",
            ("dev", "test")
            if kind in ("zwsp-inside", "zwsp-after", "shy-inside", "lrm-after", "bom-start")
            else ("test",),
            _invisible(kind),
        )
        for kind in INVISIBLES
    },
    "nfd-word": ("ENC005", ("dev", "test"), _nfd("nfd-word")),
    "nfd-paragraph": ("ENC005", ("dev", "test"), _nfd_line),
    "nfd-hangul": ("ENC005", ("test",), _nfd("nfd-hangul")),
    "nfc-singleton": ("ENC005", ("test",), _singleton),
    "c1-punct": ("ENC006", ("dev", "test"), _c1("c1-punct")),
    "c1-undefined": ("ENC006", ("test",), _c1("c1-undefined")),
}


def kinds_for(split: str) -> list[str]:
    return [k for k, (_, splits, _) in INJECTIONS.items() if split in splits]


def _ensure_material(doc: Doc, rng: random.Random, m: Material) -> None:
    """Give an ASCII article something non-ASCII to break (a name and a quote)."""
    row = rng.choice([r for r, line in enumerate(doc.lines) if len(line) > 3])
    extra = " " + rng.choice(NAME_TEMPLATES).format(rng.choice(m.names)[1])
    extra += " \u201cIt\u2019s a start \u2014 nothing more\u2026\u201d"
    doc.lines[row].extend(Token(t) for t in re.findall(r"\S+\s*|\s+", extra))


# ---------------------------------------------------------------- the set


def generate(split: str, out: Path, files: int, seed: int | None = None) -> Path:
    """Write ``files`` articles and ``manifest.jsonl`` under ``out``; return the manifest."""
    conf = SPLITS[split]
    rng = random.Random(conf["seed"] if seed is None else seed)
    m = load_material(split)
    kinds = kinds_for(split)
    docs_dir = out / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.jsonl"
    with manifest.open("w", encoding="utf-8") as fh:
        for i in range(files):
            r = rng.random()
            category = "clean-ascii" if r < 0.2 else "clean-rich" if r < 0.5 else "dirty"
            rich = category == "clean-rich" or (category == "dirty" and rng.random() < 0.6)
            doc = Doc.from_lines(clean_article(rng, m, rich))
            applied: list[str] = []
            if category == "dirty":
                if not rich:
                    _ensure_material(doc, rng, m)
                wanted = rng.randint(1, 4)
                attempts = 0
                while len(applied) < wanted and attempts < 30:
                    attempts += 1
                    kind = rng.choice(kinds)
                    if INJECTIONS[kind][2](doc, rng, m):
                        applied.append(kind)
                if not applied:
                    category = "clean-rich" if rich else "clean-ascii"
            text, labels = doc.render()
            name = f"{i:05d}_{hashlib.sha1(text.encode()).hexdigest()[:16]}.txt"
            (docs_dir / name).write_bytes(text.encode("utf-8", "surrogatepass"))
            row = {"file": name, "category": category, "rich": rich, "labels": labels}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return manifest
