"""The MT rules: a document verdict (MT001) and sentence-level findings (MT002-MT009)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from corpuslint.rules.mt import checks
from corpuslint.rules.mt.analysis import EngineConfig, analyze, sentence_signals

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Severity
from corpuslint.rule import CheckContext, DocumentRule


@dataclass(frozen=True)
class VerdictOptions:
    engine: Literal["builtin", "languagetool"] = "builtin"
    languagetool_url: str = ""
    languagetool_memory: str = "512m"
    language: str = "en-US"
    threshold: float = 0.5
    min_sentences: int = 5

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if self.engine == "languagetool":
            from corpuslint.rules.mt.languagetool import check_available

            check_available(self.languagetool_url)

    @property
    def engine_config(self) -> EngineConfig:
        return EngineConfig(
            self.engine, self.languagetool_url, self.languagetool_memory, self.language
        )


class GarbledTranslation(DocumentRule):
    """Document reads like garbled machine translation.

    ## What it does
    Splits the text into sentences (header and boilerplate lines left out),
    scores every sentence with a small trained garble model (shipped with
    corpuslint, numpy only) and collects the sentence-level MT signals
    (fragments, glued sentences, doubled punctuation, unpaired quotes,
    first-person intrusions, name variants, garbled determiner runs). The
    document is flagged when the combined evidence reaches `threshold`
    (default 0.5) and it has at least `min-sentences` sentences. `data` holds
    the score, the share of garbled-looking sentences and the worst sentences.
    With `engine = "languagetool"` grammar-error density from LanguageTool
    (`languagetool-url`, or a local LanguageTool via `LTP_PATH` or
    `LTP_JAR_DIR_PATH`, its JVM heap capped by `languagetool-memory`) joins
    the evidence.

    ## Why it matters
    Machine-translated articles gone wrong read as fluent at a glance but carry
    nonsense, fragments and mangled names; training on them teaches a model to
    write the same way.

    ## Example
    `... the UN Security Council, should use its veto power. can be done.`
    `I rely on you. You may be violating UN sanctions. Russia approved.`

    ## Fix safety
    No fix: the article needs a new translation or a human editor.
    """

    code = "MT001"
    name = "garbled-translation"
    Options = VerdictOptions
    version = 1

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        opts = self.options
        a = analyze(doc.text, opts.engine_config)
        if len(a.sentences) < opts.min_sentences:
            return
        score = a.doc_score
        if score < opts.threshold:
            return
        data = {
            "score": round(score, 3),
            "sentences": len(a.sentences),
            "garbled_share": round(a.garbled_share, 3),
            "mean_sentence_score": round(a.mean_score, 3),
            "sentence_findings": len(a.signals),
            "worst": a.worst(3),
            "engine": opts.engine,
        }
        if a.grammar_errors is not None:
            data["grammar_errors"] = a.grammar_errors
            data["grammar_error_density"] = round(a.grammar_density or 0.0, 2)
        yield self.diagnostic(
            doc,
            None,
            f"Reads like garbled machine translation (score {score:.2f}; "
            f"{len(a.signals)} sentence findings in {len(a.sentences)} sentences)",
            data=data,
        )


class _SignalRule(DocumentRule):
    """Base of the rules that report one kind of sentence signal."""

    signal_code: str = ""

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        _paras, _sents, signals = sentence_signals(doc.text)
        for s in signals:
            if s.code == self.code:
                yield self.diagnostic(doc, (s.start, s.end), s.message, data=s.data)


class OrphanFragment(_SignalRule):
    """Sentence fragment left over from a broken translation.

    ## What it does
    Flags a sentence that starts in lower case right after a full stop
    (`... in Belarus. did.`; known abbreviations such as `p.m.` and initials
    are not full stops), a bare verb phrase with no subject after another
    sentence (`Can be done.`), and a short unfinished fragment that ends a
    paragraph after a complete sentence (`... the 2015 deal. I was watching`).

    ## Why it matters
    Machine translation that loses a clause boundary leaves such orphans; they
    are the clearest sign that a sentence was cut or mistranslated.

    ## Example
    `..., should use its veto power to block any action against Tehran. can be done.`

    ## Fix safety
    No fix: what the fragment belonged to is unknown.
    """

    code = checks.ORPHAN
    name = "orphan-fragment"


class GluedSentences(_SignalRule):
    """Two sentences joined without a space (`come.The`).

    ## What it does
    Flags a full stop, question or exclamation mark between a lower-case word
    and a capitalised word with no space (`to come.The Kremlin`). URLs, e-mail
    addresses, initials and abbreviations are left alone.

    ## Why it matters
    A lost sentence boundary breaks sentence splitting, tokenisation and every
    per-sentence statistic downstream; in translated text it marks a segment
    that was glued back wrongly.

    ## Example
    `for decades to come.The Kremlin keeps Iran for arms`

    ## Fix safety
    No fix offered yet: a space is almost always right, but the text around it
    is often garbled too.
    """

    code = checks.GLUED
    name = "glued-sentences"


class DoubledPunctuation(_SignalRule):
    """Doubled punctuation (`. .`, `,,`, `;.`).

    ## What it does
    Flags two sentence or clause marks in a row (`conflicts. .`, `, ,`, `;.`).
    Ellipses (`...`, `. . .`) and an abbreviation's full stop before a comma
    (`U.S.,`) are not flagged.

    ## Why it matters
    Segment-by-segment translation leaves doubled marks where a segment ended
    twice; they also break sentence splitting.

    ## Example
    `... to carefully handle sensitive regional conflicts. .`

    ## Fix safety
    No fix: which mark is wrong depends on the sentence.
    """

    code = checks.DOUBLED
    name = "doubled-punctuation"


class UnpairedQuote(_SignalRule):
    """Unpaired or mismatched quotation marks or brackets.

    ## What it does
    Pairs quotation marks (`“ ”`, `‘ ’`, `" "`, `« »`) and brackets within a
    paragraph and flags an opening mark never closed, a closing mark never
    opened, and a quotation opened with `“` but closed with `‘`. A quote left
    open at the end of a paragraph whose next paragraph opens with a quotation
    mark is the news convention for a quote that runs on, and is not flagged.

    ## Why it matters
    Broken quotes tell a reader (and a model) the wrong speaker; they are
    typical of sentences re-joined after translation.

    ## Example
    `“Hitching a wagon to a country like Russia ... proposition. ‘ said Rome.`

    ## Fix safety
    No fix: where the quote should end is unknown.
    """

    code = checks.QUOTES
    name = "unpaired-quote"


class FirstPersonIntrusion(_SignalRule):
    """First-person sentence intrudes into third-person reporting.

    ## What it does
    In a document that reports in the third person (attributions such as
    `said` or `according to`), flags sentences that start with `I` or `We`
    outside any quotation, except in interview turns (`A: I think ...`).
    Documents written in the first person (more than four such sentences, or
    more than a third of them) are left alone.

    ## Why it matters
    Translation systems turn quoted or reported speech into stray first-person
    sentences that no one in the article says.

    ## Example
    `... threatens to launch drone and missile strikes on Iran. I rely on you.`

    ## Fix safety
    No fix: the sentence needs to be re-translated or removed.
    """

    code = checks.FIRST_PERSON
    name = "first-person-intrusion"


class NameVariants(_SignalRule):
    """One person's name spelt several ways in one document.

    ## What it does
    Collects full names (`Henry Rohm`, `Mohammad Mohba`) and flags a single
    capitalised word used as a speaker (`said Rome`, `Mokbar said`, `Movvar
    met`) that is not a known name of the document but is spelt almost like
    one surname (same first letter, at most two edits, or three for longer
    names sharing two letters). A word that matches two surnames is left alone.

    ## Why it matters
    Transliterated names drift when a translation system handles each sentence
    on its own; one person becomes three, and entity extraction breaks.

    ## Example
    `said Henry Rohm` ... `said Rome.`; `Mohammad Mohba` ... `Mokbar said` ... `Movvar met`

    ## Fix safety
    No fix: which spelling is right needs a human.
    """

    code = checks.NAMES
    name = "name-variants"


class GarbledDeterminers(_SignalRule):
    """Garbled run of determiners or possessive pronouns.

    ## What it does
    Flags determiner sequences that English grammar does not allow: an article
    before a determiner (`the his`, `a the`), a possessive before a determiner
    (`their the`), and two different possessives around one noun with nothing
    joining them (`her business his leaders`). A doubled word (`the the`) is a
    typo of human writing too and is left to spelling tools.

    ## Why it matters
    These runs come from pronoun and article systems that do not map between
    languages; they make a sentence unreadable.

    ## Example
    `Russia sent a delegation of 65 of her business his leaders to Iran.`

    ## Fix safety
    No fix: the intended words are unknown.
    """

    code = checks.DETERMINERS
    name = "garbled-determiners"


@dataclass(frozen=True)
class SentenceOptions:
    threshold: float = 0.0  # 0: the model's strict threshold

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("threshold must be between 0 and 1")


class GarbledSentence(DocumentRule):
    """Sentence scored as garbled by the garble model.

    ## What it does
    Scores every sentence of three words or more with the shipped garble model
    and flags those at or above `threshold` (default: the model's strict
    threshold, which about 0.5% of human-written sentences reach). Select it
    by its code (`--extend-select MT009`); `corpuslint signals` reports every
    sentence's score without it.

    ## Why it matters
    Points an editor to the worst sentences of a garbled document.

    ## Example
    `Among the third and fourth smoking cowboys in a moment the ship was broken into two parts.`

    ## Fix safety
    No fix.
    """

    code = "MT009"
    name = "garbled-sentence"
    Options = SentenceOptions
    default_enabled = False
    severity = Severity.INFO

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        a = analyze(doc.text)
        limit = self.options.threshold or a.strict_threshold
        for s, p in zip(a.sentences, a.scores):
            if p is not None and p >= limit:
                yield self.diagnostic(
                    doc,
                    (s.start, s.end),
                    f"Sentence looks garbled (score {p:.2f})",
                    data={"score": round(p, 3)},
                )
