"""Excel export of the findings report (seed 000): per unit, the number of problems
recommended for handling, handled, in progress and not handled, with the reasons. Text
cells go through ``write_string`` with :data:`XLSX_OPTIONS`, so a unit or a reason such as
``=1+1`` stays text."""

from __future__ import annotations

import io

import xlsxwriter

from parindex.formats.cells import XLSX_OPTIONS
from parindex.oversight.models import InspectionPlan
from parindex.oversight.selectors import FindingReport

COLUMNS = (
    ("recommended", "Số vấn đề đã kiến nghị xử lý"),
    ("resolved", "Số đã xử lý xong"),
    ("in_progress", "Số đang xử lý"),
    ("unresolved", "Số chưa xử lý"),
)


def report_xlsx(plan: InspectionPlan, report: FindingReport) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **XLSX_OPTIONS})
    ws = wb.add_worksheet("Kết quả xử lý kiến nghị")
    title = wb.add_format({"bold": True, "font_size": 13})
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    text = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    num = wb.add_format({"num_format": "#,##0", "valign": "top", "border": 1})
    bold_num = wb.add_format({"num_format": "#,##0", "bold": True, "border": 1})
    ws.write_string(0, 0, "BÁO CÁO KẾT QUẢ XỬ LÝ KIẾN NGHỊ SAU KIỂM TRA CÔNG TÁC CCHC", title)
    ws.write_string(1, 0, f"{plan.title} — {plan.cycle.name}")
    ws.write_string(3, 0, "STT", head)
    ws.write_string(3, 1, "Đơn vị được kiểm tra", head)
    for j, (_, label) in enumerate(COLUMNS, 2):
        ws.write_string(3, j, label, head)
    ws.write_string(3, 2 + len(COLUMNS), "Lý do chưa xử lý", head)
    i = 4
    for n, row in enumerate(report.rows, 1):
        ws.write_number(i, 0, n, num)
        ws.write_string(i, 1, row["unit"].name, text)
        for j, (key, _) in enumerate(COLUMNS, 2):
            ws.write_number(i, j, row[key], num)
        ws.write_string(i, 2 + len(COLUMNS), "\n".join(row["reasons"]), text)
        i += 1
    ws.write_blank(i, 0, None, head)
    ws.write_string(i, 1, "Tổng cộng", head)
    for j, (key, _) in enumerate(COLUMNS, 2):
        ws.write_number(i, j, report.total[key], bold_num)
    ws.write_blank(i, 2 + len(COLUMNS), None, head)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 1 + len(COLUMNS), 14)
    ws.set_column(2 + len(COLUMNS), 2 + len(COLUMNS), 50)
    ws.freeze_panes(4, 2)
    wb.close()
    return out.getvalue()
