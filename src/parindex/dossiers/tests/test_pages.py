"""In the running app: import a one-stop export through the page, read the metrics, drill
down to the dossiers, read the officials report, and watch a unit's rating capped by its
computed late rate (issue 11, "Done when")."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from parindex.dossiers.models import Dossier, DossierImport
from parindex.dossiers.services import dossier_import_file
from parindex.dossiers.tests.samples import export_text, write_export
from parindex.jobs.status import JobStatus
from parindex.results.models import MetricSource, UnitMetric
from parindex.results.services import results_recompute
from parindex.testing import cp1258_bytes
from parindex.web.tests.results_case import build

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@override_settings(TASKS=IMMEDIATE)
def test_the_import_page_runs_the_job_and_shows_its_counts(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("mot-cua.csv", cp1258_bytes(export_text()))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("dossiers:imports"), {"file": upload, "source": "dvcqg"})
    assert r.status_code == 302
    job = DossierImport.objects.get()
    assert job.status == JobStatus.DONE and job.created == 14
    html = client.get(reverse("dossiers:imports")).content.decode()
    assert "14 hồ sơ mới" in html and "<progress" in html
    assert Dossier.objects.get(code="TP-001").field == "Hộ tịch"  # Windows-1258 read


@override_settings(TASKS=IMMEDIATE)
def test_a_rejected_upload_offers_its_row_level_report(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    text = export_text() + "=HYPERLINK(1);1;x;Sở Tư pháp;A;1;10;99/99/2025;;;\n"
    upload = SimpleUploadedFile("loi.csv", text.encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dossiers:imports"), {"file": upload})
    job = DossierImport.objects.get()
    assert job.status == JobStatus.REJECTED and Dossier.objects.count() == 0
    html = client.get(reverse("dossiers:imports")).content.decode()
    assert reverse("dossiers:import_report", args=[job.pk]) in html
    report = b"".join(client.get(reverse("dossiers:import_report", args=[job.pk]))).decode()
    assert "ngày giờ không đọc được" in report and ",16," in report


def test_metrics_drill_down_and_excel_match_the_file(client, world, tmp_path):
    dossier_import_file(path=write_export(tmp_path), actor=None)
    client.force_login(world.admin)
    html = client.get(reverse("dossiers:metrics"), {"period": "2025"}).content.decode()
    row = html[html.index(f'data-key="{world.tuphap.pk}"') :].split("</tr>")[0]
    assert ">10</a>" in row and "10,00" in row  # 10 dossiers, 10 % late
    listing = client.get(reverse("dossiers:list"), {"period": "2025", "unit": world.tuphap.pk,
                                                    "c": "late_all"}).content.decode()  # fmt: skip
    assert "TP-001" in listing and "TP-002" not in listing and "(1 hồ sơ)" in listing
    r = client.get(reverse("dossiers:metrics_xlsx"), {"period": "2025", "by": "procedure"})
    ws = load_workbook(io.BytesIO(r.content)).active
    codes = {ws.cell(row=i, column=1).value for i in range(4, ws.max_row + 1)}
    assert {"2.000815", "1.001", "1.002"} <= codes
    # a quarter is judged on the fly and agrees with the stored year
    q1 = client.get(reverse("api:dossier_metrics"), {"period": "2025-Q1"}).json()
    assert {r["label"]: r["late"] for r in q1}["Sở Tư pháp"] == 1


def test_unit_staff_see_only_their_unit(client, world, tmp_path):
    dossier_import_file(path=write_export(tmp_path), actor=None)
    client.force_login(world.other_staff)  # Sở Y tế
    html = client.get(reverse("dossiers:metrics"), {"period": "2025"}).content.decode()
    assert "Sở Y tế" in html and "Sở Tư pháp" not in html.split("<table")[-1]
    items = client.get(reverse("api:dossier_list")).json()["items"]
    assert {i["unit"] for i in items} == {"so-y-te"}


def test_the_officials_report_flags_officials_at_the_threshold(client, world, tmp_path):
    dossier_import_file(path=write_export(tmp_path), actor=None)
    client.force_login(world.head)  # head of Sở Tư pháp: own staff only
    html = client.get(reverse("dossiers:officials"), {"year": "2025"}).content.decode()
    assert "Ngưỡng năm 2025: <b>5%</b>" in html
    a = html[html.index("Nguyễn Văn A") :].split("</tr>")[0]
    assert "20,00" in a and "Từ ngưỡng 5% trở lên" in a
    b = html[html.index("Trần Thị B") :].split("</tr>")[0]
    assert "Từ ngưỡng" not in b
    assert "Lê C" not in html  # Sở Y tế's official
    client.force_login(world.staff)
    assert client.get(reverse("dossiers:officials")).status_code == 404


def test_the_computed_late_rate_caps_the_rating_with_the_reason_shown(client, db, tmp_path):
    case = build(3, publish_previous=False)
    unit = case.units[0]
    rows = [
        f"X-{i};1.1;Hộ tịch;{unit.code};Cán bộ;2;10;03/03/{case.cycle.year} 08:00;"
        f"10/03/{case.cycle.year} 17:00;{'12' if i == 0 else '05'}/03/{case.cycle.year} 09:00;"
        for i in range(10)
    ]
    assert dossier_import_file(path=write_export(tmp_path, rows), actor=None).created == 10
    client.force_login(case.admin)
    r = client.post(reverse("dossiers:feed", args=[case.cycle.pk]))
    assert r.status_code == 302
    metric = UnitMetric.objects.get(cycle=case.cycle, unit=unit, metric="late_dossier_rate")
    assert metric.value == 10 and metric.source == MetricSource.DOSSIERS
    results_recompute(cycle=case.cycle)
    html = client.get(reverse("results_unit", args=[case.cycle.pk, unit.code])).content.decode()
    assert "Hạ xếp loại: tỷ lệ hồ sơ trễ hạn 10% ≥ 5%" in html
    page = client.get(reverse("results_metrics", args=[case.cycle.pk])).content.decode()
    assert "tính từ hồ sơ" in page and f"unit={unit.pk}" in page
