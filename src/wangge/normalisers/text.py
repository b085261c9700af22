"""Text clean-up shared by the normalisers: full-width forms and stray spaces."""

import unicodedata


def fold_width(value: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; drop every kind of space."""
    if value.isascii():  # ASCII is its own NFKC form; most values are
        return "".join(value.split())
    return "".join(unicodedata.normalize("NFKC", value).split())
