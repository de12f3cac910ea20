"""DUP: exact and near-duplicate documents (MinHash LSH with a persistent index)."""

RULES: list = []
