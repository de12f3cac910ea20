"""Features of a sentence for the garble model: hashed n-grams, vectorised with numpy.

The model must judge *how* a sentence is written more than *what* it is about:
the training data (MLQE-PE) comes from a few Wikipedia topics per language
pair, and names and numbers would teach it "Nepal" -> garbled. Three views,
each folding names (any capitalised word) and digits away:

* **class n-grams** (1 to 4): every token becomes a *class*. A closed-class
  (function) word stays itself (``the``, ``of``, ``his``, ``can``); a word of
  the model's *general vocabulary* stays itself too (``V:government``: words
  that the training script found in many source articles and language pairs,
  so general English, never one article's topic); punctuation stays itself;
  any other word becomes its shape plus a crude suffix class (``Cap``, ``UP``,
  ``NUM``, ``w-ing``, ``w-ed``, ``w-ly``, ``w-s``, ``w-ion``, ``w`` ...);
* **word n-grams** (1 and 2) of the lower-cased tokens, capitalised words as
  ``Cap``: idiom and collocation (``in the same``, ``of gods``);
* **character n-grams** (3 to 5) of the lower-cased sentence, capitalised words
  as one placeholder and digits as ``0``: the spelling of made-up or
  half-translated words (``clopottis``, ``antologies``, ``extreā``).

Lower-case content words do reach the word and character views. The training
script measures what that buys on source articles it never fitted on (the
holdout), which is where one article's topic words cannot help; see ``train.py``.

Plus a few dense measures (length, share of capitalised words, doubled words,
content words repeated in the sentence, ...). All hashing is integer arithmetic
on crc32 values and code points, so a model trained once scores the same in
every process and on every machine; a batch of sentences is featurised at once.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

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


# -- the feature vector -----------------------------------------------------------------
#
# Three hashed views of a sentence share one table of N_BUCKETS weights (each view
# salts its hashes), after N_DENSE dense measures:
#
# * class n-grams (orders 1 to CLASS_ORDER) of ``<s> classes </s>``: syntax;
# * word n-grams (orders 1 to WORD_ORDER) of the lower-cased tokens, where a
#   capitalised word (a name, mostly) is just ``Cap``: idiom and collocation;
# * character n-grams (orders CHAR_ORDERS) of the lower-cased sentence with
#   capitalised words replaced by one placeholder and digits by ``0``: the
#   spelling of made-up or half-translated words (``clopottis``, ``antologies``).
#
# Every view is binary (an n-gram counts once per sentence) and scaled to unit
# length, so a long sentence weighs as much as a short one. All hashing is
# integer arithmetic on crc32 and code points (stable across processes and
# machines), vectorised over a batch of sentences with numpy.

N_BUCKETS = 1 << 20
CLASS_ORDER = 4
WORD_ORDER = 2
CHAR_ORDERS = (3, 4, 5)
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

_MASK64 = (1 << 64) - 1
_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64's finaliser
_MIX2 = np.uint64(0x94D049BB133111EB)
_SEPARATOR = "\x00"  # between sentences in the character view
_CAP_PLACEHOLDER = "\x01"
_DIGITS = str.maketrans("0123456789", "0000000000")
_TOKEN_CACHE_LIMIT = 200_000
_FINAL_MARKS = frozenset(".!?\"”’')")


def _crc(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


_BOS = _crc("<s>")
_EOS = _crc("</s>")
_VIEW_SALT = {  # per view and order: keeps the views' hashes apart in the shared table
    ("class", n): np.uint64(_crc(f"class{n}")) for n in range(1, CLASS_ORDER + 1)
}
_VIEW_SALT.update({("word", n): np.uint64(_crc(f"word{n}")) for n in range(1, WORD_ORDER + 1)})
_VIEW_SALT.update({("char", n): np.uint64(_crc(f"char{n}")) for n in CHAR_ORDERS})


_ALPHA, _UPPER, _FUNCTION, _ALNUM, _COMMA = 1, 2, 4, 8, 16


class Featurizer:
    """Sparse feature rows for a batch of sentences (one model's vocabulary)."""

    def __init__(self, vocab: frozenset[str] = frozenset()) -> None:
        self.vocab = vocab
        self._token_info: dict[str, tuple[int, int, int, int, str]] = {}

    def _token(self, tok: str) -> tuple[int, int, int, int, str]:
        """(class id, word id, lower-case id, flags, character-view text), cached."""
        info = self._token_info.get(tok)
        if info is None:
            if len(self._token_info) >= _TOKEN_CACHE_LIMIT:
                self._token_info.clear()
            low = tok.lower()
            first = tok[0]
            upper = first.isupper()
            folded = low.translate(_DIGITS)
            flags = (
                (_ALPHA if first.isalpha() else 0)
                | (_UPPER if upper else 0)
                | (_FUNCTION if low in FUNCTION_WORDS else 0)
                | (_ALNUM if first.isalnum() else 0)
                | (_COMMA if tok == "," else 0)
            )
            info = (
                _crc(word_class(tok, self.vocab)),
                _crc("Cap" if upper else folded),
                _crc(low),
                flags,
                _CAP_PLACEHOLDER if upper else folded,
            )
            self._token_info[tok] = info
        return info

    def batch(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, vals): feature ``cols[k]`` of sentence ``rows[k]`` has ``vals[k]``."""
        n = len(sentences)
        info: list[tuple[int, int, int, int, str]] = []
        counts: list[int] = []
        char_texts: list[str] = []
        edges = np.zeros((n, 2))  # starts in lower case, no final mark
        token = self._token
        for i, sentence in enumerate(sentences):
            ti = [token(t) for t in _TOKEN.findall(sentence)]
            info.extend(ti)
            counts.append(len(ti))
            char_texts.append(" " + " ".join([t[4] for t in ti]) + " ")
            stripped = sentence.strip()
            edges[i, 0] = stripped[:1].islower()
            edges[i, 1] = stripped[-1:] not in _FINAL_MARKS
        n_tok = np.asarray(counts, dtype=np.int64)
        tok_row = np.repeat(np.arange(n, dtype=np.int64), n_tok)
        if info:
            cls_id, word_id, low_id, flags = (
                np.asarray(col, dtype=np.int64) for col in list(zip(*info))[:4]
            )
        else:
            cls_id = word_id = low_id = flags = np.zeros(0, dtype=np.int64)
        # the token sequences with <s> and </s> around every sentence
        seq_row = np.repeat(np.arange(n, dtype=np.int64), n_tok + 2)
        ends = np.cumsum(n_tok + 2) - 1
        inner = np.ones(len(seq_row), dtype=bool)
        inner[ends] = False
        inner[ends - n_tok - 1] = False
        cls_seq = np.full(len(seq_row), _BOS, dtype=np.uint64)
        cls_seq[ends] = _EOS
        word_seq = cls_seq.copy()
        cls_seq[inner] = cls_id
        word_seq[inner] = word_id
        parts = [
            _dense(n, n_tok, tok_row, low_id, flags, edges),
            _binary_unit_rows(
                [
                    _ngram_hashes(cls_seq, seq_row, range(1, CLASS_ORDER + 1), "class"),
                    _ngram_hashes(word_seq, seq_row, range(1, WORD_ORDER + 1), "word"),
                    _char_ngrams(char_texts),
                ],
                n,
            ),
        ]
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )


PROBE = "The Board's 2 new members met in Oslo, but the the rest of them stayed home."


def layout_fingerprint() -> int:
    """crc32 of the feature columns of PROBE: changes whenever hashing or layout does.

    The training script stores it in the model; a model whose fingerprint differs
    from the code's was trained on other features.
    """
    _rows, cols, vals = Featurizer(frozenset({"members"})).batch([PROBE])
    order = np.argsort(cols, kind="stable")
    return zlib.crc32(cols[order].tobytes() + np.round(vals[order], 6).tobytes())


def _ngram_hashes(
    ids: np.ndarray, owner: np.ndarray, orders, view: str
) -> tuple[np.ndarray, np.ndarray]:
    """(row owner, bucket) of every n-gram of ``ids`` that stays inside one owner."""
    out_rows = []
    out_buckets = []
    length = len(ids)
    with np.errstate(over="ignore"):
        h = ids.copy()
        top = max(orders)
        for order in range(1, top + 1):
            if order > 1:
                h = h[:-1] * _MULT + ids[order - 1 :]
            if order not in orders or length < order:
                continue
            inside = owner[: length - order + 1] == owner[order - 1 :]
            g = h[inside] ^ _VIEW_SALT[(view, order)]
            g ^= g >> np.uint64(30)
            g *= _MIX1
            g ^= g >> np.uint64(27)
            g *= _MIX2
            g ^= g >> np.uint64(31)
            out_rows.append(owner[: length - order + 1][inside])
            out_buckets.append((g & np.uint64(N_BUCKETS - 1)).astype(np.int64))
    if not out_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_rows), np.concatenate(out_buckets)


def _binary_unit_rows(views: list[tuple[np.ndarray, np.ndarray]], n: int):
    """(rows, cols, vals) of the hashed views: every (view, row, bucket) once, valued
    1/sqrt(the number of distinct buckets of that view in that row)."""
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    keys = np.concatenate([(v * n + r) * N_BUCKETS + b for v, (r, b) in enumerate(views)])
    keys.sort()
    if len(keys):
        first = np.empty(len(keys), dtype=bool)
        first[0] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        keys = keys[first]
    group = keys // N_BUCKETS  # view * n + row
    per_group = np.bincount(group, minlength=len(views) * n)
    return group % n, N_DENSE + keys % N_BUCKETS, 1.0 / np.sqrt(per_group[group])


def _char_ngrams(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    joined = _SEPARATOR.join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    # owner 2*i for sentence i's characters, 2*i+1 for the separator after it:
    # an n-gram with one owner never crosses a separator
    owner = np.repeat(np.arange(len(texts), dtype=np.int64) * 2, lengths)[: len(codes)]
    ends = np.cumsum(lengths)[:-1] - 1
    owner[ends] += 1
    r, b = _ngram_hashes(codes.astype(np.uint64), owner, CHAR_ORDERS, "char")
    return r // 2, b  # every n-gram lies inside one sentence, so its owner is even


def _dense(n, n_tok, tok_row, low_id, flags, edges):
    """The dense measures of every sentence (see DENSE_NAMES), as sparse entries."""
    alpha = (flags & _ALPHA) > 0
    function = (flags & _FUNCTION) > 0
    n_words = np.bincount(tok_row, weights=(flags & _ALNUM) > 0, minlength=n)
    letters = np.maximum(1.0, np.bincount(tok_row, weights=alpha, minlength=n))
    caps = np.bincount(tok_row, weights=alpha & ((flags & _UPPER) > 0), minlength=n)
    func = np.bincount(tok_row, weights=alpha & function, minlength=n)
    commas = np.bincount(tok_row, weights=(flags & _COMMA) > 0, minlength=n)
    same_next = alpha[:-1] & (low_id[:-1] == low_id[1:]) & (tok_row[:-1] == tok_row[1:])
    doubled = np.bincount(tok_row[:-1], weights=same_next, minlength=n)
    # content words used again in the same sentence (garbled MT loops on words)
    content = alpha & ~function
    keys, per_key = np.unique(tok_row[content] * (1 << 32) + low_id[content], return_counts=True)
    key_row = keys >> 32
    repeats = np.bincount(key_row, weights=per_key - 1, minlength=n)
    top = np.zeros(n)
    np.maximum.at(top, key_row, per_key)
    dense = np.column_stack(
        [
            np.ones(n),
            np.log1p(n_words) / 4.0,
            n_words <= 4,
            n_words >= 40,
            caps / letters,
            func / letters,
            (n_tok - n_words) / np.maximum(1, n_tok),
            np.minimum(doubled, 2) / 2.0,
            edges[:, 0],
            edges[:, 1],
            commas / letters,
            repeats >= 1,
            repeats >= 2,
            repeats >= 4,
            top >= 3,
        ]
    ).astype(np.float64)
    rows, cols = np.nonzero(dense)
    return rows.astype(np.int64), cols.astype(np.int64), dense[rows, cols]
