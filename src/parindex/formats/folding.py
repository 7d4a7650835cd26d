"""Text folded for matching Vietnamese names and headers (no Polars, no numpy): the
dossier column reader, the status mappings and other readers compare through it, and the
web app can import it at start."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without diacritics (đ → d), spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def header_key(text: str) -> str:
    return "".join(c for c in fold(text) if c.isalnum())
