"""Topic-agnostic features of one sentence for the garble model (pure Python).

The model must judge *how* a sentence is written, not *what* it is about: the
training data (MLQE-PE) comes from a few Wikipedia topics per language pair,
and a bag of content words would learn "Nepal" -> garbled. So content words
never reach the model. Every token becomes a *class*:

* a closed-class (function) word stays itself: ``the``, ``of``, ``his``, ``can``;
* a word of the model's *general vocabulary* stays itself too (``V:government``):
  words that the training script found in many different source articles
  (``MIN_DOCUMENTS``), so general English (``year``, ``make``, ``however``),
  never one article's topic;
* punctuation stays itself: ``,`` ``.`` ``“``;
* any other word becomes its shape plus a crude suffix class:
  ``Cap`` (capitalised), ``UP`` (all caps), ``NUM``, and lower-case words as
  ``w-ing``, ``w-ed``, ``w-ly``, ``w-s``, ``w-ion``, ``w`` ...

Hashed n-grams (1 to 4) of that class sequence, plus a few dense measures
(length, share of capitalised words, doubled words, content words repeated
in the sentence, ...), are the features.
The hashing is stable across processes (crc32), so a model trained once scores
the same everywhere.
"""

from __future__ import annotations

import itertools
import re
import zlib

# Closed-class English words (hand-written, general English: not learned from data).
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "no",
        "every",
        "each",
        "either",
        "neither",
        "all",
        "both",
        "half",
        "such",
        "what",
        "which",
        "whose",
        "whatever",
        "whichever",
        "another",
        "other",
        "others",
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "we",
        "us",
        "our",
        "ours",
        "ourselves",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "one",
        "ones",
        "someone",
        "somebody",
        "something",
        "anyone",
        "anybody",
        "anything",
        "everyone",
        "everybody",
        "everything",
        "nobody",
        "nothing",
        "none",
        "who",
        "whom",
        "whoever",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "out",
        "off",
        "over",
        "under",
        "again",
        "further",
        "than",
        "as",
        "like",
        "unlike",
        "upon",
        "onto",
        "within",
        "without",
        "along",
        "across",
        "behind",
        "beyond",
        "near",
        "toward",
        "towards",
        "among",
        "amongst",
        "around",
        "despite",
        "since",
        "until",
        "till",
        "via",
        "per",
        "except",
        "beside",
        "besides",
        "inside",
        "outside",
        "throughout",
        "and",
        "or",
        "but",
        "nor",
        "so",
        "yet",
        "because",
        "although",
        "though",
        "while",
        "whereas",
        "if",
        "unless",
        "whether",
        "when",
        "whenever",
        "where",
        "wherever",
        "why",
        "how",
        "once",
        "then",
        "there",
        "here",
        "be",
        "am",
        "is",
        "are",
        "was",
        "were",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "done",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "ought",
        "not",
        "n't",
        "never",
        "also",
        "only",
        "just",
        "even",
        "still",
        "already",
        "very",
        "too",
        "quite",
        "rather",
        "more",
        "most",
        "less",
        "least",
        "much",
        "many",
        "few",
        "several",
        "own",
        "same",
        "so-called",
        "said",
        "says",
        "say",
        "saying",
        "told",
        "according",
        "yes",
        "no",
        "not",
    ]
)

_TOKEN = re.compile(
    r"[A-Za-z\u00c0-\u024f]+(?:['’][A-Za-z]+)*|\d+(?:[.,:]\d+)*%?|[^\w\s]",
    re.UNICODE,
)

_SUFFIXES = (
    ("ing", "w-ing"),
    ("ed", "w-ed"),
    ("ly", "w-ly"),
    ("tion", "w-ion"),
    ("sion", "w-ion"),
    ("ment", "w-ment"),
    ("ness", "w-ness"),
    ("ity", "w-ity"),
    ("ous", "w-ous"),
    ("ive", "w-ive"),
    ("al", "w-al"),
    ("ic", "w-ic"),
    ("er", "w-er"),
    ("est", "w-est"),
    ("es", "w-s"),
    ("s", "w-s"),
)

_QUOTE_CLASSES = {"“": '"', "”": '"', '"': '"', "‘": "'", "’": "'", "'": "'", "«": '"', "»": '"'}


def tokens(sentence: str) -> list[str]:
    return _TOKEN.findall(sentence)


def word_class(tok: str, vocab: frozenset[str] = frozenset()) -> str:
    low = tok.lower()
    if low in FUNCTION_WORDS:
        return low
    if low in vocab:
        return "V:" + low
    c = tok[0]
    if c.isdigit():
        return "NUM"
    if not c.isalpha():
        return _QUOTE_CLASSES.get(tok, tok)
    if "'" in tok or "’" in tok:
        _head, _, tail = low.replace("’", "'").partition("'")
        if tail == "s":
            return "POS-s" if c.isupper() else "pos-s"
        return "'" + tail
    if tok.isupper() and len(tok) > 1:
        return "UP"
    if c.isupper():
        return "Cap"
    for suffix, cls in _SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            return cls
    return "w"


def classes(sentence: str, vocab: frozenset[str] = frozenset()) -> list[str]:
    return [word_class(t, vocab) for t in tokens(sentence)]


N_BUCKETS = 1 << 18
DENSE_NAMES = (
    "bias",
    "log_len",
    "short",
    "long",
    "cap_share",
    "func_share",
    "punct_share",
    "doubled_word",
    "starts_lower",
    "no_final_punct",
    "comma_share",
    "repeated_content_1",
    "repeated_content_2",
    "repeated_content_4",
    "content_word_thrice",
)
N_DENSE = len(DENSE_NAMES)
MAX_N = 4


def _bucket(key: str) -> int:
    return N_DENSE + (zlib.crc32(key.encode("utf-8", "surrogatepass")) & (N_BUCKETS - 1))


def featurize(sentence: str, vocab: frozenset[str] = frozenset()) -> tuple[list[int], list[float]]:
    """Indices and values of the sentence's features (hashed n-grams + dense)."""
    toks = tokens(sentence)
    cls = [word_class(t, vocab) for t in toks]
    seq = ["<s>", *cls, "</s>"]
    idx: list[int] = []
    n_words = sum(1 for t in toks if t[0].isalnum())
    n = len(seq)
    # n-gram counts (binary presence keeps long sentences comparable)
    seen: set[str] = set()
    for order in range(1, MAX_N + 1):
        for i in range(n - order + 1):
            key = " ".join(seq[i : i + order])
            if key not in seen:
                seen.add(key)
    idx.extend(_bucket(k) for k in seen)
    norm = 1.0 / max(1.0, len(seen)) ** 0.5
    vals = [norm] * len(idx)
    words = [t for t in toks if t[0].isalpha()]
    lw = max(1, len(words))
    caps = sum(1 for t in words if t[0].isupper())
    func = sum(1 for c in cls if c in FUNCTION_WORDS)
    punct = sum(1 for t in toks if not t[0].isalnum())
    doubled = sum(1 for a, b in itertools.pairwise(toks) if a.isalpha() and a.lower() == b.lower())
    stripped = sentence.strip()
    dense = [
        1.0,
        _log1p(n_words) / 4.0,
        1.0 if n_words <= 4 else 0.0,
        1.0 if n_words >= 40 else 0.0,
        caps / lw,
        func / lw,
        punct / max(1, len(toks)),
        min(doubled, 2) / 2.0,
        1.0 if stripped[:1].islower() else 0.0,
        0.0 if stripped[-1:] in ".!?\"”’')" else 1.0,
        sum(1 for t in toks if t == ",") / lw,
        *_repetition(words),
    ]
    for i, v in enumerate(dense):
        if v:
            idx.append(i)
            vals.append(v)
    return idx, vals


def _repetition(words: list[str]) -> list[float]:
    """Content words used again in the same sentence (garbled MT loops on words)."""
    counts: dict[str, int] = {}
    for w in words:
        low = w.lower()
        if low not in FUNCTION_WORDS:
            counts[low] = counts.get(low, 0) + 1
    repeats = sum(c - 1 for c in counts.values())
    top = max(counts.values(), default=0)
    return [
        1.0 if repeats >= 1 else 0.0,
        1.0 if repeats >= 2 else 0.0,
        1.0 if repeats >= 4 else 0.0,
        1.0 if top >= 3 else 0.0,
    ]


def _log1p(x: float) -> float:
    import math

    return math.log1p(x)
