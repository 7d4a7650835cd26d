"""Spreadsheet-safe cells: every CSV and XLSX export writes user text through here, so
that a unit called ``=HYPERLINK(…)`` or ``@SUM(1+1)`` stays text in Excel and LibreOffice
(OWASP "CSV injection").

* CSV: a text cell starting with ``= + - @``, a tab or a carriage return gets a leading
  ``'`` (:func:`safe_cell`); numbers — also negative ones in numeric columns — are not
  touched. The readers (:func:`parindex.formats.text.csv_rows`) take the ``'`` off again
  (:func:`unquote_cell`), so an exported file imports back unchanged.
* XLSX: :data:`XLSX_OPTIONS` turns off XlsxWriter's guessing (``write()`` of a string
  starting with ``=`` would be a formula, ``http://…`` a link), and text is written with
  ``write_string``: a string cell is never evaluated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

__all__ = ["FORMULA_TRIGGERS", "XLSX_OPTIONS", "safe_cell", "safe_rows", "unquote_cell"]

#: First characters a spreadsheet program reads as the start of a formula (or, for tab and
#: CR, that hide one behind leading white space).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FIRST = frozenset(FORMULA_TRIGGERS)
#: Options of every ``xlsxwriter.Workbook``: strings stay strings.
XLSX_OPTIONS: dict[str, bool] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text starting with a formula trigger; then ``'``
    + the text. Use it on text cells only (a numeric column's ``-1.5`` stays as it is)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unquote_cell(text: str) -> str:
    """The reverse of :func:`safe_cell` for a cell read back from a CSV file."""
    if len(text) > 1 and text[0] == "'" and text[1] in _FIRST:
        return text[1:]
    return text


def safe_rows(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], text_columns: Collection[str] | None
) -> Iterator[list[Any]]:
    """Rows with their text cells made safe: the cells of ``text_columns`` (every ``str``
    cell when None — for rows whose numbers are not strings)."""
    if text_columns is None:
        for row in rows:
            yield [safe_cell(v) for v in row]
        return
    at = [i for i, c in enumerate(columns) if c in text_columns]
    first = _FIRST
    for row in rows:
        # the usual row has nothing to quote: look at first characters, copy only if needed
        for i in at:
            v = row[i]
            if v.__class__ is str and v[:1] in first:
                break
        else:
            yield row  # type: ignore[misc]
            continue
        out = list(row)
        for i in at:
            out[i] = safe_cell(out[i])
        yield out
