"""Old home of the compute tables, kept for ``parindex.results.services`` until it imports
from the format modules (:mod:`~parindex.formats.numbers`, :mod:`~parindex.formats.rating`,
:mod:`~parindex.formats.metrics`). Nothing else may import it."""

from __future__ import annotations

from parindex.formats.metrics import load_metrics as read_metrics
from parindex.formats.numbers import parse_decimal
from parindex.formats.rating import read_rating

__all__ = ["parse_decimal", "read_metrics", "read_rating"]
