"""An example third-party corpuslint plugin: one rule, XMP001 (banned-phrase)."""

from corpuslint_example_plugin.banned import BannedPhrase

RULES = [BannedPhrase]
