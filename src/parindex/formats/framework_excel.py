"""Framework tables in Excel (.xlsx): the layout provinces publish, plus three columns that
make the table a lossless copy of the YAML file.

Sheet layout (first worksheet)::

    Mã bộ tiêu chí | sample-departments-2025      ← metadata block (optional when reading)
    Tên            | Bộ tiêu chí mẫu — Sở, ban, ngành
    Quyết định     | ...
    Năm            | 2025
    Tổng điểm      | 100
    Ghi chú nhãn   | Bộ tiêu chí mẫu
                                                      ← blank row
    STT | Nội dung | Điểm tối đa | Hướng dẫn chấm | Tài liệu kiểm chứng
        | Nguồn điểm | Cách chấm | Ghi chú             ← (one header row, 8 columns)
    1   | Công tác chỉ đạo, điều hành CCHC | 9,5 | ...
    1.1 | ...

- The header row is the first row (within the first 40) holding a cell ``STT``. Columns
  are found by their header, in any order; ``STT``, ``Nội dung`` and ``Điểm tối đa`` are
  required, the others optional (a province's own table usually has only the first five:
  then every leaf is ``Tự chấm`` with no rule, i.e. manual). Other columns (``Điểm tự
  chấm`` …) are ignored.
- The hierarchy comes from STT: ``1`` is an area, ``1.2`` a criterion of area 1,
  ``1.2.3`` a sub-criterion. A trailing dot (``1.``) is ignored. The parent of every code
  must appear in the table.
- Points accept a number cell or text with a decimal comma (``12,5``). An empty cell,
  ``chưa rõ`` or ``?`` means *unknown*.
- A row with an empty STT but some ``Nội dung`` is a scoring option of the row above
  (the Cà Mau 1880 layout: "Ban hành kịp thời | 1"); it is appended to that row's
  guidance as ``Ban hành kịp thời: 1``. A row whose ``Nội dung`` starts with ``Tổng`` and
  has no STT gives the declared total when the metadata block has none.
- Metadata rows sit above the header: label in column A, value in column B. Without
  them, the code is the file name and the name the first text above the header.
- ``Nguồn điểm``: Tự chấm (self), Điều tra XHH (survey), SIPAS (sipas), Thống kê
  (statistic), Điểm thưởng (bonus), Điểm trừ (penalty); the English codes are accepted.

``Cách chấm`` is written in the compact syntax of :mod:`parindex.formats.rule_text`.

Every problem names the file, the row, the column (letter and header) and the reason, and
all of them are raised together as :class:`FormatError`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.engine.framework import (
    MAX_DEPTH,
    SOURCES,
    Framework,
    Node,
    Rule,
    too_deep_message,
)
from parindex.formats.archive import ArchiveRefused, inspect_zip
from parindex.formats.cells import XLSX_OPTIONS
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import parse_grouped
from parindex.formats.rule_text import format_rule, num_text, parse_rule

__all__ = ["SOURCE_LABELS", "read_framework_excel", "write_framework_excel"]

#: Column headers in the order they are written.
HEADERS = (
    "STT",
    "Nội dung",
    "Điểm tối đa",
    "Hướng dẫn chấm",
    "Tài liệu kiểm chứng",
    "Nguồn điểm",
    "Cách chấm",
    "Ghi chú",
)
#: Accepted header spellings (normalised: lower case, single spaces) → field.
_HEADER_ALIASES: dict[str, str] = {
    "stt": "code",
    "tt": "code",
    "mã": "code",
    "nội dung": "name",
    "tiêu chí": "name",
    "nội dung đánh giá": "name",
    "nội dung tiêu chí": "name",
    "lĩnh vực/tiêu chí/tiêu chí thành phần": "name",
    "lĩnh vực, tiêu chí, tiêu chí thành phần": "name",
    "lĩnh vực/tiêu chí": "name",
    "điểm tối đa": "max",
    "điểm chuẩn": "max",
    "thang điểm": "max",
    "hướng dẫn chấm": "guidance",
    "hướng dẫn chấm điểm": "guidance",
    "hướng dẫn": "guidance",
    "cách tính điểm": "guidance",
    "tài liệu kiểm chứng": "evidence",
    "tài liệu kiểm chứng/minh chứng": "evidence",
    "nguồn điểm": "source",
    "cách chấm": "rule",
    "ghi chú": "note",
}
SOURCE_LABELS: dict[str, str] = {
    "self": "Tự chấm",
    "survey": "Điều tra XHH",
    "sipas": "SIPAS",
    "statistic": "Thống kê",
    "bonus": "Điểm thưởng",
    "penalty": "Điểm trừ",
}
_SOURCE_ALIASES: dict[str, str] = {
    **{label.lower(): code for code, label in SOURCE_LABELS.items()},
    **{code: code for code in SOURCES},
    "tự đánh giá": "self",
    "tự chấm điểm": "self",
    "điều tra xã hội học": "survey",
    "điều tra": "survey",
    "thống kê kinh tế - xã hội": "statistic",
    "thưởng": "bonus",
    "trừ": "penalty",
}
_META = (
    ("Mã bộ tiêu chí", "code"),
    ("Tên", "name"),
    ("Quyết định", "decision"),
    ("Năm", "year"),
    ("Tổng điểm", "total"),
    ("Ghi chú nhãn", "label"),
)
_UNKNOWN_CELL = "chưa rõ"
_UNKNOWN_WORDS = {"", "?", "chưa rõ", "unknown", "null", "~"}


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _col(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ---------------------------------------------------------------- writing


def _check_codes(fw: Framework) -> None:
    def visit(node: Node, parent: str | None) -> None:
        expected = node.code.rsplit(".", 1)[0] if "." in node.code else None
        if expected != parent:
            raise ValueError(
                f"mã '{node.code}' không thể ghi ra bảng Excel: mã con phải là mã cha "
                f"'{parent}' thêm một phần sau dấu chấm"
            )
        for child in node.children:
            visit(child, node.code)

    for area in fw.nodes:
        visit(area, None)


def _exact_float(value: Decimal) -> bool:
    return Decimal(repr(float(value))) == value


def write_framework_excel(fw: Framework, path: str | Path) -> None:
    """Write the framework as a print-ready .xlsx table (see the module docstring)."""
    import xlsxwriter  # only when an Excel file is written: parindex compute never needs it

    _check_codes(fw)
    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    ws = wb.add_worksheet("Bộ tiêu chí")
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top", "text_wrap": True}
    border = {**base, "border": 1}
    fmt = {
        "meta_label": wb.add_format({**base, "bold": True}),
        "meta": wb.add_format(base),
        "meta_int": wb.add_format({**base, "num_format": "0", "align": "left"}),
        "meta_dec": wb.add_format({**base, "num_format": "0.0#####", "align": "left"}),
        "header": wb.add_format(
            {**border, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#D9E1F2"}
        ),
    }
    levels: dict[int, dict[str, Any]] = {
        1: {"bold": True, "bg_color": "#F2F2F2"},
        2: {"bold": True},
        3: {},
    }
    cell_fmt: dict[tuple[int, str], Any] = {}
    for level, extra in levels.items():
        cell_fmt[(level, "text")] = wb.add_format({**border, **extra})
        cell_fmt[(level, "center")] = wb.add_format({**border, **extra, "align": "center"})
        cell_fmt[(level, "int")] = wb.add_format(
            {**border, **extra, "align": "center", "num_format": "0"}
        )
        cell_fmt[(level, "dec")] = wb.add_format(
            {**border, **extra, "align": "center", "num_format": "0.0#####"}
        )
        cell_fmt[(level, "unknown")] = wb.add_format(
            {**border, **extra, "align": "center", "italic": True, "font_color": "#C00000"}
        )

    def write_number(row: int, col: int, value: Decimal | None, kind: tuple[int, str]) -> None:
        level = kind[0]
        if value is None:
            ws.write_string(row, col, _UNKNOWN_CELL, cell_fmt[(level, "unknown")])
        elif _exact_float(value):
            f = cell_fmt[(level, "int" if value == value.to_integral_value() else "dec")]
            ws.write_number(row, col, float(value), f)
        else:  # more digits than a float keeps: text with decimal comma, read back exactly
            ws.write_string(row, col, num_text(value), cell_fmt[(level, "center")])

    meta_values: dict[str, Any] = {
        "code": fw.code,
        "name": fw.name,
        "decision": fw.decision,
        "year": fw.year,
        "total": fw.total,
        "label": fw.label,
    }
    for r, (label, key) in enumerate(_META):
        ws.write_string(r, 0, label, fmt["meta_label"])
        value = meta_values[key]
        if value is None or value == "":
            ws.write_blank(r, 1, None, fmt["meta"])
        elif isinstance(value, Decimal):
            if _exact_float(value):
                f = fmt["meta_int"] if value == value.to_integral_value() else fmt["meta_dec"]
                ws.write_number(r, 1, float(value), f)
            else:
                ws.write_string(r, 1, num_text(value), fmt["meta"])
        elif isinstance(value, int):
            ws.write_number(r, 1, value, fmt["meta_int"])
        else:
            ws.write_string(r, 1, str(value), fmt["meta"])
    header_row = len(_META) + 1
    for c, title in enumerate(HEADERS):
        ws.write_string(header_row, c, title, fmt["header"])
    row = header_row + 1
    for node in fw.walk():
        level = min(node.code.count(".") + 1, 3)
        text = cell_fmt[(level, "text")]
        ws.write_string(row, 0, node.code, cell_fmt[(level, "center")])
        ws.write_string(row, 1, node.name, text)
        write_number(row, 2, node.max_points, (level, "num"))
        ws.write_string(row, 3, node.guidance, text)
        ws.write_string(row, 4, node.evidence, text)
        source = SOURCE_LABELS[node.source] if (node.is_leaf or node.source != "self") else ""
        ws.write_string(row, 5, source, cell_fmt[(level, "center")])
        ws.write_string(row, 6, format_rule(node.rule), text)
        ws.write_string(row, 7, node.note, text)
        row += 1
    for c, width in enumerate((8, 48, 10, 48, 36, 13, 30, 30)):
        ws.set_column(c, c, width)
    ws.freeze_panes(header_row + 1, 2)
    ws.repeat_rows(header_row)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&CTrang &P/&N")
    ws.print_area(0, 0, max(row - 1, header_row), len(HEADERS) - 1)
    wb.close()


# ---------------------------------------------------------------- reading


@dataclass
class _Row:
    code: str
    row: int
    name: str
    max_points: Decimal | None
    source: str
    rule: Rule | None
    guidance: str
    evidence: str
    note: str
    children: list[str] = field(default_factory=list)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _cell_number(value: Any) -> tuple[Decimal | None, bool]:
    """Cell → (number or None, ok)."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int):
        return Decimal(value), True
    if isinstance(value, float):
        return Decimal(repr(value)), True
    text = str(value).strip()
    if _norm(text) in _UNKNOWN_WORDS:
        return None, True
    number = parse_grouped(text)
    return number, number is not None


def read_framework_excel(path: str | Path) -> Framework:
    """Read a framework table (.xlsx) with openpyxl in read-only mode."""
    import openpyxl  # only when an Excel file is read (a slow import)

    p = Path(path)
    file = str(p)
    try:
        inspect_zip(p)  # the real expanded size, before openpyxl inflates anything
    except ArchiveRefused as exc:
        raise FormatError([Problem(file, None, None, f"tệp Excel bị từ chối: {exc}")]) from exc
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FormatError([Problem(file, None, None, f"không mở được tệp Excel: {exc}")]) from exc
    try:
        ws = wb.worksheets[0]
        rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return _read_rows(rows, file, p.stem)


def _read_rows(rows: list[tuple[Any, ...]], file: str, stem: str) -> Framework:
    problems: list[Problem] = []
    header_index = None
    columns: dict[str, int] = {}
    for i, values in enumerate(rows[:40]):
        found = {}
        for c, value in enumerate(values):
            key = _HEADER_ALIASES.get(_norm(_cell_text(value)))
            if key and key not in found:
                found[key] = c
        if "code" in found and "name" in found:
            header_index, columns = i, found
            break
    if header_index is None:
        raise FormatError(
            [Problem(file, None, None, "không tìm thấy dòng tiêu đề có cột 'STT' và 'Nội dung'")]
        )
    header_row = header_index + 1
    if "max" not in columns:
        problems.append(Problem(file, header_row, None, "thiếu cột 'Điểm tối đa'"))

    def colname(key: str) -> str:
        c = columns[key]
        title = _cell_text(rows[header_index][c]).strip()
        return f"{_col(c)} ({title})"

    def get(values: tuple[Any, ...], key: str) -> Any:
        c = columns.get(key)
        if c is None or c >= len(values):
            return None
        return values[c]

    # metadata block
    meta: dict[str, Any] = {}
    title = ""
    meta_keys = {_norm(label): key for label, key in _META}
    for i in range(header_index):
        values = rows[i]
        first = _cell_text(values[0]).strip() if values else ""
        key = meta_keys.get(_norm(first))
        value = values[1] if len(values) > 1 else None
        if key is None:
            texts = [_cell_text(v).strip() for v in values if _cell_text(v).strip()]
            if texts and not title:
                title = texts[0]
            continue
        where = f"B ({first})"
        if key == "year":
            if value is None or _cell_text(value).strip() == "":
                meta[key] = None
            else:
                year_text = _cell_text(value).strip()
                if year_text.isdigit():
                    meta[key] = int(year_text)
                else:
                    problems.append(Problem(file, i + 1, where, f"năm '{year_text}' không hợp lệ"))
        elif key == "total":
            number, ok = _cell_number(value)
            if not ok:
                problems.append(
                    Problem(file, i + 1, where, f"tổng điểm '{_cell_text(value)}' không phải là số")
                )
            meta[key] = number
        else:
            meta[key] = _cell_text(value).strip() if key == "code" else _cell_text(value)

    # table rows
    nodes: dict[str, _Row] = {}
    order: list[str] = []
    last: _Row | None = None
    stated_total: Decimal | None = None
    for i in range(header_index + 1, len(rows)):
        values = rows[i]
        rownum = i + 1
        code = _cell_text(get(values, "code")).strip().rstrip(".").strip()
        name = _cell_text(get(values, "name"))
        raw_max = get(values, "max")
        if not code:
            text = name.strip()
            if not text:
                continue
            number, ok = _cell_number(raw_max)
            if _norm(text).startswith("tổng") and ok:
                stated_total = number
                continue
            if last is not None:
                line = text if number is None else f"{text}: {num_text(number)}"
                last.guidance = f"{last.guidance}\n{line}" if last.guidance else line
            continue
        if not re.fullmatch(r"[0-9A-Za-z]+(\.[0-9A-Za-z]+)*", code):
            problems.append(
                Problem(
                    file, rownum, colname("code"), f"STT '{code}' không phải mã dạng 1, 1.1, 1.1.1"
                )
            )
            continue
        if code.count(".") >= MAX_DEPTH:
            problems.append(
                Problem(file, rownum, colname("code"), too_deep_message(code, code.count(".") + 1))
            )
            continue
        if not name.strip():
            problems.append(Problem(file, rownum, colname("name"), f"mục '{code}' thiếu Nội dung"))
        max_points, ok = _cell_number(raw_max)
        if not ok:
            problems.append(
                Problem(
                    file,
                    rownum,
                    colname("max"),
                    f"điểm tối đa '{_cell_text(raw_max)}' của mục '{code}' không phải là số",
                )
            )
        source = "self"
        if "source" in columns:
            raw = _cell_text(get(values, "source")).strip()
            if raw:
                found_source = _SOURCE_ALIASES.get(_norm(raw))
                if found_source is None:
                    labels = ", ".join(SOURCE_LABELS.values())
                    problems.append(
                        Problem(
                            file,
                            rownum,
                            colname("source"),
                            f"nguồn điểm '{raw}' không hợp lệ (dùng: {labels})",
                        )
                    )
                else:
                    source = found_source
        rule = None
        if "rule" in columns:
            rule, reasons = parse_rule(_cell_text(get(values, "rule")))
            for reason in reasons:
                problems.append(Problem(file, rownum, colname("rule"), reason))
        if code in nodes:
            problems.append(
                Problem(
                    file,
                    rownum,
                    colname("code"),
                    f"STT '{code}' bị trùng (đã có ở dòng {nodes[code].row})",
                )
            )
            continue
        entry = _Row(
            code=code,
            row=rownum,
            name=name.strip() if "\n" not in name else name,
            max_points=max_points,
            source=source,
            rule=rule,
            guidance=_cell_text(get(values, "guidance")),
            evidence=_cell_text(get(values, "evidence")),
            note=_cell_text(get(values, "note")),
        )
        if "." in code:
            parent = code.rsplit(".", 1)[0]
            if parent not in nodes:
                problems.append(
                    Problem(
                        file,
                        rownum,
                        colname("code"),
                        f"mục '{code}' không có mục cha '{parent}' ở phía trên trong bảng",
                    )
                )
                continue
            nodes[parent].children.append(code)
        else:
            order.append(code)
        nodes[code] = entry
        last = entry
    if not nodes and not problems:
        problems.append(Problem(file, header_row, None, "bảng không có mục nào"))
    if problems:
        raise FormatError(problems)

    def build(code: str) -> Node:
        e = nodes[code]
        return Node(
            code=e.code,
            name=e.name,
            max_points=e.max_points,
            source=e.source,
            rule=e.rule,
            guidance=e.guidance,
            evidence=e.evidence,
            note=e.note,
            children=tuple(build(c) for c in e.children),
        )

    areas = tuple(build(c) for c in order)
    if "total" in meta:
        total = meta["total"]
    elif stated_total is not None:
        total = stated_total
    elif areas and all(a.max_points is not None for a in areas):
        total = sum((a.max_points for a in areas if a.max_points is not None), Decimal(0))
    else:
        total = None
    return Framework(
        code=meta.get("code") or stem,
        name=meta.get("name") or title or stem,
        decision=meta.get("decision", ""),
        year=meta.get("year"),
        total=total,
        nodes=areas,
        label=meta.get("label", ""),
    )
