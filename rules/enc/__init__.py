"""ENC: encoding glitches and mojibake (ftfy)."""

RULES: list = []
