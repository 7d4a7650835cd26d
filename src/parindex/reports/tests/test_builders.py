"""Export contents: CSV/JSON machine-readable, the workbook's sheets and print setup, the
Word/PDF report's layout — opened with the real tools (LibreOffice, pdftotext)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from parindex.reports.services import export_build
from parindex.reports.tabular import results_csv, results_json
from parindex.reports.tests.conftest import pdf_text, soffice_to_pdf

pytestmark = pytest.mark.django_db

NAMES = ["Sở Tư pháp", "Sở Y tế", "Phường Tân Thành", "Xã Khánh Hưng", "Xã Cam Hải Đông"]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_csv_is_machine_readable_with_dots_and_the_design_columns(computed, leader):
    text = results_csv(computed, leader)
    rows = list(csv.DictReader(io.StringIO(text)))
    head = text.splitlines()[0].split(",")
    assert head[:7] == ["unit", "group", "points", "max_points", "index", "rank", "rating"]
    assert head[7:11] == ["area_1_points", "area_1_index", "area_2_points", "area_2_index"]
    assert head[11:] == ["index_change", "rank_change", "rating_reasons", "unit_name"]
    by_unit = {r["unit"]: r for r in rows}
    tp = by_unit["so-tu-phap"]
    assert tp["points"] == "10.00" and tp["index"] == "100.00" and tp["rank"] == "1"
    assert tp["unit_name"] == "Sở Tư pháp" and tp["group"] == "so-ban-nganh"
    # 2024: Sở Y tế 9.5 (1st), Sở Tư pháp 7.5 (2nd) → Sở Tư pháp moved up one rank.
    assert tp["rank_change"] == "1" and tp["index_change"] == "25.00"
    assert by_unit["so-y-te"]["index"] == "82.50"
    assert "," not in tp["index"]


def test_json_has_numbers_and_nulls(computed, leader):
    rows = results_json(computed, leader)
    tp = next(r for r in rows if r["unit"] == "so-tu-phap")
    assert tp["index"] == 100.0 and tp["rank"] == 1 and tp["rank_change"] == 1
    assert tp["unit_name"] == "Sở Tư pháp"
    json.dumps(rows, ensure_ascii=False)  # serialisable as is


def test_workbook_has_three_print_ready_sheets_in_vietnamese_number_format(computed, leader):
    wb = load_workbook(io.BytesIO(export_build(computed, "xlsx", leader)))
    assert wb.sheetnames == ["Xếp hạng", "Theo lĩnh vực", "Chi tiết"]
    ws = wb["Xếp hạng"]
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.print_title_rows == "$4:$4" and ws.freeze_panes == "C5"
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default)
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells["Hạng"].font.b and cells["Hạng"].border.left.style == "thin"
    unit_row = cells["Sở Tư pháp"].row
    index = ws.cell(unit_row, 5)
    assert index.value == 100 and index.number_format == "[$-42A]#,##0.00"
    assert ws.cell(unit_row, 8).value == "tăng 1 bậc"
    assert ws.cell(cells["Sở Y tế"].row, 8).value == "giảm 1 bậc"
    detail = wb["Chi tiết"]
    rows = [[c.value for c in r] for r in detail.iter_rows(min_row=2)]
    assert len(rows) == 5 * 4  # five units × four leaves
    yte = next(r for r in rows if r[0] == "Sở Y tế" and r[2] == "1.2.2")
    assert yte[4:9] == [1.5, None, 0.75, None, 0.75]
    assert yte[9] == "Vòng 1: Báo cáo quý IV gửi trễ hạn 5 ngày; Vòng 2: Giữ nguyên"
    areas = wb["Theo lĩnh vực"]
    texts = [c.value for r in areas.iter_rows() for c in r if isinstance(c.value, str)]
    assert "1. Công tác chỉ đạo, điều hành" in texts and "Xã, phường" in texts


def test_libreoffice_opens_the_workbook_and_keeps_diacritics_and_decimal_commas(
    computed, leader, tmp_path
):
    path = tmp_path / "ket-qua.xlsx"
    path.write_bytes(export_build(computed, "xlsx", leader))
    text = _flat(pdf_text(soffice_to_pdf(path, tmp_path)))
    for name in NAMES:
        assert name in text
    assert "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025" in text
    assert "82,50" in text and "100,00" in text  # vi-VN: decimal comma
    assert "82.50" not in text
    assert "tăng 1 bậc" in text and "Báo cáo quý IV gửi trễ hạn 5 ngày" in text


def test_libreoffice_opens_the_word_report_in_the_official_layout(computed, leader, tmp_path):
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(export_build(computed, "docx", leader))
    text = _flat(pdf_text(soffice_to_pdf(path, tmp_path)))
    for name in NAMES:
        assert name in text
    for phrase in (
        "ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA",
        "SỞ NỘI VỤ",
        "/BC-SNV",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Khánh Hòa, ngày",
        "BÁO CÁO",
        "Kết quả xác định Chỉ số cải cách hành chính năm 2025",
        "Nơi nhận:",
        "Lưu: VT, CCHC.",
        "GIÁM ĐỐC",
        "82,50",
        "tăng 25,00%, tăng 1 bậc",
        "CÁC TIÊU CHÍ CHƯA ĐẠT ĐIỂM TỐI ĐA",
        "Báo cáo",  # criterion 1.2: Sở Y tế lost 0,75 on its leaf 1.2.2
    ):
        assert phrase in text, phrase


def test_the_word_report_uses_times_new_roman_and_an_embedded_chart(computed, leader):
    from docx import Document

    doc = Document(io.BytesIO(export_build(computed, "docx", leader)))
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert len(doc.inline_shapes) == 2  # one ranking chart per group
    header = doc.tables[0]
    assert header.cell(0, 1).paragraphs[1].runs[0].font.underline  # tiêu ngữ underlined
    assert header.cell(0, 1).paragraphs[-1].runs[0].font.italic  # place and date italic


def test_weasyprint_pdf_has_the_names_with_diacritics_and_ships_its_fonts(
    computed, leader, tmp_path
):
    import shutil
    import subprocess

    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(export_build(computed, "pdf", leader))
    text = _flat(pdf_text(path))
    for name in NAMES:
        assert name in text
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kết quả xác định Chỉ số cải cách hành chính năm 2025",
        "Nơi nhận:",
        "82,50",
    ):
        assert phrase in text, phrase
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        shipped = [line for line in fonts.splitlines() if "ParindexSerif" in line]
        assert shipped and all(" yes yes " in line for line in shipped)  # embedded, subset


def test_criteria_that_lost_points_are_summed_per_criterion_most_units_first(computed, leader):
    from decimal import Decimal

    from parindex.reports.data import collect

    so, xa = collect(computed, leader).groups
    assert [(n.code, n.name, n.units, n.lost_average, n.worst) for n in so.not_full] == [
        ("2.1", "Khảo sát", 1, Decimal(1), ["Sở Y tế"]),
        ("1.2", "Báo cáo", 1, Decimal("0.75"), ["Sở Y tế"]),
    ]
    crit_12 = next(n for n in xa.not_full if n.code == "1.2")
    # Xã Khánh Hưng lost 0,25 on 1.2.2; Xã Cam Hải Đông 2,5 on 1.2.1.
    assert crit_12.units == 2 and crit_12.worst == ["Xã Cam Hải Đông", "Xã Khánh Hưng"]
    assert crit_12.max_points == Decimal(4) and crit_12.lost_total == Decimal("2.75")
