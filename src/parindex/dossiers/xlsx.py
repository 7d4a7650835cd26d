"""Excel export of the dossier metrics (xlsxwriter; text cells with ``write_string`` so that
a code such as ``2.000815`` or ``=1+1`` stays text)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter

from parindex.dossiers.filters import GROUP_LABELS
from parindex.formats.cells import XLSX_OPTIONS

COLUMNS = (
    ("received", "Số hồ sơ"),
    ("early", "Trước hạn"),
    ("on_time", "Đúng hạn"),
    ("late", "Quá hạn"),
    ("open_within", "Đang xử lý trong hạn"),
    ("open_over", "Đang xử lý quá hạn"),
    ("online", "Trực tuyến"),
    ("on_time_rate", "Tỷ lệ đúng hạn (%)"),
    ("late_rate", "Tỷ lệ trễ hạn (%)"),
    ("online_rate", "Tỷ lệ trực tuyến (%)"),
    ("avg_days", "Thời gian xử lý trung bình (ngày)"),
    ("late_apology_valid", "Trễ hạn, có xin lỗi hợp lệ"),
    ("late_apology_invalid", "Trễ hạn, có xin lỗi không hợp lệ"),
    ("late_apology_none", "Trễ hạn, không xin lỗi"),
)


def metrics_xlsx(rows: list[dict[str, Any]], *, by: str, period: str) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **XLSX_OPTIONS})
    ws = wb.add_worksheet("Hồ sơ TTHC")
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    pct = wb.add_format({"num_format": "0.00", "border": 1})
    num = wb.add_format({"num_format": "#,##0", "border": 1})
    text = wb.add_format({"border": 1})
    ws.write_string(0, 0, f"Kết quả giải quyết hồ sơ thủ tục hành chính — kỳ {period}", bold)
    ws.write_string(2, 0, GROUP_LABELS.get(by, by), bold)
    for j, (_, label) in enumerate(COLUMNS, 1):
        ws.write_string(2, j, label, bold)
    for i, r in enumerate(rows, 3):
        ws.write_string(i, 0, str(r["label"]), text)
        for j, (key, _) in enumerate(COLUMNS, 1):
            value = r[key]
            if value is None:
                ws.write_blank(i, j, None, text)
            elif isinstance(value, Decimal):
                ws.write_number(i, j, float(value), pct)
            else:
                ws.write_number(i, j, value, num)
    ws.set_column(0, 0, 36)
    ws.set_column(1, len(COLUMNS), 13)
    ws.freeze_panes(3, 1)
    wb.close()
    return out.getvalue()
