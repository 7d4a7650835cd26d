"""National results files (issue 12 part 1): the Ministry's published PAR INDEX or SIPAS
points of a year, as a CSV (``,`` or ``;``; UTF-8, UTF-8 with BOM or Windows-1258) or an
Excel workbook (first sheet).

Columns (header names in Vietnamese or English, any case, with or without diacritics):

* ``tinh`` / ``province`` — the province's code or name (required);
* ``ma`` / ``code`` — the area or criterion code; empty or ``tổng`` = the province's total;
* ``diem`` / ``points`` — its points (decimal comma accepted; required);
* ``vung`` / ``region`` — the province's region (optional).

:func:`read_national` checks every row against the national framework (``maxima``: node
code → maximum, ``""`` the total) and the known provinces (``provinces``: folded key →
unit code, see :func:`province_key`) and returns the rows plus every problem with its line.
Nothing is read from the database here: the service passes both mappings in.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parindex.formats.archive import ArchiveRefused, inspect_zip
from parindex.formats.errors import FormatError, Problem
from parindex.formats.folding import fold, header_key
from parindex.formats.numbers import parse_decimal
from parindex.formats.text import csv_rows, read_upload

__all__ = ["TOTAL", "NationalRow", "province_key", "read_national"]

#: The code a total row is stored under.
TOTAL = ""
#: Words that mean "the province's total" in the code column.
_TOTAL_WORDS = {"", "tong", "tong diem", "total", "chi so", "par index", "sipas"}
_COLUMNS = {
    "province": ("tinh", "tỉnh", "province", "ma tinh", "mã tỉnh", "tinh thanh", "tỉnh, thành phố"),
    "code": ("ma", "mã", "code", "ma tieu chi", "mã tiêu chí", "linh vuc", "lĩnh vực", "tieu chi"),
    "points": ("diem", "điểm", "points", "so diem", "số điểm"),
    "region": ("vung", "vùng", "region"),
}
_KEYS = {header_key(alias): field for field, aliases in _COLUMNS.items() for alias in aliases}
_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ")


@dataclass(frozen=True, slots=True)
class NationalRow:
    line: int
    #: The province's unit code (resolved from the code or name in the file).
    province: str
    #: The node code; :data:`TOTAL` for the total.
    code: str
    points: Decimal
    region: str = ""


def province_key(text: str) -> str:
    """A province's code or name folded for matching: ``"Tỉnh Cà Mau"`` → ``"ca mau"``."""
    key = fold(text).replace("_", " ").replace("-", " ")
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return " ".join(key.split())


def read_national(
    data: bytes,
    *,
    name: str,
    maxima: Mapping[str, Decimal | None],
    provinces: Mapping[str, str],
) -> tuple[list[NationalRow], list[Problem]]:
    """The rows of a national results file and every problem found (line, column, reason)."""
    problems: list[Problem] = []
    if name.lower().endswith((".xlsx", ".xlsm")):
        records = _xlsx_records(data, name, problems)
    else:
        try:
            upload = read_upload(data, name)
        except FormatError as exc:
            return [], exc.problems
        records = list(csv_rows(upload.text, name, problems))
    if not records:
        if not problems:
            problems.append(Problem(name, 1, None, "tệp rỗng, cần dòng tiêu đề"))
        return [], problems
    head_line, head = records[0]
    pos = {_KEYS.get(header_key(h)): i for i, h in reversed(list(enumerate(head)))}
    absent = [f for f in ("province", "code", "points") if f not in pos]
    if absent:
        names = {"province": "tinh", "code": "ma", "points": "diem"}
        problems.append(
            Problem(
                name,
                head_line,
                None,
                f"thiếu cột {', '.join(names[a] for a in absent)}; dòng tiêu đề cần các cột "
                "tinh;ma;diem (và vung nếu có)",
            )
        )
        return [], problems
    rows: list[NationalRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in records[1:]:
        if not any(c.strip() for c in cells):
            continue
        row = _row(name, line, cells, pos, maxima, provinces, problems)
        if row is None:
            continue
        key = (row.province, row.code)
        if key in seen:
            problems.append(
                Problem(
                    name, line, "ma", f"trùng tỉnh + mã {row.code or 'tổng'} (dòng {seen[key]})"
                )
            )
            continue
        seen[key] = line
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem(name, None, None, "tệp không có dòng số liệu nào"))
    return rows, problems


def _row(
    name: str,
    line: int,
    cells: list[str],
    pos: Mapping[str | None, int],
    maxima: Mapping[str, Decimal | None],
    provinces: Mapping[str, str],
    problems: list[Problem],
) -> NationalRow | None:
    def cell(field: str) -> str:
        i = pos.get(field, -1)
        return cells[i].strip() if 0 <= i < len(cells) else ""

    found = len(problems)
    text = cell("province")
    province = provinces.get(province_key(text)) if text else None
    if not text:
        problems.append(Problem(name, line, "tinh", "thiếu tỉnh"))
    elif province is None:
        problems.append(
            Problem(name, line, "tinh", f"tỉnh “{text}” không có trong danh mục đơn vị hành chính")
        )
    raw_code = cell("code")
    code = TOTAL if fold(raw_code) in _TOTAL_WORDS else raw_code
    if code not in maxima:
        problems.append(
            Problem(
                name, line, "ma", f"mã “{raw_code}” không có trong bộ tiêu chí quốc gia đã chọn"
            )
        )
    points: Decimal | None = None
    try:
        points = parse_decimal(cell("points"))
    except ValueError as exc:
        problems.append(Problem(name, line, "diem", f"điểm {exc}"))
    if points is not None and code in maxima:
        top = maxima[code]
        if points < 0 or (top is not None and points > top):
            bound = "" if top is None else f" (tối đa {top.normalize():f})"
            problems.append(
                Problem(
                    name, line, "diem", f"điểm {cell('points')} nằm ngoài khoảng cho phép{bound}"
                )
            )
    if len(problems) > found or province is None or points is None:
        return None
    return NationalRow(line, province, code, points, cell("region"))


def _xlsx_records(data: bytes, name: str, problems: list[Problem]) -> list[tuple[int, list[str]]]:
    import openpyxl  # only for Excel files (a slow import)

    stream = io.BytesIO(data)
    try:
        inspect_zip(stream)  # the real expanded size, before openpyxl inflates it
    except (ArchiveRefused, ValueError) as exc:
        problems.append(Problem(name, None, None, f"tệp Excel bị từ chối: {exc}"))
        return []
    try:
        wb = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem(name, None, None, f"không mở được tệp Excel: {exc}"))
        return []
    try:
        out: list[tuple[int, list[str]]] = []
        for number, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), 1):
            cells = [_text(v) for v in values]
            if any(cells) or out:
                out.append((number, cells))
        return out
    finally:
        wb.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()
