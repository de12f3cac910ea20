"""BP: boilerplate (ad markers, navigation, captions, contact footers, ...).

The phrases live in data tables (``patterns/*.toml``), compiled on first use, so
importing this package stays cheap.
"""

from corpuslint.rules.bp.corpus_lines import CorpusRepeatedLine
from corpuslint.rules.bp.line_rules import (
    AdMarker,
    CallToAction,
    CaptionCredit,
    CommentSection,
    ContactByline,
    CookieNotice,
    CopyrightLegal,
    InlineBoilerplate,
    Navigation,
    RepeatedLine,
)

RULES = [
    AdMarker,
    Navigation,
    CallToAction,
    CommentSection,
    ContactByline,
    CaptionCredit,
    CopyrightLegal,
    CookieNotice,
    InlineBoilerplate,
    CorpusRepeatedLine,
    RepeatedLine,
]
