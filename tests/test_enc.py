"""ENC rules beyond the fixtures: ftfy equivalence, legitimate text, robustness, CLI."""

from __future__ import annotations

import subprocess
import sys

import ftfy
import pytest
from corpuslint.rules.enc.entities import find_entities
from corpuslint.rules.enc.invisible import find_invisible
from corpuslint.rules.enc.mojibake import find_repairs, ftfy_config
from corpuslint.rules.enc.normalization import find_non_nfc
from corpuslint.rules.enc.segments import Compressed
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpuslint.document import Document
from corpuslint.registry import load_registry
from corpuslint.rule import CheckContext
from corpuslint.runner import run_document_rules
from tests.conftest import REPO, SEEDS, run_cli

CODES = ("ENC001", "ENC002", "ENC003", "ENC004", "ENC005", "ENC006")


def enc_findings(text: str):
    rules = [cls() for cls in load_registry().matching("ENC")]
    errors: list[str] = []
    doc = Document.from_text("doc.txt", text)
    found = run_document_rules(doc, rules, CheckContext(), errors)
    assert not errors, errors
    return found


def moji(text: str, *encodings: str) -> str:
    for encoding in encodings:
        text = text.encode("utf-8").decode(encoding)
    return text


def apply_ftfy_repairs(text: str) -> str:
    """The text as ftfy would repair it, from the repairs: ftfy's own ones, and
    what ftfy would have written where a whole sequence replaced its pieces."""
    out, pos = [], 0
    for r in find_repairs(text):
        ftfy_wrote = r.fixed if r.source == "ftfy" else r.ftfy_text
        if ftfy_wrote is not None:
            out.append(text[pos : r.start])
            out.append(ftfy_wrote)
            pos = r.end
    out.append(text[pos:])
    return "".join(out)


# ---------------------------------------------------------------- ftfy equivalence

EQUIVALENCE_CASES = [
    "plain ASCII text",
    "There\u00e2\u20ac\u2122s a caf\u00c3\u00a9 in Z\u00c3\u00bcrich.\n",
    moji("Москва and 北京 and 😀", "sloppy-windows-1252"),
    moji("it’s “quoted” — done", "mac_roman") + "\nsecond line “fine”\n",
    "voil\u00c3 le travail\n",
    "He said \x93hello\x94 and \x81 left",
    "Caf\u00c3\u00a9 \x93x\x94 in Москва\r\nnext line \u00c2\u00a35\r\n",
    "\u00e2\u20ac\u0153no\u00e2\u20ac\ufffd " + "padding " * 40 + moji("Zürich", "latin-1"),
    moji("it’s", "sloppy-windows-1252", "sloppy-windows-1252") + " and Łódź",
    # restore_byte_a0 looks six characters past the space: the shortening keeps them.
    "Fui Ã quele lugar ontem e depois fui embora para casa muito tarde.\n",
    "Eu vou Ã s cinco horas da tarde para a reuniÃ£o com todos.\n",
]


@pytest.mark.parametrize("text", EQUIVALENCE_CASES)
def test_ftfy_repairs_reproduce_fix_text(text: str) -> None:
    expected = ftfy.fix_text(text, ftfy_config()._replace(explain=False))
    assert apply_ftfy_repairs(text) == expected


_ALPHABET = st.sampled_from(
    [
        *"aeZ .,’“”—…€£©®™°±²³µ¶·¹º»¼½¾¿ÀÂÃÄÅÆÇÈÉÊÐÑÒÓ×ØÙßàâãäåæçèéêëìíîïðñòóôõö÷øùúûüþÿ",
        *"\x81\x93\x9d\u0152\u0153\u0160\u017d\u2020\u2021\u02c6\u2030\u2039\u203a",
        *"\u02dc\u2122\u0192\ufffd?√‚ÄÖÜü北\n",
        "Москва",
        "word ",
        "x" * 40,
        "\u00c3 ",
        "\u00c2 ",
        " quele",
        " s ",
        "\u00c3\u0192\u00c2",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=30).map("".join))
@example("‹Äÿê")  # decodes to one non-letter of another script: once a StopIteration
def test_ftfy_repairs_reproduce_fix_text_on_random_text(text: str) -> None:
    """The pre-filter, the shortening of ASCII runs and the alignment lose nothing."""
    expected = ftfy.fix_text(text, ftfy_config()._replace(explain=False))
    assert apply_ftfy_repairs(text) == expected


def _category_chars() -> dict[str, str]:
    """ftfy's mojibake categories with their ranges expanded."""
    from ftfy.badness import MOJIBAKE_CATEGORIES

    out = {}
    for name, spec in MOJIBAKE_CATEGORIES.items():
        chars, i = [], 0
        while i < len(spec):
            if i + 2 < len(spec) and spec[i + 1] == "-":
                chars.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
                i += 3
            else:
                chars.append(spec[i])
                i += 1
        out[name] = "".join(chars)
    return out


# Characters ftfy's badness regex names literally, beyond its categories.
_LITERALS = "ÂÃÎÐØÙ€œŠšŸž¢£°·»–—´×²³µ¹¼½¾√±∂†≠®™≤≥¥ø≈‚Äâóàäêвоў ЂВГРСβΆāΒΓΞΟ\xa0\xad¡"


def test_badness_gate_covers_every_bad_pair() -> None:
    """Every two-character string ftfy calls bad passes the gate."""
    from corpuslint.rules.enc.badness_gate import may_be_bad
    from ftfy.badness import is_bad

    alphabet = sorted(set("".join(_category_chars().values()) + _LITERALS + "aZ .?1"))
    missed = [a + b for a in alphabet for b in alphabet if is_bad(a + b) and not may_be_bad(a + b)]
    assert missed == []


def test_badness_gate_covers_bad_triples() -> None:
    """Three-character strings over a few characters of every category."""
    from corpuslint.rules.enc.badness_gate import may_be_bad
    from ftfy.badness import is_bad

    reps = {c for chars in _category_chars().values() for c in (chars[0], chars[-1])}
    alphabet = sorted(reps | set(_LITERALS) | set("aZ .1"))
    missed = [
        a + b + c
        for a in alphabet
        for b in alphabet
        for c in alphabet
        if is_bad(a + b + c) and not may_be_bad(a + b + c)
    ]
    assert missed == []


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(sorted(set(_LITERALS + "aZ .,1’“”—…éÉçßАяΑω©®™°±"))), max_size=12
    )
)
def test_badness_gate_on_random_text(text: str) -> None:
    from corpuslint.rules.enc.badness_gate import may_be_bad
    from ftfy.badness import is_bad

    assert may_be_bad(text) or not is_bad(text)


def test_shortened_segment_maps_back() -> None:
    line = "a" * 100 + "Ã©" + "b" * 100 + "Ã¼" + "c" * 5
    segment = Compressed(line)
    assert segment.shortened and len(segment.text) < 100
    repairs = find_repairs(line)
    assert [(r.start, r.end, r.fixed) for r in repairs] == [(100, 102, "é"), (202, 204, "ü")]


@pytest.mark.parametrize(
    ("text", "original", "fixed", "safe"),
    [
        ("A caf\u00c3\u00a9 here.", "Ã©", "é", True),
        (moji("Zürich", "sloppy-windows-1252", "sloppy-windows-1252") + " x", "ÃƒÂ¼", "ü", True),
        ("Price \u00c2\u00a35 today", "Â£", "£", True),
        # MacRoman next to text MacRoman cannot encode: ftfy leaves it; unsafe repair.
        ("In Łódź, Moli\u221a\u00aere was staged.", "√®", "è", False),
        ("In Łódź, it\u201a\u00c4\u00f4s fine.", "‚Äô", "’", False),
        # Emoji with a variation selector, MacRoman, next to text MacRoman lacks.
        ("Łódź " + moji("❤️", "mac_roman") + " x", moji("❤️", "mac_roman"), "❤️", False),
        # Romanian ș in MacRoman (its lead is a guillemet).
        ("Łódź " + moji("Brașov", "mac_roman"), "»ô", "ș", False),
        # One-letter words of another script, spelt with a symbol.
        ("Łódź 2024 " + moji("г.", "mac_roman"), "–≥", "г", False),
        ("Łódź " + moji("π", "sloppy-windows-1252") + " r", "Ï€", "π", False),
        # An upper-case lead inside a lower-case word.
        ("Łódź sostin" + moji("ė", "sloppy-windows-1252"), "Ä—", "ė", False),
        # Persian with a zero-width non-joiner, in MacRoman.
        (
            "Łódź " + moji("کتاب\u200cها", "mac_roman"),
            moji("کتاب\u200cها", "mac_roman"),
            "کتاب\u200cها",
            False,
        ),
        # Greek in Windows-1252 (a word of one other script).
        (
            "Łódź " + moji("Αθήνα", "sloppy-windows-1252"),
            moji("Αθήνα", "sloppy-windows-1252"),
            "Αθήνα",
            True,
        ),
    ],
)
def test_repair_span_and_safety(text, original, fixed, safe) -> None:
    (repair,) = find_repairs(text)
    assert (text[repair.start : repair.end], repair.fixed, repair.safe) == (original, fixed, safe)
    assert ftfy.apply_plan(repair.original, list(repair.plan)) == repair.fixed


# ---------------------------------------------------------------- legitimate text

LEGITIMATE = [
    "Zürich, Kraków, São Paulo, Москва, 北京, Ελλάδα, العربية, हिन्दी and Łódź.",
    "Reykjavík, Tórshavn, Ísafjörður, Tromsø, Ærøskøbing, Åland, Jyväskylä.",
    "İstanbul’da, Şanlıurfa, Brașov, Košice, Plzeň, Hà Nội, Đà Nẵng, Nguyễn Phú Trọng.",
    "Санкт-Петербург, Київ, Україна, їжак, ґанок, Ёлка, ёж, Алёна, Беларусь.",
    "Αθήνα, Θεσσαλονίκη, Ηράκλειο; ΆΈΉΊΌΎΏ ΐΰ.",
    "東京は日本の首都です。「ありがとう」と彼は言った。서울은 대한민국의 수도입니다.",
    "قال الرئيس إن المحادثات كانت «بناءة ومثمرة». תל אביב, ירושלים.",
    "भारत की राजधानी नई दिल्ली है। বাংলা, தமிழ், తెలుగు, ಕನ್ನಡ, മലയാളം, සිංහල.",
    "กรุงเทพมหานคร, ภาษาไทย, თბილისი, Երևան, አዲስ አበባ.",
    "“Curly quotes”, ‘single’, it’s, – and —, an ellipsis…, €5, £4, ¥600, 20 °C, ½, ±3, № 7.",
    "© 2024 Reuters; Coca-Cola® and iPhone™; § 4(2); 4 × 5 m²; π ≈ 3.14; 10 µm.",
    "Straße»« and »Anführungszeichen«, «Ça va», l’école, “École”, CAFÉ’s, JOSÉ’S, HYVÄ».",
    "SÃO PAULO, NÃO, INFORMAÇÃO, AÇÕES, IRMÃ… and São Tomé; Øresund, ØSTER, Œuvre.",
    "Emoji 👍🏽 👨‍👩‍👧‍👦 🇺🇸 🏳️‍🌈 1️⃣ ❤️‍🔥 👩🏻‍💻 🏴󠁧󠁢󠁳󠁣󠁴󠁿 😀",
    "Persian: می‌خواهم کتاب‌ها. Hindi: क्‍ष. Thai: กรุงเทพ\u200bมหานคร.",
    "AT&T, R&D, Q&A, H&M, S&P 500, Johnson & Johnson, a && b, ?a=1&lt=5, &c.",
    "Prices\u00a0in\u00a0no-break spaces, 1\u202f000 with a narrow one, and 10\u00a0km.",
    "Mathematical text: ∀x ∈ ℝ, ∑ᵢ xᵢ ≤ ∞; arrows → ← ↔; box ┌─┐ │ └─┘.",
    "Icelandic: Það er gott veður; Guðmundsdóttir; Þórshöfn; ð and þ.",
    "French: l’école, d’État, qu’à, «Ça», 2010—à peine, “École” — Łódź.",
]


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_text_has_no_finding(text: str) -> None:
    assert [(d.code, d.message) for d in enc_findings(text + "\n")] == []


# ---------------------------------------------------------------- tables


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Tom &amp; Jerry", ["&amp;"]),
        ("it&#8217;s", ["&#8217;"]),
        ("&#x2014;", ["&#x2014;"]),
        ("it&amp;#8217;s", ["&amp;#8217;"]),
        ("5&nbsp;km and 5&nbsp km", ["&nbsp;", "&nbsp"]),
        ("AT&T; R&D; Q&A", []),
        ("?a=1&lt=5 and &ampersand", []),
        ("X&in; prose", []),
        ("&in; alone", ["&in;"]),
        ("&foo; &#; &", []),
    ],
)
def test_entities(text: str, found: list[str]) -> None:
    assert [e.original for e in find_entities(text)] == found


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Mos\u200bcow", ["\u200b"]),
        ("👨\u200d👩\u200d👧", []),
        ("Auf\u200dlage", ["\u200d"]),
        ("می\u200cخواهم", []),
        ("Auf\u200clage", ["\u200c"]),
        ("กรุงเทพ\u200bมหานคร", []),
        ("English word\u200e here", ["\u200e"]),
        ("قال\u200f «مرحبا»", []),
        ("\ufeffleading BOM is FMT004's", []),
        ("mid\ufefftext", ["\ufeff"]),
        ("run\u200b\u200b\u00adhere", ["\u200b\u200b\u00ad"]),
    ],
)
def test_invisible(text: str, flagged: list[str]) -> None:
    assert [run.chars for run in find_invisible(text)] == flagged


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("Zu\u0308rich", [("u\u0308", "ü")]),
        ("a \u2126 b", [("\u2126", "Ω")]),
        ("Zürich", []),
        ("x" * 50, []),
    ],
)
def test_non_nfc(text: str, spans) -> None:
    assert [(c.original, c.normalized) for c in find_non_nfc(text)] == spans


def test_one_glitch_is_reported_once() -> None:
    """C1 controls and U+FFFD inside mojibake belong to ENC001 only."""
    text = "The minister\u00e2\u0080\u0099s speech and \u00e2\u20ac\u0153no\u00e2\u20ac\ufffd.\n"
    codes = [d.code for d in enc_findings(text)]
    assert codes == ["ENC001", "ENC001", "ENC001"]


# ---------------------------------------------------------------- robustness

HOSTILE = [
    "",
    " \n\t\n",
    "\n" * 200_000,
    "Ã©" * 50_000,
    ("word " * 200 + "Ã© ") * 500,
    "x" * 2_000_000 + "Ã©",
    "\u0301\u0301 leading marks \u200d\u200c\ufeff",
    "&" * 10_000 + "&amp;" * 1000,
    "\x80\x9f\ufffd\U0010ffff\ue000",
    # Many embedded sequences in one line (once quadratic).
    "Łódź Moli\u221a\u00aere \u201a\u00c4\u00b6 " * 5_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_rules_never_raise(text: str) -> None:
    rules = [cls() for cls in load_registry().matching("ENC")]
    doc = Document.from_text("doc.txt", text)
    for rule in rules:
        list(rule.check(doc, CheckContext()))


def test_rules_never_raise_on_lone_surrogates() -> None:
    text = "bad \udce9 byte Ã© and \ud800 here"
    doc = Document("doc.txt", text.encode("utf-8", "surrogatepass"), text)
    for rule in [cls() for cls in load_registry().matching("ENC")]:
        list(rule.check(doc, CheckContext()))


# ---------------------------------------------------------------- CLI and imports


def test_seeds_have_no_enc_finding() -> None:
    result = run_cli("check", str(SEEDS), "--select", "ENC", cwd=REPO)
    assert (result.code, result.out.strip()) == (0, "All checks passed!"), result.out + result.err


def test_cli_reports_and_fixes(tmp_path) -> None:
    target = tmp_path / "001_0123456789abcdef.txt"
    target.write_text("A caf\u00c3\u00a9 with Tom &amp; Jerry.\n", encoding="utf-8")
    result = run_cli("check", str(target), "--select", "ENC", "--isolated")
    assert result.code == 1
    assert "ENC001" in result.out and "ENC003" in result.out
    result = run_cli("check", str(target), "--select", "ENC", "--isolated", "--fix")
    assert target.read_text(encoding="utf-8") == "A café with Tom & Jerry.\n"


def test_ftfy_is_imported_only_when_needed() -> None:
    code = (
        "import sys\n"
        "from corpuslint.document import Document\n"
        "from corpuslint.registry import load_registry\n"
        "from corpuslint.rule import CheckContext\n"
        "rules = [c() for c in load_registry().matching('ENC')]\n"
        "doc = Document.from_text('a.txt', 'Zürich, “quotes” and 北京 — fine.\\n')\n"
        "for r in rules: list(r.check(doc, CheckContext()))\n"
        "assert 'ftfy' not in sys.modules, 'ftfy imported for clean text'\n"
        "doc = Document.from_text('b.txt', 'A caf\\u00c3\\u00a9.\\n')\n"
        "for r in rules: list(r.check(doc, CheckContext()))\n"
        "assert 'ftfy' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
