"""Issue 8, part 4: ratings explain themselves. Every downgrade is a short reason with a
decimal comma on the public page, the unit page and the PDF and Word reports, with the
legal source cited once; the province is named; provisional reports say "TẠM TÍNH" on
every page; provisional rank changes are not celebrated while units lack points."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from parindex.assessments.models import LeafScore
from parindex.reports.data import collect
from parindex.reports.document import (
    SHIPPED_TEMPLATE,
    build_docx,
    report_context,
    report_html,
    template_variables,
)
from parindex.reports.services import export_build
from parindex.reports.tests.conftest import pdf_text
from parindex.results.explain import downgrade_line, notes, vi_number
from parindex.results.models import UnitMetric
from parindex.results.services import cycle_publish, results_recompute
from parindex.web.tests.results_case import CONDITION_REASON, build

LINE = "Hạ xếp loại: tỷ lệ hồ sơ trễ hạn 6,5% ≥ 5%"
DEFAULT_CONDITIONS = [
    {"metric": "late_dossier_rate", "op": ">=", "value": "5", "cap": "Khá", "reason": "Nguồn A"},
    {"metric": "satisfaction_index", "op": "<=", "value": "80", "cap": "Khá", "reason": "B"},
]


@pytest.fixture
def c(db):
    """The results case with a downgrade in the published 2024 cycle: unit 3 scores 100 %
    (Xuất sắc by its index) but has 6.5 % late dossiers → at most Khá."""
    case = build(5, publish_previous=False)
    UnitMetric.objects.create(
        cycle=case.old, unit=case.units[3], metric="late_dossier_rate", value=Decimal("6.5")
    )
    results_recompute(cycle=case.old)
    cycle_publish(cycle=case.old, actor=case.admin)
    return case


def test_the_short_reason_has_a_decimal_comma_and_the_threshold():
    applied = {"metric": "late_dossier_rate", "value": "6.5", "cap": "Khá", "reason": "x"}
    assert downgrade_line(applied, DEFAULT_CONDITIONS) == LINE
    other = {"metric": "satisfaction_index", "value": "78.25", "cap": "Khá"}
    assert downgrade_line(other, DEFAULT_CONDITIONS) == (
        "Hạ xếp loại: chỉ số hài lòng 78,25% ≤ 80%"
    )
    # the configuration changed since: still a reason, with the cap
    assert downgrade_line(applied, []) == "Hạ xếp loại: tỷ lệ hồ sơ trễ hạn 6,5% (tối đa Khá)"
    assert (vi_number("5.000"), vi_number("12.50"), vi_number("100")) == ("5", "12,5", "100")
    # each condition's legal source once, however many units it downgraded
    cited = notes([[applied], [applied], [], None], DEFAULT_CONDITIONS)
    assert [(n.rule, n.source) for n in cited] == [("tỷ lệ hồ sơ trễ hạn ≥ 5%", "Nguồn A")]


@override_settings(PARINDEX_PROVINCE_NAME="Khánh Hòa")
def test_the_public_page_explains_each_downgrade_and_cites_the_source_once(client, c):
    r = client.get(reverse("public:cycle", args=[c.old.pk]))
    html = r.content.decode()
    assert html.count(LINE) == 1
    row = html[html.index(c.units[3].name) :].split("</tr>")[0]
    assert "Khá" in row and LINE in row
    assert html.count(CONDITION_REASON) == 1  # the note, not every row
    assert 'id="condition-notes"' in html and "Căn cứ hạ xếp loại" in html
    assert "Tỉnh Khánh Hòa" in html


def test_the_unit_page_explains_the_downgrade(client, c):
    client.force_login(c.admin)
    html = client.get(reverse("results_unit", args=[c.old.pk, c.units[3].code])).content.decode()
    assert LINE in html
    assert html.count(CONDITION_REASON) == 1
    # a unit without a downgrade: no reason, no note
    html = client.get(reverse("results_unit", args=[c.old.pk, c.units[1].code])).content.decode()
    assert "Hạ xếp loại" not in html and "Căn cứ hạ xếp loại" not in html


def test_the_pdf_and_word_reports_explain_the_downgrade(c, tmp_path):
    data = collect(c.old, c.admin, with_leaves=False)
    html = report_html(data)
    assert f"{c.units[3].name}: {LINE}." in html
    assert html.count(CONDITION_REASON) == 1
    assert "@top-center" not in html  # final: no "TẠM TÍNH" header
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(export_build(c.old, "pdf", c.admin))
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    assert LINE in text and "Căn cứ hạ xếp loại" in text
    assert "TẠM TÍNH" not in text
    docx = build_docx(data)
    body = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert LINE in body and "Căn cứ hạ xếp loại" in body


def _headers(docx: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(docx))
    return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))


def test_provisional_reports_say_tam_tinh_on_every_page(c, tmp_path):
    assert not collect(c.cycle, c.admin, with_leaves=False).is_final
    # PDF: the @page header repeats on every page
    pdf = tmp_path / "tam-tinh.pdf"
    pdf.write_bytes(export_build(c.cycle, "pdf", c.admin))
    pages = pdf_text(pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    assert pages and all("TẠM TÍNH" in p for p in pages)
    # Word: the header comes from the context (tieu_de_trang), so a custom template can too
    assert "tieu_de_trang" in template_variables(str(SHIPPED_TEMPLATE))
    assert "TẠM TÍNH" in _headers(export_build(c.cycle, "docx", c.admin))
    assert "TẠM TÍNH" not in _headers(export_build(c.old, "docx", c.admin))
    # Excel: page header of every sheet and the title cell
    wb = load_workbook(io.BytesIO(export_build(c.cycle, "xlsx", c.admin)))
    for ws in wb.worksheets:
        assert "TẠM TÍNH" in ws.oddHeader.center.text
    assert "TẠM TÍNH" in str(wb["Xếp hạng"]["A1"].value)
    final = load_workbook(io.BytesIO(export_build(c.old, "xlsx", c.admin)))
    assert "TẠM TÍNH" not in str(final["Xếp hạng"]["A1"].value)


def test_provisional_rank_changes_are_not_celebrated_while_units_lack_points(client, c):
    """2025 is provisional and compared with 2024. While every unit has its points the
    change is shown, marked provisional; once a unit of the group lacks points, no unit of
    the group shows a rank change ("tăng N bậc")."""
    client.force_login(c.admin)
    url = reverse("results_overview", args=[c.cycle.pk])
    rs = results_recompute(cycle=c.cycle)
    assert not rs.is_final and rs.units.exclude(rank_change=None).exclude(rank_change=0).exists()
    html = client.get(url).content.decode()
    assert "Hạng (tạm tính)" in html
    assert re.search(r"(tăng|giảm) \d+ bậc", html)
    LeafScore.objects.filter(
        assessment__cycle=c.cycle, assessment__unit=c.units[4], criterion__code="1.1"
    ).update(self_points=None, round1_points=None)
    rs = results_recompute(cycle=c.cycle)
    assert rs.units.get(unit=c.units[4]).missing_leaves == ["1.1"]
    moved = rs.units.exclude(rank_change=None).exclude(rank_change=0).first()
    assert moved is not None  # the stored change stays; the pages do not celebrate it
    html = client.get(url).content.decode()
    assert not re.search(r"(tăng|giảm) \d+ bậc", html)
    assert "Chưa so sánh thứ hạng với năm trước" in html
    unit_page = client.get(reverse("results_unit", args=[c.cycle.pk, moved.unit.code]))
    assert not re.search(r"(tăng|giảm) \d+ bậc", unit_page.content.decode())
    assert "Chưa so sánh thứ hạng" in unit_page.content.decode()
    # the provisional reports follow the same rule (the Excel column, the Word/PDF rows)
    data = collect(c.cycle, c.admin, with_leaves=False)
    assert all(r.rank_change is None for r in data.rows)
    assert not any(re.search(r"\d+ bậc", r.rank_change_text) for r in data.rows)
    rows = [r for g in report_context(data)["nhom"] for r in g["don_vi"]]
    assert rows and not any("bậc" in r["thay_doi"] for r in rows)
    # the final 2024 set shows its changes whatever (nothing to compare there: no 2023)
    html = client.get(reverse("results_overview", args=[c.old.pk])).content.decode()
    assert "Hạng (tạm tính)" not in html
