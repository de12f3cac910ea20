"""DUP: exact and near-duplicate documents (MinHash LSH with a persistent index).

Importing this package is cheap: numpy is imported when a signature is first
computed, datasketch only by ``corpuslint.rules.dup.interop``, torch only by DUP004.
"""

from corpuslint.rules.dup.exact import ExactDuplicate
from corpuslint.rules.dup.near import NearDuplicate
from corpuslint.rules.dup.paragraphs import RepeatedParagraph
from corpuslint.rules.dup.story import SameStory

RULES = [ExactDuplicate, NearDuplicate, RepeatedParagraph, SameStory]
