"""Build the shipped Word template src/parindex/reports/templates_docx/bao-cao-ket-qua.docx.

Run: ``.venv/bin/python scripts/build_report_template.py``. The template uses docxtpl
(Jinja) tags; the variables are documented in docs/reports.md. Layout after Nghị định
30/2020/NĐ-CP: A4, margins 20/20/30/15 mm, Times New Roman 13–14 pt, a borderless two-column
header (issuing body and number left, quốc hiệu and tiêu ngữ right), title, body, then
"Nơi nhận:" bottom-left and the signature block bottom-right.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = (
    Path(__file__).resolve().parent.parent
    / "src/parindex/reports/templates_docx/bao-cao-ket-qua.docx"
)
FONT = "Times New Roman"
CENTER, LEFT, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)


def _font(run_or_style, size=13, bold=None, italic=None, underline=None):  # type: ignore[no-untyped-def]
    f = run_or_style.font
    f.name = FONT
    f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    if underline is not None:
        f.underline = underline
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def para(
    container,
    text="",
    size=13,
    bold=False,
    italic=False,
    underline=False,
    align=JUSTIFY,
    before=0,
    after=6,
    indent=False,
):  # type: ignore[no-untyped-def]
    p = container.add_paragraph()
    p.alignment = align
    pf = p.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if indent:
        pf.first_line_indent = Mm(10)
    if text:
        run = p.add_run(text)
        _font(run, size, bold, italic, underline)
    return p


def _no_borders(table) -> None:  # type: ignore[no-untyped-def]
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _cell(cell, text, size=12, bold=False, italic=False, align=CENTER, underline=False):  # type: ignore[no-untyped-def]
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    _font(run, size, bold, italic, underline)
    return p


def _add_line(cell, text, **kw):  # type: ignore[no-untyped-def]
    p = cell.add_paragraph()
    p.alignment = kw.pop("align", CENTER)
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    _font(run, kw.pop("size", 13), **kw)
    return p


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def data_table(doc, heads, cells, widths):  # type: ignore[no-untyped-def]
    """A bordered table: header row, ``{%tr for %}`` row, data row, ``{%tr endfor %}``."""
    loop, end = cells[0], cells[-1]
    body = cells[1:-1]
    t = doc.add_table(rows=4, cols=len(heads))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(heads):
        _cell(t.rows[0].cells[i], h, size=12, bold=True)
    _repeat_header(t.rows[0])
    _cell(t.rows[1].cells[0], loop, size=12)
    for i, (text, align) in enumerate(body):
        _cell(t.rows[2].cells[i], text, size=12, align=align)
    _cell(t.rows[3].cells[0], end, size=12)
    _widths(t, widths)
    return t


def _widths(table, widths) -> None:  # type: ignore[no-untyped-def]
    """Fixed column widths (grid and cells: LibreOffice reads the grid, Word the cells)."""
    table.autofit = False
    for i, w in enumerate(widths):
        table.columns[i].width = Mm(w)
        for cell in table.columns[i].cells:
            cell.width = Mm(w)


def build(out: Path = OUT) -> Path:
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    _font(normal, 13)
    normal.paragraph_format.space_after = Pt(6)
    grid = doc.styles["Table Grid"]
    _font(grid, 12)

    # --- page header of every page: "TẠM TÍNH" while the results are provisional
    top = sec.header.paragraphs[0]
    top.alignment = CENTER
    _font(top.add_run("{{ tieu_de_trang }}"), 12, bold=True)

    # --- header: issuing body / number (left), quốc hiệu / tiêu ngữ / place and date (right)
    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    left, right = head.rows[0].cells
    _widths(head, [72, 93])
    _cell(left, "{{ co_quan_chu_quan }}", size=13)
    _add_line(left, "{{ co_quan }}", size=13, bold=True)
    _add_line(left, "───────", size=10)
    _add_line(left, "Số: {{ so_ky_hieu }}", size=13)
    _cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _add_line(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, underline=True)
    _add_line(right, "", size=8)
    _add_line(
        right,
        "{{ dia_danh }}, ngày {{ ngay }} tháng {{ thang }} năm {{ nam }}",
        size=13,
        italic=True,
    )

    # --- title
    para(doc, "BÁO CÁO", size=14, bold=True, align=CENTER, before=18, after=0)
    para(
        doc,
        "Kết quả xác định Chỉ số cải cách hành chính năm {{ nam_danh_gia }}",
        size=14,
        bold=True,
        align=CENTER,
        after=0,
    )
    para(doc, "───────", size=10, align=CENTER, after=12)
    para(doc, "{{ gioi_thieu }}", indent=True)

    # --- I. ranking per group, with a chart
    para(doc, "I. KẾT QUẢ XẾP HẠNG THEO NHÓM", size=13, bold=True, before=6)
    para(doc, "{%p for g in nhom %}")
    para(doc, "{{ loop.index }}. {{ g.ten }} ({{ g.so_don_vi }} đơn vị)", bold=True, indent=True)
    data_table(
        doc,
        ["Hạng", "Đơn vị", "Điểm đạt", "Điểm tối đa", "Chỉ số (%)", "Xếp loại", "So với năm trước"],
        [
            "{%tr for r in g.don_vi %}",
            ("{{ r.hang }}", CENTER),
            ("{{ r.ten }}", LEFT),
            ("{{ r.diem }}", RIGHT),
            ("{{ r.diem_toi_da }}", RIGHT),
            ("{{ r.chi_so }}", RIGHT),
            ("{{ r.xep_loai }}", CENTER),
            ("{{ r.thay_doi }}", CENTER),
            "{%tr endfor %}",
        ],
        [16, 42, 17, 17, 18, 22, 33],
    )
    para(doc, "{%p for r in g.don_vi if r.ha_xep_loai %}")
    para(doc, "- {{ r.ten }}: {{ r.ha_xep_loai }}.", size=12, indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "{{ g.bieu_do }}", align=CENTER, before=6)
    para(doc, "{%p endfor %}")

    # --- summary of classes
    para(doc, "II. TỔNG HỢP XẾP LOẠI", size=13, bold=True, before=6)
    para(doc, "{%p for x in tong_hop %}")
    para(doc, "- {{ x.xep_loai }}: {{ x.so_luong }} đơn vị.", indent=True)
    para(doc, "{%p endfor %}")

    para(doc, "{%p if can_cu %}")
    para(doc, "Căn cứ hạ xếp loại:", size=12, italic=True, bold=True, indent=True)
    para(doc, "{%p for c in can_cu %}")
    para(doc, "- {{ c.dieu_kien }}: {{ c.nguon }}", size=12, italic=True, indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")

    # --- III. criteria that did not reach full points
    para(doc, "III. CÁC TIÊU CHÍ CHƯA ĐẠT ĐIỂM TỐI ĐA", size=13, bold=True, before=6)
    para(doc, "{%p for g in nhom %}")
    para(doc, "{{ loop.index }}. {{ g.ten }}", bold=True, indent=True)
    para(doc, "{%p if not g.chua_dat %}")
    para(doc, "Tất cả đơn vị đạt điểm tối đa ở mọi tiêu chí.", indent=True)
    para(doc, "{%p else %}")
    data_table(
        doc,
        [
            "Mã",
            "Tiêu chí",
            "Điểm tối đa",
            "Số đơn vị chưa đạt",
            "Điểm bị trừ bình quân",
            "Đơn vị bị trừ nhiều nhất",
        ],
        [
            "{%tr for t in g.chua_dat %}",
            ("{{ t.ma }}", CENTER),
            ("{{ t.ten }}", LEFT),
            ("{{ t.diem_toi_da }}", RIGHT),
            ("{{ t.so_don_vi }}", CENTER),
            ("{{ t.bi_tru_binh_quan }}", RIGHT),
            ("{{ t.don_vi }}", LEFT),
            "{%tr endfor %}",
        ],
        [13, 46, 17, 20, 21, 48],
    )
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "{{ ket_luan }}", indent=True, before=6)

    # --- Nơi nhận (left) and signature (right)
    foot = doc.add_table(rows=1, cols=2)
    _no_borders(foot)
    left, right = foot.rows[0].cells
    _widths(foot, [85, 80])
    _cell(left, "Nơi nhận:", size=12, bold=True, italic=True, align=LEFT)
    _add_line(left, "{%p for n in noi_nhan %}", size=11, align=LEFT)
    _add_line(left, "- {{ n }}{{ ';' if not loop.last else '.' }}", size=11, align=LEFT)
    _add_line(left, "{%p endfor %}", size=11, align=LEFT)
    _cell(right, "{{ quyen_han_ky }}", size=13, bold=True)
    _add_line(right, "{{ chuc_vu_ky }}", size=13, bold=True)
    for _ in range(4):
        _add_line(right, "", size=13)
    _add_line(right, "{{ nguoi_ky }}", size=13, bold=True)
    para(doc, "", size=2, after=0)  # a document must not end with a table

    doc.core_properties.title = "Báo cáo kết quả xác định Chỉ số cải cách hành chính"
    doc.core_properties.author = "parindex"
    doc.core_properties.language = "vi-VN"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
