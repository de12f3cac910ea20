"""MT: garbled machine-translated text.

Sentence splitting, sentence-level signals (``checks.py``), a trained garble
model (``model.npz``, numpy only, loaded on first use) and a document verdict.
Nothing heavy is imported here: numpy and the model load only when an MT rule
first checks a document.
"""

from corpuslint.rules.mt.rules import (
    DoubledPunctuation,
    FirstPersonIntrusion,
    GarbledDeterminers,
    GarbledSentence,
    GarbledTranslation,
    GluedSentences,
    NameVariants,
    OrphanFragment,
    UnpairedQuote,
)

RULES = [
    GarbledTranslation,
    OrphanFragment,
    GluedSentences,
    DoubledPunctuation,
    UnpairedQuote,
    FirstPersonIntrusion,
    NameVariants,
    GarbledDeterminers,
    GarbledSentence,
]
