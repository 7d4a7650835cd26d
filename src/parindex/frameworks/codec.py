"""Rule parameters ↔ JSON. Decimals are stored as strings (exact, no float), so that a
framework round-trips through the database unchanged.

A Decimal is written as its canonical text (``"2.5"``). A *text* parameter that itself
looks like a number (a tier label ``"1"``) or starts with a backslash is written with a
leading backslash, so the two never mix up on the way back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")


def encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return "\\" + value if _NUMBER.match(value) or value.startswith("\\") else value
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return value  # bool, int, None


def decode(value: Any) -> Any:
    if isinstance(value, str):
        if value.startswith("\\"):
            return value[1:]
        if _NUMBER.match(value):
            return Decimal(value)
        return value
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
