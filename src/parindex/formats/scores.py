"""Scores files (DESIGN §5).

* ``parindex compute`` scores: ``unit,code,points[,value]``. ``points`` is the leaf's
  points (a "not applicable" word, see :mod:`parindex.formats.numbers`, within
  ``[0, max]``, up to 6 decimals). When ``points`` is empty and ``value`` is given, the
  leaf's rule converts the value (a percentage, a label, a count…) into points. A row with
  both empty leaves the leaf missing (0 points, reported). :func:`read_scores`.
* External points (survey, SIPAS, statistic) imported into a cycle: ``unit,code,points``,
  header optional. :func:`read_points` checks the file; the import service checks the
  rows against the cycle (units, leaves, maximum points).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.engine.aggregate import CompiledFramework, to_micro
from parindex.engine.compute import MISSING, NOT_APPLICABLE, ScoreTable
from parindex.engine.numtext import range_text
from parindex.engine.rules import RuleInputError, points_for
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import is_na, parse_decimal, parse_micro
from parindex.formats.text import (
    Source,
    csv_delimiter,
    csv_rows,
    decode_text,
    header_positions,
    read_file_bytes,
    width_reason,
)

__all__ = ["PointRow", "read_points", "read_scores", "start_scores"]

_HEADER_WORDS = ("unit", "đơn vị", "don_vi")


@dataclass(frozen=True, slots=True)
class PointRow:
    """One data row of an external points file. ``points`` is None when the cell is
    empty (``not_applicable`` False: the import reports "thiếu điểm") or not applicable."""

    line: int
    unit: str
    code: str
    points: Decimal | None
    not_applicable: bool


def read_points(source: Source, *, name: str) -> tuple[list[PointRow], list[Problem]]:
    """External points CSV ``unit,code,points`` → rows and problems (line order).

    The header is optional; a first line starting with a unit header word but other
    columns is a problem. Blank lines are skipped; every other line needs exactly three
    cells. Numbers take a dot or a decimal comma. A row with a problem is left out.
    """
    problems: list[Problem] = []
    records = list(csv_rows(source, name, problems, strict=False))
    start = 0
    if records:
        first = [c.strip().lower() for c in records[0][1]]
        if first[:3] == ["unit", "code", "points"]:
            start = 1
        elif first and first[0] in _HEADER_WORDS:
            problems.append(Problem(name, 1, None, "tiêu đề phải là unit,code,points"))
            start = 1
    body = [(line, r) for line, r in records[start:] if any(c.strip() for c in r)]
    if not body and not problems:
        problems.append(Problem(name, None, None, "tệp không có dòng dữ liệu nào"))
    rows: list[PointRow] = []
    for line, r in body:
        if len(r) != 3:
            problems.append(
                Problem(name, line, None, f"cần đúng 3 cột unit,code,points, có {len(r)} cột")
            )
            continue
        unit, code, text = (c.strip() for c in r)
        points: Decimal | None = None
        na = False
        if is_na(text):
            na = True
        elif text:
            try:
                points = parse_decimal(text)
            except ValueError as exc:
                why = str(exc).rstrip(".")  # the message may end with its own full stop
                problems.append(Problem(name, line, "points", f"Tiêu chí {code}: giá trị {why}."))
                continue
        rows.append(PointRow(line, unit, code, points, na))
    return rows, problems


#: The units a scores file may name (``None``: any).
KnownUnits = set[str] | dict[str, Any] | None


def read_scores(
    path: str | Path, cf: CompiledFramework, known_units: KnownUnits = None
) -> ScoreTable:
    """Scores CSV of ``parindex compute`` → :class:`ScoreTable` (module docstring). A clean
    file is parsed and checked column-wise by Polars (:func:`_columnar`); anything else — a
    problem, a ``value`` to convert, an encoding or quoting Polars does not read as we do,
    a unit not in ``known_units`` — by the row reader, which names each problem's place."""
    return start_scores(path, cf)(known_units)


def start_scores(path: str | Path, cf: CompiledFramework) -> Callable[[KnownUnits], ScoreTable]:
    """:func:`read_scores` begun: the file is read and parsed in a thread (Polars lets go of
    the GIL) while the caller reads its small files (10–20 ms of `parindex compute`); the
    function returned waits, checks the units and raises what reading the file raised."""
    import polars  # noqa: F401  # here: in the thread its import would hold the GIL all the same

    name = str(path)

    def parse() -> tuple[bytes, str | None, ScoreTable | None]:
        data = read_file_bytes(path)
        # Polars reads UTF-8 only: other text (a BOM, Windows-1258, not NFC) is decoded
        # the one way every reader does, first. Scores files are usually plain ASCII.
        text = None if data.isascii() else decode_text(data, name)
        return data, text, _columnar(data if text is None else text.encode("utf-8"), cf)

    pool = ThreadPoolExecutor(1)
    parsed = pool.submit(parse)
    pool.shutdown(wait=False)

    def finish(known_units: KnownUnits) -> ScoreTable:
        data, text, table = parsed.result()
        if table is not None and (known_units is None or set(table.units) <= set(known_units)):
            return table
        return _read_rows(decode_text(data, name) if text is None else text, name, cf, known_units)

    return finish


def _columnar(data: bytes, cf: CompiledFramework) -> ScoreTable | None:
    """The table of a clean scores file, every check vectorised; ``None`` = not clean.

    ``data`` is UTF-8 in NFC. Not clean: a ``'`` (a cell neutralised by an export) or a
    ``"``, a header other than ``unit,code,points[,value]``, blank or ragged lines, an
    empty or padded cell, a code that is not a leaf, points that do not parse, are
    negative or above the leaf's maximum, a unit + code twice.
    """
    import polars as pl

    if b"'" in data or b'"' in data or b"\n\n" in data:
        return None
    if b"\r" in data and (b"\n\r\n" in data or data.count(b"\r") != data.count(b"\r\n")):
        return None  # a blank line or a lone carriage return: the row reader judges
    head = data[: data.find(b"\n")].decode("utf-8")
    delimiter = csv_delimiter(head)
    cols = [c.strip().lower() for c in head.split(delimiter or ",")]
    if delimiter is None or len(set(cols)) != len(cols):
        return None
    if not {"unit", "code", "points"} <= set(cols) <= {"unit", "code", "points", "value"}:
        return None
    schema = {c: pl.Enum(cf.leaf_codes) if c == "code" else pl.String for c in cols}
    try:  # a code that is not a leaf (or padded) fails the Enum, a ragged line the parse
        frame = pl.read_csv(data, separator=delimiter, schema=schema, quote_char=None)
    except pl.exceptions.PolarsError:
        return None
    if not frame.height or any(frame[c].has_nulls() for c in ("unit", "code", "points")):
        return None
    if "value" in cols and frame["value"].null_count() != frame.height:
        return None  # values to convert by their rules: the row reader does it
    # Points: few distinct texts, each parsed once; a row takes its text's number.
    texts = frame["points"].unique().to_list()
    try:
        micros = [NOT_APPLICABLE if is_na(t) else parse_micro(t) for t in texts]
    except ValueError:
        return None
    if any(x < 0 and not is_na(t) for x, t in zip(micros, texts, strict=True)):
        return None
    points = pl.Series(micros, dtype=pl.Int64).gather(
        frame["points"].cast(pl.Enum(texts)).to_physical()
    )
    leaf = frame["code"].to_physical().cast(pl.Int64)
    if (points > pl.Series(cf.leaf_max, dtype=pl.Int64).gather(leaf)).any():
        return None
    # Units: the usual file gives each unit one block of lines (its number = the run's).
    unit_col = frame["unit"]
    runs = unit_col.rle_id()
    order = unit_col.filter(runs.is_first_distinct()).to_list()
    if len(set(order)) == len(order):
        unit = runs.cast(pl.Int64)
    else:
        order = unit_col.unique(maintain_order=True).to_list()
        unit = unit_col.cast(pl.Enum(order)).to_physical().cast(pl.Int64)
    if any(not u or u != u.strip() for u in order):
        return None
    L = cf.n_leaves
    slot = unit * L + leaf
    if slot.n_unique() != frame.height:
        return None  # a unit + code given twice
    values = pl.repeat(MISSING, L * len(order), dtype=pl.Int64, eager=True)
    return ScoreTable(cf.leaf_codes, order, values.scatter(slot, points))


def _read_rows(
    content: str,
    name: str,
    cf: CompiledFramework,
    known_units: KnownUnits,
) -> ScoreTable:
    """The careful reader: names each problem's line and column."""
    problems: list[Problem] = []
    L = cf.n_leaves
    unit_index: dict[str, int] = {}
    units: list[str] = []
    values: list[int] = []
    first_line: list[int] = []  # per slot: the line that gave it its points
    cache: dict[str, int] = {}  # points text → micro (a file has few distinct ones)
    rows = csv_rows(content, name, problems)
    pos = header_positions(name, rows, ("unit", "code", "points"), ("value",), problems)
    if pos is None:
        raise FormatError(problems)
    iu, ic, ip, iv, ncols = pos
    width = max(pos[:-1]) + 1

    def fail(line: int, column: str | None, reason: str) -> None:
        problems.append(Problem(name, line, column, reason))

    for line, row in rows:
        if len(row) != ncols:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) < width or len(row) > ncols:
                fail(line, None, width_reason(len(row), ncols))
                continue
        code, unit, text = row[ic].strip(), row[iu].strip(), row[ip]
        j = cf.leaf_index.get(code)
        if j is None:
            why = "không có trong bộ tiêu chí"
            if code in cf.node_number:
                why = "là tiêu chí có tiêu chí con, chỉ chấm tiêu chí lá"
            fail(line, "code", f"mã {row[ic]!r} {why}")
            continue
        if not unit:
            fail(line, "unit", "thiếu mã đơn vị")
            continue
        if known_units is not None and unit not in known_units:
            fail(line, "unit", f"đơn vị {unit!r} không có trong tệp đơn vị")
            continue
        u = unit_index.setdefault(unit, len(units))
        if u == len(units):
            units.append(unit)
            values += [MISSING] * L
            first_line += [0] * L
        k = u * L + j
        micro = cache.get(text)
        if micro is None and not text.strip():
            raw = row[iv].strip() if 0 <= iv < len(row) else ""
            if not raw:
                continue  # neither points nor value: the leaf stays missing
            try:
                micro = to_micro(points_for(cf.leaf_rules[j], cf.leaf_max_decimal[j], raw))
            except RuleInputError as exc:
                fail(line, "value", str(exc))
                continue
        elif micro is None:
            try:
                micro = NOT_APPLICABLE if is_na(text) else parse_micro(text)
            except ValueError as exc:
                fail(line, "points", f"điểm {exc}")
                continue
            if micro < 0 and not is_na(text):
                fail(line, "points", f"điểm {text.strip()} âm (điểm nằm trong [0, tối đa])")
                continue
            cache[text] = micro
        if values[k] != MISSING:
            again = f"trùng đơn vị {unit!r} + mã {cf.leaf_codes[j]!r}"
            fail(line, "code", f"{again} (đã có ở dòng {first_line[k]})")
        elif micro > cf.leaf_max[j]:
            fail(
                line,
                "points",
                f"điểm {text.strip()} nằm ngoài khoảng "
                f"{range_text(0, cf.leaf_max_decimal[j])} của tiêu chí {cf.leaf_codes[j]}",
            )
        else:
            values[k], first_line[k] = micro, line
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise FormatError(problems)
    return ScoreTable(cf.leaf_codes, units, values)
