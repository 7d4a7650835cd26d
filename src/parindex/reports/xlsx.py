"""The Excel workbook (XlsxWriter): "Xếp hạng", "Theo lĩnh vực", "Chi tiết".

Numbers are written as numbers with a Vietnamese-locale number format
(``[$-42A]#,##0.00``: LCID 0x042A = vi-VN, so Excel and LibreOffice show ``89,33`` and
``1.234,50``); every sheet is set up for print: A4 landscape, fit to page width, header rows
repeated on every page, frozen panes, bold bordered headers.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import xlsxwriter

from parindex.formats.cells import XLSX_OPTIONS
from parindex.reports.data import PROVISIONAL_MARK, ReportData, Row

Progress = Callable[[int, str], None]
VI = "[$-42A]"
FONT = "Times New Roman"


def number_format(decimals: int, signed: bool = False) -> str:
    body = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if signed:
        return f"{VI}+{body};-{body};{body}"
    return f"{VI}{body}"


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class _Formats:
    def __init__(self, wb: Any, decimals: int) -> None:
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.subtitle = wb.add_format({**base, "italic": True, "align": "center"})
        self.head = wb.add_format(
            {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}
        )
        # quote_prefix: Excel keeps user text as text even when the cell is edited
        self.group = wb.add_format(
            {**cell, "bold": True, "bg_color": "#F2F2F2", "quote_prefix": True}
        )
        self.text = wb.add_format({**cell, "text_wrap": True, "quote_prefix": True})
        self.center = wb.add_format({**cell, "align": "center"})
        self.num = wb.add_format({**cell, "num_format": number_format(decimals)})
        self.pts = wb.add_format({**cell, "num_format": number_format(decimals)})
        self.change = wb.add_format({**cell, "num_format": number_format(decimals, signed=True)})
        self.int = wb.add_format({**cell, "num_format": f"{VI}0", "align": "center"})


def _print_setup(ws: Any, header_rows: tuple[int, int], title: str) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(*header_rows)
    ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f'&C&"{FONT},Bold"{title}')
    ws.set_footer(f'&C&"{FONT}"Trang &P/&N')
    ws.hide_gridlines(0)


LINE_PT = 16


def _lines(*cells: tuple[str, int]) -> int:
    """Wrapped lines needed by the longest of ``(text, column width in characters)``:
    row heights are set explicitly (LibreOffice does not grow rows of a generated file)."""
    return max([1] + [-(-len(text) // max(width - 2, 1)) for text, width in cells if text])


def _num(ws: Any, row: int, col: int, value: Decimal | None, fmt: Any, blank: Any) -> None:
    if value is None:
        ws.write_blank(row, col, None, blank)
    else:
        ws.write_number(row, col, float(value), fmt)


def _rank_and_unit(ws: Any, row: int, r: Row, fmt: _Formats) -> None:
    """The first two columns of a ranking row: the rank (blank when unranked), the unit."""
    if r.rank is None:
        ws.write_blank(row, 0, None, fmt.int)
    else:
        ws.write_number(row, 0, r.rank, fmt.int)
    ws.write_string(row, 1, r.unit, fmt.text)


def build_xlsx(data: ReportData, progress: Progress | None = None) -> bytes:
    report = progress or (lambda pct, msg: None)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **XLSX_OPTIONS})
    year = data.cycle.year
    wb.set_properties(
        {
            "title": f"Kết quả Chỉ số cải cách hành chính năm {year}",
            "subject": data.cycle.name,
            "author": "parindex",
            "company": data.province,
        }
    )
    fmt = _Formats(wb, data.decimals)
    status = "chính thức" if data.is_final else "tạm tính"
    title = f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}"
    if not data.is_final:  # in the title cell and the page header of every sheet
        title = f"{PROVISIONAL_MARK} — {title}"
    report(5, "Đang ghi bảng xếp hạng")
    _ranking(wb, data, fmt, title, status)
    report(20, "Đang ghi bảng theo lĩnh vực")
    _areas(wb, data, fmt, title, status)
    report(35, "Đang ghi bảng chi tiết từng tiêu chí")
    _detail(wb, data, fmt, title, report)
    report(95, "Đang đóng gói tệp Excel")
    wb.close()
    return out.getvalue()


def _ranking(wb: Any, data: ReportData, fmt: _Formats, title: str, status: str) -> None:
    ws = wb.add_worksheet("Xếp hạng")
    heads = [
        "Hạng",
        "Đơn vị",
        "Điểm đạt",
        "Điểm tối đa",
        "Chỉ số (%)",
        "Xếp loại",
        "Thay đổi chỉ số (%)",
        "Thay đổi thứ hạng",
        "Ghi chú xếp loại",
    ]
    widths = [7, 38, 11, 11, 11, 14, 13, 17, 40]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.merge_range(0, 0, 0, len(heads) - 1, title, fmt.title)
    ws.merge_range(1, 0, 1, len(heads) - 1, f"{data.cycle.name} — kết quả {status}", fmt.subtitle)
    ws.write_row(3, 0, heads, fmt.head)
    ws.set_row(3, 32)
    _print_setup(ws, (3, 3), title)
    ws.freeze_panes(4, 2)
    row = 4
    for g in data.groups:
        ws.merge_range(row, 0, row, len(heads) - 1, f"{g.name} ({len(g.rows)} đơn vị)", fmt.group)
        row += 1
        for r in g.rows:
            _rank_and_unit(ws, row, r, fmt)
            _num(ws, row, 2, r.points, fmt.pts, fmt.text)
            _num(ws, row, 3, r.max_points, fmt.pts, fmt.text)
            _num(ws, row, 4, r.index, fmt.num, fmt.text)
            ws.write_string(row, 5, r.rating, fmt.center)
            _num(ws, row, 6, r.index_change, fmt.change, fmt.text)
            ws.write_string(row, 7, r.rank_change_text, fmt.center)
            ws.write_string(row, 8, r.reasons, fmt.text)
            lines = _lines((r.unit, widths[1]), (r.reasons, widths[8]))
            if lines > 1:
                ws.set_row(row, LINE_PT * lines)
            row += 1


def _areas(wb: Any, data: ReportData, fmt: _Formats, title: str, status: str) -> None:
    ws = wb.add_worksheet("Theo lĩnh vực")
    width = max((len(g.areas) for g in data.groups), default=0) * 2 + 3
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 34)
    ws.set_column(2, width, 10)
    ws.merge_range(0, 0, 0, max(width - 1, 1), f"{title} — THEO LĨNH VỰC", fmt.title)
    ws.merge_range(
        1, 0, 1, max(width - 1, 1), f"{data.cycle.name} — kết quả {status}", fmt.subtitle
    )
    row = 3
    first_header: tuple[int, int] | None = None
    for g in data.groups:
        last = 1 + 2 * len(g.areas) + 2
        ws.merge_range(row, 0, row, last, g.name, fmt.group)
        row += 1
        ws.merge_range(row, 0, row + 1, 0, "Hạng", fmt.head)
        ws.merge_range(row, 1, row + 1, 1, "Đơn vị", fmt.head)
        col = 2
        for a in g.areas:
            ws.merge_range(row, col, row, col + 1, f"{a.code}. {a.name}", fmt.head)
            ws.write(row + 1, col, "Điểm", fmt.head)
            ws.write(row + 1, col + 1, "Chỉ số (%)", fmt.head)
            col += 2
        ws.merge_range(row, col, row, col + 1, "Tổng", fmt.head)
        ws.write(row + 1, col, "Điểm", fmt.head)
        ws.write(row + 1, col + 1, "Chỉ số (%)", fmt.head)
        ws.set_row(row, LINE_PT * max([2] + [_lines((f"{a.code}. {a.name}", 20)) for a in g.areas]))
        if first_header is None:
            first_header = (row, row + 1)
        row += 2
        for r in g.rows:
            _rank_and_unit(ws, row, r, fmt)
            col = 2
            for a in g.areas:
                cell = r.areas.get(a.code)
                _num(ws, row, col, cell.points if cell else None, fmt.pts, fmt.text)
                _num(ws, row, col + 1, cell.index if cell else None, fmt.num, fmt.text)
                col += 2
            _num(ws, row, col, r.points, fmt.pts, fmt.text)
            _num(ws, row, col + 1, r.index, fmt.num, fmt.text)
            if len(r.unit) > 32:
                ws.set_row(row, LINE_PT * _lines((r.unit, 34)))
            row += 1
        row += 1
    hdr = first_header or (3, 3)
    _print_setup(ws, hdr, title)
    ws.freeze_panes(hdr[1] + 1, 2)


def _detail(wb: Any, data: ReportData, fmt: _Formats, title: str, report: Progress) -> None:
    ws = wb.add_worksheet("Chi tiết")
    heads = [
        "Đơn vị",
        "Nhóm",
        "Mã",
        "Tiêu chí",
        "Điểm tối đa",
        "Tự chấm",
        "Thẩm định vòng 1",
        "Thẩm định vòng 2",
        "Điểm cuối cùng",
        "Lý do",
    ]
    widths = [30, 18, 8, 50, 9, 9, 10, 10, 10, 45]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.write_row(0, 0, heads, fmt.head)
    ws.set_row(0, 32)
    _print_setup(ws, (0, 0), f"{title} — CHI TIẾT")
    ws.freeze_panes(1, 3)
    total = max(len(data.leaves), 1)
    step = max(total // 10, 1)
    text, pts, center = fmt.text, fmt.pts, fmt.center
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    set_row = ws.set_row
    w_unit, w_group, w_name, w_reason = widths[0], widths[1], widths[3], widths[9]
    for n, leaf in enumerate(data.leaves, start=1):
        write_string(n, 0, leaf.unit, text)
        write_string(n, 1, leaf.group, text)
        write_string(n, 2, leaf.code, center)
        write_string(n, 3, leaf.name, text)
        for col, value in (
            (4, leaf.max_points),
            (5, leaf.self_points),
            (6, leaf.round1),
            (7, leaf.round2),
            (8, leaf.final),
        ):
            if value is None:
                write_blank(n, col, None, text)
            else:
                write_number(n, col, float(value), pts)
        reasons = leaf.reasons
        if leaf.not_applicable:
            reasons = "Không áp dụng" + (f"; {reasons}" if reasons else "")
        write_string(n, 9, reasons, text)
        lines = _lines(
            (leaf.unit, w_unit), (leaf.group, w_group), (leaf.name, w_name), (reasons, w_reason)
        )
        if lines > 1:
            set_row(n, LINE_PT * lines)
        if n % step == 0:
            report(35 + 55 * n // total, f"Đã ghi {n}/{total} dòng chi tiết")
