"""MT: garbled machine-translated text."""

RULES: list = []
