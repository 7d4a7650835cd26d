"""Numbers and "not applicable" words in every file format (DESIGN §5).

One grammar (:data:`parindex.engine.rules.NUMBER_RE`, shared with the scoring rules):
an optional sign, digits, then a dot or a decimal comma and digits (``12,5`` = ``12.5``;
quote such a field in a comma-separated file); spaces around the number are ignored.
One list of words meaning "not applicable", compared case-insensitively. Numbers are
written back for users by :func:`vn_number` (decimal comma: ``12,5``; every message that
prints a number uses it).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from parindex.engine.numtext import vn_number
from parindex.engine.rules import NUMBER_RE

__all__ = [
    "NA_WORDS",
    "is_na",
    "parse_decimal",
    "parse_grouped",
    "parse_micro",
    "vn_number",
]

#: Words meaning "not applicable" in a points or value cell (lower case, NFC).
NA_WORDS: frozenset[str] = frozenset({"na", "n/a", "kad", "không áp dụng"})


def is_na(text: str) -> bool:
    """``text`` is one of :data:`NA_WORDS`, in any case, with spaces around."""
    return unicodedata.normalize("NFC", text.strip()).casefold() in NA_WORDS


def parse_decimal(text: str) -> Decimal:
    """``"12,5"`` / ``" 12.5 "`` → ``Decimal("12.5")``; ``ValueError`` with a Vietnamese
    reason (``không phải là số: 'x'``) for anything else."""
    m = NUMBER_RE.fullmatch(text)
    if m is None:
        raise ValueError(f"không phải là số: {text!r}")
    sign, whole, frac = m.groups()
    sign = "-" if sign == "-" else ""
    return Decimal(f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}")


def parse_micro(text: str) -> int:
    """Points text → integer millionths (at most 6 decimals); ``ValueError`` otherwise."""
    m = NUMBER_RE.fullmatch(text)
    if m is None:
        raise ValueError(f"không phải là số: {text!r}")
    sign, whole, frac = m.groups()
    frac = (frac or "").rstrip("0")
    if len(frac) > 6:
        raise ValueError(f"{text!r} có quá 6 chữ số thập phân")
    micro = int(whole) * 1_000_000 + (int(frac.ljust(6, "0")) if frac else 0)
    return -micro if sign == "-" else micro


def parse_grouped(text: str) -> Decimal | None:
    """A number of a framework file, where digits may be grouped by ``_`` or spaces
    (``1_000``, ``1 000``); ``None`` when it is not a number."""
    try:
        return parse_decimal(text.replace("_", "").replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        return None
