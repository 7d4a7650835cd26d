"""Exports of a survey's results (issue 10 part 7): an Excel workbook (XlsxWriter; codes
and names written with ``write_string`` so that a code such as ``1.10`` or ``00123`` stays
text; numbers as numbers in the Vietnamese number format of the reports) and a Word summary
in the layout of an administrative report (Decree 30/2020: the issuing body and the national
motto side by side, number and date, title, body, recipients, signature), written with
python-docx — the report's layout is fixed, so no editable template is shipped for it."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import timezone

from parindex.reports.xlsx import FONT, VI
from parindex.surveys.models import Survey


def _f(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def survey_xlsx(survey: Survey, units: list[dict[str, Any]]) -> bytes:
    import xlsxwriter  # loaded on use (slow import)

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    base = {"font_name": FONT, "font_size": 12, "border": 1, "valign": "vcenter"}
    head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
    text = wb.add_format({**base, "text_wrap": True})
    num = wb.add_format({**base, "num_format": f"{VI}#,##0.00"})
    whole = wb.add_format({**base, "num_format": f"{VI}0"})
    title = wb.add_format({"font_name": FONT, "font_size": 14, "bold": True})
    sheets = [
        ("Chỉ số chung", ["Đơn vị", "Mã", "Chỉ số (%)", "CI thấp", "CI cao", "Xếp hạng",
                          "Phiếu đã duyệt", "Thay đổi so với năm trước", "Cảnh báo"]),
        ("Khía cạnh", ["Đơn vị", "Cấp", "Mã", "Tên", "Chỉ số (%)", "CI thấp", "CI cao",
                       "Hợp lệ", "Hài lòng", "Xếp hạng"]),
        ("Câu hỏi", ["Đơn vị", "Mã câu", "Nội dung", "Chỉ số (%)", "CI thấp", "CI cao",
                     "Hợp lệ", "Hài lòng"]),
        ("Lựa chọn", ["Đơn vị", "Câu hỏi", "Mã lựa chọn", "Lựa chọn", "Tỷ lệ (%)",
                      "Số người chọn", "Số người trả lời"]),
    ]  # fmt: skip
    ws = {}
    for name, columns in sheets:
        sheet = wb.add_worksheet(name)
        sheet.write_string(0, 0, f"{survey.name} — {name}", title)
        for c, col in enumerate(columns):
            sheet.write_string(2, c, col, head)
            sheet.set_column(c, c, 40 if col in ("Tên", "Nội dung", "Cảnh báo") else 14)
        sheet.freeze_panes(3, 1)
        sheet.repeat_rows(2)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        ws[name] = [sheet, 3]

    def row(sheet: str, cells: list[tuple[str, Any]]) -> None:
        s, r = ws[sheet]
        for c, (kind, value) in enumerate(cells):
            if kind == "s":
                s.write_string(r, c, str(value or ""), text)
            elif value is None:
                s.write_blank(r, c, None, text)
            else:
                s.write_number(r, c, float(value), num if kind == "n" else whole)
        ws[sheet][1] = r + 1

    for u in units:
        o = u["overall"] or {}
        row("Chỉ số chung", [
            ("s", u["name"]), ("s", u["code"]), ("n", _f(o.get("index", ""))),
            ("n", _f(o.get("ci_low", ""))), ("n", _f(o.get("ci_high", ""))), ("i", u["rank"]),
            ("i", u["responses"]), ("n", u["change"]), ("s", u["warning"]),
        ])  # fmt: skip
        for n in u["nodes"]:
            row("Khía cạnh", [
                ("s", u["name"]), ("s", "phần" if n["level"] == "part" else "khía cạnh"),
                ("s", n["code"]), ("s", n["name"]), ("n", _f(n["index"])), ("n", _f(n["ci_low"])),
                ("n", _f(n["ci_high"])), ("i", int(n["valid"])), ("i", int(n["satisfied"])),
                ("i", n["rank"]),
            ])  # fmt: skip
        for i in u["items"]:
            row("Câu hỏi", [
                ("s", u["name"]), ("s", i["code"]), ("s", i["text"]), ("n", _f(i["index"])),
                ("n", _f(i["ci_low"])), ("n", _f(i["ci_high"])), ("i", int(i["valid"])),
                ("i", int(i["satisfied"])),
            ])  # fmt: skip
        for c in u["choices"]:
            row("Lựa chọn", [
                ("s", u["name"]), ("s", c["question"]), ("s", c["code"]), ("s", c["label"]),
                ("n", _f(c["index"])), ("i", int(c["satisfied"])), ("i", int(c["valid"])),
            ])  # fmt: skip
    wb.close()
    return out.getvalue()


def _vn(text: str | None) -> str:
    return "—" if not text else str(text).replace(".", ",")


def survey_docx(survey: Survey, units: list[dict[str, Any]]) -> bytes:
    from docx import Document  # loaded on use (slow import)
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    opts = getattr(settings, "PARINDEX_REPORT", {}) or {}
    province = getattr(settings, "PARINDEX_PROVINCE_NAME", "")
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    head = doc.add_table(rows=2, cols=2)
    left = (
        f"ỦY BAN NHÂN DÂN TỈNH {province.upper()}".strip() if province else "ỦY BAN NHÂN DÂN TỈNH"
    )
    cells = [
        (0, 0, f"{left}\n{opts.get('co_quan', 'SỞ NỘI VỤ')}", True),
        (0, 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", True),
        (1, 0, f"Số: {opts.get('so_ky_hieu', '      /BC-SNV')}", False),
    ]
    now = timezone.localdate()
    place = getattr(settings, "PARINDEX_REPORT_PLACE", "") or "……"
    cells.append((1, 1, f"{place}, ngày {now.day} tháng {now.month} năm {now.year}", False))
    for r, c, value, bold in cells:
        p = head.cell(r, c).paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(value)
        run.bold = bold
        run.italic = r == 1 and c == 1
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("BÁO CÁO\n").bold = True
    title.add_run(f"Kết quả khảo sát sự hài lòng: {survey.name}").bold = True
    q = survey.questionnaire
    doc.add_paragraph(
        f"Thực hiện {survey.cycle.name}, Sở Nội vụ tổng hợp kết quả khảo sát theo bảng hỏi "
        f"{q.name} (mã {q.code}, phiên bản {q.version}) của {len(units)} cơ quan, đơn vị. "
        "Chỉ số = tỷ lệ câu trả lời “hài lòng” hoặc “rất hài lòng” trên số trả lời hợp lệ; "
        "khoảng tin cậy 95%; chỉ tính phiếu đã duyệt."
    )
    doc.add_paragraph("1. Chỉ số hài lòng chung", style=None).runs[0].bold = True
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for c, h in enumerate(["Đơn vị", "Chỉ số (%)", "Khoảng tin cậy 95%", "Xếp hạng", "Số phiếu"]):
        table.rows[0].cells[c].text = h
    for u in units:
        o = u["overall"] or {}
        values = [
            u["name"],
            _vn(o.get("index")),
            f"{_vn(o.get('ci_low'))}–{_vn(o.get('ci_high'))}",
            str(u["rank"] or "—"),
            str(u["responses"]),
        ]
        cells_row = table.add_row().cells
        for c, v in enumerate(values):
            cells_row[c].text = v
    doc.add_paragraph("2. Chỉ số theo khía cạnh").runs[0].bold = True
    for u in units:
        doc.add_paragraph(u["name"]).runs[0].italic = True
        if u["warning"]:
            doc.add_paragraph(u["warning"])
        t = doc.add_table(rows=1, cols=3)
        t.style = "Table Grid"
        for c, h in enumerate(["Khía cạnh", "Chỉ số (%)", "Khoảng tin cậy 95%"]):
            t.rows[0].cells[c].text = h
        for n in u["nodes"]:
            cells_row = t.add_row().cells
            cells_row[0].text = n["name"]
            cells_row[1].text = _vn(n["index"])
            cells_row[2].text = f"{_vn(n['ci_low'])}–{_vn(n['ci_high'])}"
    doc.add_paragraph(
        "Trên đây là kết quả khảo sát sự hài lòng, Sở Nội vụ báo cáo Ủy ban nhân dân tỉnh "
        "xem xét, chỉ đạo./."
    )
    sign = doc.add_table(rows=1, cols=2)
    sign.cell(0, 0).text = "Nơi nhận:\n" + "\n".join(
        f"- {r};" for r in opts.get("noi_nhan", ["UBND tỉnh (b/c)", "Lưu: VT"])
    )
    p = sign.cell(0, 1).paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(opts.get("chuc_vu_ky", "GIÁM ĐỐC")).bold = True
    p.add_run("\n\n\n\n" + opts.get("nguoi_ky", ""))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
