"""A fast necessary condition for ftfy's badness heuristic.

ftfy changes a line only when ``ftfy.badness.is_bad`` says it holds mojibake,
and that regex (about fifty alternatives over large character classes) runs at
a few MB/s. In French, Russian or Polish text nearly every line holds some pair
of characters that *could* be UTF-8 read in a single-byte encoding (``’é`` is
valid UTF-8 read as MacRoman), so calling ftfy on every such line would make a
clean French corpus crawl.

Every match of ftfy's badness regex contains one of a small set of adjacent
pairs (or one of a few single characters), taken from ftfy's own character
categories: ``[lower accented][upper accented]``, ``[Â Ã Î Ð][€ œ Š ...]``,
any C1 control, ... ``GATE`` matches those pairs, in one character class
followed by look-behind branches (which the regex engine scans ~300 MB/s). A
line without a match is not bad, so ftfy would leave it unchanged: skipping it
changes nothing. ``tests/test_enc.py`` checks that the gate matches whatever
ftfy's regex matches (every pair of characters and random text).
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def gates() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The gate as two regexes, built from ftfy's categories (imports ftfy)."""
    from ftfy.badness import MOJIBAKE_CATEGORIES as CAT

    def c(*names: str) -> str:
        return "".join(CAT[name] for name in names)

    # (first character class, second character class[, what must follow]): one
    # for each alternative of ftfy.badness.BADNESS_RE, in its order (a closing
    # quote after an accented letter is only bad before a word character, as in
    # the regex: Czech „slovo“ is not bad). The scan stops at
    # the rarer character of the pair: the second one (in Greek or Russian text
    # every letter can start a pair, few can end one) ...
    by_second = [
        (
            c("lower_accented", "lower_common", "box", "end_punctuation", "currency", "numeric"),
            c("upper_accented"),
        ),
        (c("lower_accented", "box", "end_punctuation"), c("currency")),
        (c("upper_accented"), c("currency")),
        (c("upper_accented", "box"), c("numeric", "law")),
        (
            c("lower_accented", "upper_accented", "box", "currency", "end_punctuation"),
            c("start_punctuation"),
            f"[{c('numeric')}]",
        ),
        (
            c("lower_accented", "upper_accented", "currency", "numeric", "box", "law"),
            c("end_punctuation"),
            f"[{c('start_punctuation')}]",
        ),
        (c("currency", "numeric", "box"), c("start_punctuation")),
        (c("upper_accented"), c("start_punctuation", "currency")),
        (
            c(
                "lower_accented",
                "upper_accented",
                "currency",
                "numeric",
                "start_punctuation",
                "end_punctuation",
                "law",
            ),
            c("box"),
        ),
        (c("lower_accented", "upper_accented"), c("start_punctuation", "end_punctuation"), r"\w"),
        (c("upper_accented"), "°"),
        ("×", "²³"),
        ("à", "²µ¹¼½¾"),
        ("√", "±∂†≠®™´≤≥¥µø"),
        ("≈", "°¢"),
        ("в", "Ђ"),
        ("ВГРС", c("c1", "bad", "start_punctuation", "end_punctuation", "currency") + "°µ"),
        ("Г", "ў"),
        ("Ã", "\xa0¡"),
        ("Â", c("start_punctuation", "end_punctuation")),
        ("β", "€"),
        ("ΒΓΞΟ", c("c1", "bad", "start_punctuation", "end_punctuation", "currency") + "°"),
        ("ā", "€"),
    ]
    # ... except where the second is a common letter (é in French, š in Czech).
    by_first = [
        (c("box"), c("kaomoji", "end_punctuation")),
        (c("box", "end_punctuation", "currency", "numeric"), c("lower_accented")),
        ("ÂÃÎÐ", "€œŠš¢£Ÿž\xa0\xad®©°·»" + c("start_punctuation", "end_punctuation") + "–—´"),
        ("ØÙ", c("common", "currency", "bad", "numeric", "start_punctuation") + "ŸŠ®°µ»"),
        ("‚", "Äâó"),
    ]
    # Characters that are bad on their own or next to anything.
    singles = c("c1", "bad", "box")
    seconds = "".join(pair[1] for pair in by_second)
    branches = [f"(?<=[{singles}])", "(?<=[Œœ])(?![A-Za-z])", "(?<=[ÃÂ])(?= )"]
    for first, second, *after in by_second:
        follow = f"(?={after[0]})" if after else ""
        branches.append(f"(?<=[{first}][{second}]){follow}")
    gate_a = re.compile(f"[{singles}{seconds}ŒœÃÂ](?:" + "|".join(branches) + ")")
    firsts = "".join(pair[0] for pair in by_first)
    branches = [f"(?<=[{first}])(?=[{second}])" for first, second in by_first]
    gate_b = re.compile(f"[{firsts}](?:" + "|".join(branches) + ")")
    return gate_a, gate_b


def may_be_bad(text: str) -> bool:
    """False only when ``ftfy.badness.is_bad(text)`` is certainly False."""
    gate_a, gate_b = gates()
    return gate_a.search(text) is not None or gate_b.search(text) is not None
