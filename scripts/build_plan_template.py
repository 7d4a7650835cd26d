"""Build the shipped Word template of the improvement plan,
src/parindex/improvement/templates_docx/ke-hoach-cai-thien.docx.

Run: ``.venv/bin/python scripts/build_plan_template.py``. Same layout helpers as the report
template (scripts/build_report_template.py: Nghị định 30/2020/NĐ-CP, A4, Times New Roman);
the structure follows seed 001 (Kế hoạch 126/KH-UBND): I. Mục đích, yêu cầu; II. Nhiệm vụ,
giải pháp và trách nhiệm thực hiện per area (chủ trì / phối hợp), then the kế hoạch triển
khai các nhiệm vụ cụ thể per lead unit; III. Tổ chức thực hiện; the appendix table of tasks.
The variables are documented in docs/improvement.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_report_template import (
    CENTER,
    LEFT,
    RIGHT,
    _add_line,
    _cell,
    _font,
    _no_borders,
    _widths,
    data_table,
    para,
)

OUT = (
    Path(__file__).resolve().parent.parent
    / "src/parindex/improvement/templates_docx/ke-hoach-cai-thien.docx"
)


def build(out: Path = OUT) -> Path:
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    _font(normal, 13)
    normal.paragraph_format.space_after = Pt(6)
    _font(doc.styles["Table Grid"], 12)

    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    left, right = head.rows[0].cells
    _widths(head, [72, 93])
    _cell(left, "{{ co_quan_chu_quan }}", size=13, bold=True)
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

    para(doc, "KẾ HOẠCH", size=14, bold=True, align=CENTER, before=18, after=0)
    para(doc, "{{ trich_yeu }}", size=14, bold=True, align=CENTER, after=0)
    para(doc, "───────", size=10, align=CENTER, after=12)
    para(doc, "{{ can_cu }}", indent=True)

    para(doc, "I. MỤC ĐÍCH, YÊU CẦU", size=13, bold=True, before=6)
    para(doc, "1. Mục đích", bold=True, indent=True)
    para(doc, "{%p for d in muc_dich %}")
    para(doc, "- {{ d }}", indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "2. Yêu cầu", bold=True, indent=True)
    para(doc, "{%p for d in yeu_cau %}")
    para(doc, "- {{ d }}", indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "3. Mục tiêu", bold=True, indent=True)
    para(doc, "{%p for d in muc_tieu %}")
    para(doc, "- {{ d }}", indent=True)
    para(doc, "{%p endfor %}")

    para(doc, "II. NHIỆM VỤ, GIẢI PHÁP VÀ TRÁCH NHIỆM THỰC HIỆN", size=13, bold=True, before=6)
    para(doc, "{%p for a in linh_vuc %}")
    para(doc, "{{ loop.index }}. {{ a.ten }}", bold=True, indent=True)
    para(doc, "a) Nhiệm vụ, giải pháp", italic=True, indent=True)
    para(doc, "{%p for m in a.muc_tieu %}")
    para(doc, "- {{ m }}", indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "{%p for t in a.nhiem_vu %}")
    para(doc, "- {{ t.ten }}{% if t.mo_ta %}: {{ t.mo_ta }}{% endif %}", indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "b) Trách nhiệm thực hiện", italic=True, indent=True)
    para(doc, "- Đơn vị chủ trì: {{ a.chu_tri }}.", indent=True)
    para(doc, "- Đơn vị phối hợp: {{ a.phoi_hop }}.", indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "{{ so_muc_trien_khai }}. Kế hoạch triển khai các nhiệm vụ cụ thể", bold=True,
         indent=True)  # fmt: skip
    para(doc, "{{ trien_khai_gioi_thieu }}", indent=True)
    para(doc, "{%p for u in phan_cong %}")
    para(doc, "{{ loop.index }}) {{ u.don_vi }}: phụ trách {{ u.noi_dung }}.", indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "(Nhiệm vụ cụ thể được nêu tại Phụ lục ban hành kèm theo Kế hoạch này)",
         italic=True, indent=True)  # fmt: skip

    para(doc, "III. TỔ CHỨC THỰC HIỆN", size=13, bold=True, before=6)
    para(doc, "{%p for d in to_chuc %}")
    para(doc, "{{ loop.index }}. {{ d }}", indent=True)
    para(doc, "{%p endfor %}")

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

    para(doc, "PHỤ LỤC", size=13, bold=True, align=CENTER, before=18, after=0)
    para(doc, "NHIỆM VỤ CỤ THỂ CẢI THIỆN CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {{ nam_ke_hoach }}",
         size=13, bold=True, align=CENTER, after=0)  # fmt: skip
    para(doc, "(Kèm theo Kế hoạch số {{ so_ky_hieu }})", italic=True, align=CENTER, after=6)
    data_table(
        doc,
        ["STT", "Nhiệm vụ", "Tiêu chí", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn",
         "Tình trạng"],
        [
            "{%tr for t in nhiem_vu %}",
            ("{{ t.stt }}", CENTER),
            ("{{ t.ten }}", LEFT),
            ("{{ t.tieu_chi }}", CENTER),
            ("{{ t.chu_tri }}", LEFT),
            ("{{ t.phoi_hop }}", LEFT),
            ("{{ t.thoi_han }}", CENTER),
            ("{{ t.tinh_trang }}", RIGHT),
            "{%tr endfor %}",
        ],
        [11, 50, 16, 27, 27, 19, 15],
    )  # fmt: skip
    para(doc, "", size=2, after=0)  # a document must not end with a table

    doc.core_properties.title = "Kế hoạch cải thiện Chỉ số cải cách hành chính"
    doc.core_properties.author = "parindex"
    doc.core_properties.language = "vi-VN"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
