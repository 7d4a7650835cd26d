"""Numbers as Vietnamese text writes them (decimal comma, dot between thousands): the one
helper every user-facing message uses, re-exported as :func:`parindex.formats.numbers.vn_number`
(the engine's own messages use it too, so it lives here, below every other layer)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

__all__ = ["range_text", "vn_number"]


def vn_number(
    value: object,
    decimals: int | None = None,
    *,
    strip: bool = True,
) -> str:
    """``Decimal("1234.50")`` → ``"1.234,5"``; ``0.25`` → ``"0,25"``; ``None`` → ``""``.

    Without ``decimals`` the value is written exactly (trailing zeros dropped); with it,
    rounded half up to that many places, trailing zeros dropped when ``strip``. Text that
    is not a number (what a user typed) is returned as it is.
    """
    if value is None:
        return ""
    if isinstance(value, Fraction):  # the engine's exact ratios: at most 6 places shown
        value = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal("0.000001"), rounding=ROUND_HALF_UP
        )
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    if decimals is not None:
        d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{d:,.{decimals}f}"
        if strip and "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        n = d.normalize()
        text = f"{n:,f}" if n != n.to_integral_value() else f"{n:,.0f}"
    if text in ("-0", "+0"):
        text = "0"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def range_text(lo: object, hi: object) -> str:
    """An inclusive range in a message: ``[0, 2]``, but ``[0; 1,5]`` when a bound has a
    decimal comma (the comma would read as the separator)."""
    a, b = vn_number(lo), vn_number(hi)
    return f"[{a}; {b}]" if "," in a + b else f"[{a}, {b}]"
