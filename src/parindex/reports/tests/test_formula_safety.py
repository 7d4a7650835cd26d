"""Exports cannot carry formulas (issue 9 part 3): unit, group and criterion names and the
appraisers' reasons that look like formulas stay text in every CSV and XLSX export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.test import Client

from parindex.api.services import token_create
from parindex.assessments.models import LeafScore
from parindex.formats.cells import safe_cell, unquote_cell
from parindex.frameworks.models import Criterion
from parindex.reports.services import export_build
from parindex.reports.tests.conftest import need, soffice_to_pdf
from parindex.results.models import ResultSet
from parindex.results.services.publish import ranking_csv
from parindex.units.models import Unit, UnitGroup

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "so-tu-phap": '=HYPERLINK("http://x","y")',
    "so-y-te": "=cmd|' /C calc'!A0",
    "phuong-tan-thanh": "@SUM(1+1)",
    "xa-khanh-hung": "+1+1",
    "xa-cam-hai": "-1+1",
}
GROUP_PAYLOADS = {"so-ban-nganh": "=1+2", "xa-phuong": "\t=3+4"}
CRITERION_PAYLOAD = "=2+2"
REASON_PAYLOAD = '=HYPERLINK("http://evil","bấm")'
ALL = {*PAYLOADS.values(), *GROUP_PAYLOADS.values(), CRITERION_PAYLOAD, REASON_PAYLOAD}


@pytest.fixture
def hostile(computed):  # type: ignore[no-untyped-def]
    for code, name in PAYLOADS.items():
        Unit.objects.filter(code=code).update(name=name)
    for code, name in GROUP_PAYLOADS.items():
        UnitGroup.objects.filter(code=code).update(name=name)
    Criterion.objects.filter(code="1.1").update(name=CRITERION_PAYLOAD)
    LeafScore.objects.filter(assessment__cycle=computed, criterion__code="2.1").update(
        round1_reason=REASON_PAYLOAD
    )
    return computed


def _csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def _assert_safe_csv(text: str, text_columns: set[str], numeric: set[str]) -> None:
    rows = _csv_cells(text)
    head, body = rows[0], rows[1:]
    seen: set[str] = set()
    for row in body:
        for col, cell in zip(head, row, strict=True):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or col in numeric, (
                col,
                cell,
            )
            if col in text_columns and unquote_cell(cell) in ALL:
                assert cell.startswith("'"), (col, cell)
                seen.add(unquote_cell(cell))
            if col in numeric:
                assert not cell.startswith("'"), (col, cell)  # numbers stay numbers
    assert set(PAYLOADS.values()) <= seen


def test_the_helper_quotes_text_only():
    for payload in [*ALL, "=1", "+1", "-x", "@x", "\tx", "\rx"]:
        assert safe_cell(payload) == "'" + payload and unquote_cell(safe_cell(payload)) == payload
    assert safe_cell("Sở Tư pháp") == "Sở Tư pháp" and safe_cell(-1.5) == -1.5
    assert unquote_cell("'tên") == "'tên"  # an apostrophe that is not ours stays


def test_the_results_csv_and_the_api_csv_quote_formula_text(hostile, leader):
    numeric = {"points", "max_points", "index", "rank", "index_change", "rank_change"}
    text = export_build(hostile, "csv", leader).decode("utf-8")
    _assert_safe_csv(text, {"unit_name", "rating_reasons"}, numeric | {"area_1_points"})
    # a negative change in a numeric column keeps its minus sign, unquoted
    changes = [r[_csv_cells(text)[0].index("index_change")] for r in _csv_cells(text)[1:]]
    assert any(c.startswith("-") for c in changes)

    _, key = token_create(user=leader, name="t", actor=leader)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.get(f"/api/cycles/{hostile.pk}/results.csv")
    assert response.status_code == 200
    _assert_safe_csv(response.content.decode("utf-8"), {"unit_name"}, numeric)


def test_the_public_ranking_csv_quotes_formula_text(hostile):
    rs = ResultSet.objects.filter(cycle=hostile).first()
    text = ranking_csv(rs)
    _assert_safe_csv(
        text, {"don_vi", "nhom"}, {"xep_hang", "chi_so", "thay_doi_chi_so", "thay_doi_thu_hang"}
    )
    groups = {unquote_cell(r[0]) for r in _csv_cells(text)[1:]}
    assert groups == set(GROUP_PAYLOADS.values())
    assert all(r[0].startswith("'") for r in _csv_cells(text)[1:])


def _xlsx(hostile, leader, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "ket-qua.xlsx"
    path.write_bytes(export_build(hostile, "xlsx", leader))
    return path


def test_the_excel_report_has_no_formula_cell(hostile, leader, tmp_path):
    wb = openpyxl.load_workbook(_xlsx(hostile, leader, tmp_path))
    found: set[str] = set()
    for ws in wb.worksheets:
        merged = {str(r) for r in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    # XML keeps a CR escaped as _x000D_
                    value = cell.value.replace("_x000D_", "\r")
                    found.update(p for p in ALL if p in value)
        if ws.title == "Xếp hạng":
            # the group rows are merged cells (merge_range), written as text
            assert any(":" in m for m in merged)
    assert found >= ALL  # every payload reached the workbook, as text


def test_libreoffice_does_not_evaluate_the_excel_report(hostile, leader, tmp_path):
    need("soffice")
    out = soffice_to_pdf(
        _xlsx(hostile, leader, tmp_path), tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76"
    )
    cells = [c for row in _csv_cells(out.read_text(encoding="utf-8")) for c in row]
    units = [c for c in cells if c in PAYLOADS.values()]
    # shown as written, not as the formula's value ("y", 2, #NAME?, Err:…)
    assert sorted(units) == sorted(PAYLOADS.values()), cells
    assert not {"y", "#NAME?", "#VALUE!"} & set(cells)
    assert not any(c.startswith("Err:") for c in cells)
