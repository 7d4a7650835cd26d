"""The results format (DESIGN §5): its columns, number display and CSV/JSON writing, for
``parindex compute`` (:func:`write_results`, from engine results) and for the API and the
report exports (:mod:`parindex.reports.tabular` feeds stored results to
:func:`result_columns`, :func:`decimal_cell`, :func:`csv_text`, :func:`json_records`);
read back as a previous result (``unit``, ``index``, ``rank``) by :func:`read_previous`.

Results (CSV or JSON), in this column order: ``unit,group,points,max_points,index,rank,
rating``, then for each area in framework order ``area_<code>_points,area_<code>_index``
(``<code>`` is the area's code as written in the framework, e.g. ``area_1_points``), then
``index_change,rank_change`` when a previous result is given, then ``rating_reasons``
(applied conditions and unchecked ones, separated by ``; ``). Numbers use a dot and are
rounded half-up to ``decimals`` for display; ranks are computed on unrounded values. An
empty cell (JSON ``null``) means not applicable / not available. In CSV, a text cell
(``unit``, ``group``, ``rating``, ``rating_reasons``, ``unit_name``) that starts with
``= + - @``, a tab or CR is written with a leading ``'`` (:mod:`parindex.formats.cells`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from parindex.engine.aggregate import CompiledFramework
from parindex.engine.compute import PreviousResult, UnitResult
from parindex.formats.cells import safe_rows
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import parse_decimal
from parindex.formats.text import csv_rows, header_positions, read_text_file


def read_previous(path: str | Path) -> dict[str, PreviousResult]:
    """A previous results file (CSV or JSON) → ``{unit: PreviousResult(index, rank)}``."""
    name = str(path)
    problems: list[Problem] = []
    records: list[tuple[int | None, dict[str, str]]] = []
    if str(path).lower().endswith(".json"):
        # json only for JSON files: `parindex compute` writing CSV should not pay its import.
        import json

        try:
            data = json.loads(read_text_file(path))
        except ValueError as exc:
            raise FormatError([Problem(name, None, None, f"không đọc được JSON: {exc}")]) from exc
        if not isinstance(data, list):
            raise FormatError([Problem(name, None, None, "JSON phải là danh sách kết quả")])
        for i, rec in enumerate(data, 1):
            if not isinstance(rec, dict):
                problems.append(Problem(name, None, f"mục {i}", "không phải đối tượng"))
                continue
            records.append((None, {k: "" if v is None else str(v) for k, v in rec.items()}))
    else:
        rows = csv_rows(read_text_file(path), name, problems)
        pos = header_positions(name, rows, ("unit", "index", "rank"), (), problems)
        if pos is None:
            raise FormatError(problems)
        iu, ii, ir, _ = pos
        for at, row in rows:
            if not any(c.strip() for c in row):
                continue
            if len(row) <= max(pos[:-1]):
                problems.append(Problem(name, at, None, f"dòng có {len(row)} cột"))
                continue
            records.append((at, {"unit": row[iu], "index": row[ii], "rank": row[ir]}))
    out: dict[str, PreviousResult] = {}
    for line, rec in records:
        unit = rec.get("unit", "").strip()
        if not unit:
            problems.append(Problem(name, line, "unit", "thiếu mã đơn vị"))
            continue
        index: Decimal | None = None
        rank: int | None = None
        text = rec.get("index", "").strip()
        if text:
            try:
                index = parse_decimal(text)
            except ValueError as exc:
                problems.append(Problem(name, line, "index", f"chỉ số {exc}"))
        text = rec.get("rank", "").strip()
        if text:
            if text.isdigit() and int(text) > 0:
                rank = int(text)
            else:
                problems.append(Problem(name, line, "rank", f"thứ hạng không hợp lệ: {text!r}"))
        if unit in out:
            problems.append(Problem(name, line, "unit", f"đơn vị {unit!r} bị trùng"))
        out[unit] = PreviousResult(index, rank)
    if problems:
        raise FormatError(problems)
    return out


# --- writers -------------------------------------------------------------------------


def round_ratio(num: int, den: int, decimals: int) -> str:
    """``num / den`` (``den`` > 0) rounded half away from zero to ``decimals`` places."""
    scale = 10**decimals
    neg = num < 0
    q = (2 * abs(num) * scale + den) // (2 * den)
    digits = str(q)
    if decimals:
        digits = digits.rjust(decimals + 1, "0")
        digits = f"{digits[:-decimals]}.{digits[-decimals:]}"
    return f"-{digits}" if neg and q else digits


def round_fraction(x: Fraction, decimals: int) -> str:
    """``x`` rounded half away from zero to ``decimals`` places, dot decimal."""
    return round_ratio(x.numerator, x.denominator, decimals)


#: Columns of text; every other column holds a number (JSON number or ``null``).
TEXT_COLUMNS = frozenset({"unit", "group", "rating", "rating_reasons", "unit_name"})


def result_columns(
    area_codes: Sequence[str], with_change: bool, extra: Sequence[str] = ()
) -> list[str]:
    """The columns in order (see the module docstring); ``extra`` ones come last."""
    cols = ["unit", "group", "points", "max_points", "index", "rank", "rating"]
    for code in area_codes:
        cols += [f"area_{code}_points", f"area_{code}_index"]
    if with_change:
        cols += ["index_change", "rank_change"]
    cols.append("rating_reasons")
    cols += extra
    return cols


def decimal_cell(value: Decimal | None, decimals: int) -> str:
    """A stored number as shown: rounded half-up (away from zero) to ``decimals``."""
    if value is None:
        return ""
    return f"{value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):f}"


def write_csv(
    out: IO[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    text_columns: Collection[str] = TEXT_COLUMNS,
) -> None:
    """The header and the rows as CSV (``None`` = empty cell, ``\n`` line ends); the cells
    of ``text_columns`` are made spreadsheet-safe (:func:`parindex.formats.cells.safe_cell`)."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    w.writerows(safe_rows(columns, rows, text_columns))


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    write_csv(buf, columns, rows)
    return buf.getvalue()


#: The public page's ranking file (``/cong-khai/…/ket-qua.csv``): Vietnamese column names for
#: its readers, a BOM so that spreadsheet programs read the diacritics, CRLF line ends.
PUBLIC_RANKING_HEADER = (
    "nhom",
    "xep_hang",
    "ma_don_vi",
    "don_vi",
    "chi_so",
    "xep_loai",
    "thay_doi_chi_so",
    "thay_doi_thu_hang",
)


def public_ranking_csv(rows: Iterable[Sequence[Any]]) -> str:
    """The public ranking file: group, rank, unit code and name, index, rating, index change,
    rank change (machine-readable numbers, already rounded by the caller)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(PUBLIC_RANKING_HEADER)
    w.writerows(safe_rows(PUBLIC_RANKING_HEADER, rows, None))  # numbers are not str here
    return buf.getvalue()


def json_records(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: text columns as they are, shown numbers as int/float,
    empty cells as ``None``."""
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for c, v in zip(columns, row, strict=True):
            if c in TEXT_COLUMNS or v is None or isinstance(v, int):
                item[c] = v
            else:
                item[c] = None if v == "" else (int(v) if "." not in v else float(v))
        out.append(item)
    return out


def result_rows(
    results: Sequence[UnitResult], cf: CompiledFramework, decimals: int, with_change: bool
) -> Iterator[list[str]]:
    """Display rows (strings) in :func:`result_columns` order."""
    scale = 10**decimals
    point_fmt = f"%d.%0{decimals}d" if decimals else "%d"
    div = 10 ** (6 - decimals)
    half = div // 2

    def pts(micro: int) -> str:  # micro ≥ 0, rounded half-up
        q = (micro + half) // div
        return point_fmt % divmod(q, scale) if decimals else point_fmt % q

    def ratio(num: int, den: int) -> str:  # num ≥ 0, den > 0, rounded half-up
        q = (2 * num * scale + den) // (2 * den)
        return point_fmt % divmod(q, scale) if decimals else point_fmt % q

    micro_den = 2 * div  # points: (2 × micro + div) // (2 × div), i.e. half-up
    seen: dict[tuple[int, int], tuple[str, str]] = {}
    for r in results:
        m = r.max_micro
        p = r.points_micro
        rating = r.rating
        row = [
            r.unit,
            r.group,
            pts(p),
            "" if m is None else pts(m),
            "" if not m else ratio(p * 100, m),
            "" if r.rank is None else str(r.rank),
            "" if rating is None or rating.name is None else rating.name,
        ]
        for ap, am in zip(r.area_points_micro, r.area_max_micro, strict=True):
            if am:
                # Area values repeat a lot across units: format each distinct one once.
                shown = seen.get((ap, am))
                if shown is None:
                    q = (2 * ap + div) // micro_den
                    q2 = (200 * ap * scale + am) // (2 * am)
                    if decimals:
                        shown = (point_fmt % divmod(q, scale), point_fmt % divmod(q2, scale))
                    else:
                        shown = (point_fmt % q, point_fmt % q2)
                    seen[ap, am] = shown
                row += shown
            elif am is None:
                row += ("", "")
            else:
                row += (pts(ap), "")
        if with_change:
            row.append("" if r.index_change is None else round_fraction(r.index_change, decimals))
            row.append("" if r.rank_change is None else str(r.rank_change))
        row.append("" if rating is None else "; ".join(rating.reasons()))
        yield row


def write_results(
    results: Sequence[UnitResult],
    cf: CompiledFramework,
    out: IO[str],
    fmt: str = "csv",
    decimals: int = 2,
    with_change: bool = False,
) -> None:
    """Write results as CSV or JSON (see the module docstring for the columns); JSON
    numbers are written with the digits shown, one unit per line."""
    cols = result_columns(cf.area_codes, with_change)
    rows = result_rows(results, cf, decimals, with_change)
    if fmt == "csv":
        write_csv(out, cols, rows)
        return
    import json  # for JSON output only (see read_previous)

    out.write("[")
    for n, row in enumerate(rows):
        fields = []
        for c, v in zip(cols, row, strict=True):
            # display-rounded digits are written as JSON numbers, exactly as shown
            value = json.dumps(v, ensure_ascii=False) if c in TEXT_COLUMNS else v or "null"
            fields.append(f'"{c}": {value}')
        out.write(("\n " if n == 0 else ",\n ") + "{" + ", ".join(fields) + "}")
    out.write("\n]\n")
