"""BP: boilerplate (ad markers, navigation, captions, contact footers, ...)."""

RULES: list = []
