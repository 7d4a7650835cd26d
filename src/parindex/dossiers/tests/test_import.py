"""Importing a one-stop export into the database: upsert, re-import, all-or-nothing."""

from __future__ import annotations

import pytest

from parindex.audit.models import AuditEvent
from parindex.dossiers.models import Apology, Dossier
from parindex.dossiers.services import dossier_import_file
from parindex.dossiers.tests.samples import ROWS, write_export
from parindex.jobs.status import JobStatus

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_export_is_imported_with_units_classes_and_apologies(world, tmp_path):
    job = dossier_import_file(path=write_export(tmp_path), actor=None)
    assert job.status == JobStatus.DONE, job.message
    assert (job.rows, job.created, job.changed, job.unchanged) == (14, 14, 0, 0)
    late = Dossier.objects.get(code="TP-001")
    assert late.unit == world.tuphap and late.outcome == 3 and late.class_year == 2025
    assert Dossier.objects.get(code="TP-002").unit == world.tuphap  # by unit code
    assert Dossier.objects.filter(unit=world.yte).count() == 4
    apology = Apology.objects.get(dossier=late)
    assert apology.in_time and apology.reset_once


def test_re_importing_the_same_file_changes_nothing(world, tmp_path):
    path = write_export(tmp_path)
    dossier_import_file(path=path, actor=None)
    before = dict(Dossier.objects.values_list("code", "updated_at"))
    again = dossier_import_file(path=path, actor=None)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 14)
    assert dict(Dossier.objects.values_list("code", "updated_at")) == before
    event = AuditEvent.objects.filter(action="dossiers.import").order_by("-pk").first()
    assert event.after["changed"] == 0 and event.after["created"] == 0


def test_a_newer_version_wins_and_an_older_one_does_not(world, tmp_path):
    dossier_import_file(path=write_export(tmp_path), actor=None)
    newer = ROWS[1].replace("05/03/2025 09:00", "11/03/2025 09:00")
    job = dossier_import_file(path=write_export(tmp_path, [newer]), actor=None)
    assert (job.created, job.changed) == (0, 1)
    assert Dossier.objects.get(code="TP-002").outcome == 3  # now finished after its due date
    older = ROWS[1].replace("05/03/2025 09:00", "04/03/2025 09:00")
    job = dossier_import_file(path=write_export(tmp_path, [older]), actor=None)
    assert job.changed == 0 and Dossier.objects.get(code="TP-002").outcome == 3


def test_the_windows_1258_variant_reads_the_same(world, tmp_path):
    job = dossier_import_file(path=write_export(tmp_path, cp1258=True), actor=None)
    assert job.status == JobStatus.DONE, job.message
    assert Dossier.objects.get(code="TP-001").field == "Hộ tịch"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("TP-099;1;x;Sở Tư pháp;A;1;10;32/13/2025 08:00;;;", "ngày giờ không đọc được"),
        ("TP-099;1;x;Sở Tư pháp;A;1;42;03/03/2025 08:00;10/03/2025;;", "mã trạng thái không rõ"),
        (ROWS[0], "mã hồ sơ trùng với dòng 2"),
    ],
)
def test_a_file_with_a_problem_imports_nothing_and_reports_the_row(world, tmp_path, row, reason):
    job = dossier_import_file(path=write_export(tmp_path, [*ROWS, row]), actor=None)
    assert job.status == JobStatus.REJECTED
    assert Dossier.objects.count() == 0
    report = job.error_report.read().decode("utf-8-sig")
    assert reason in report and ";16;" not in report
    assert "16" in report.splitlines()[1]  # the bad row's number (header = 1)


def test_unknown_headers_and_an_empty_file_are_refused(world, tmp_path):
    bad = tmp_path / "la.csv"
    bad.write_text("Mã hồ sơ;Cột lạ;Trạng thái;Ngày tiếp nhận\nA;x;2;03/03/2025\n")
    job = dossier_import_file(path=bad, actor=None)
    assert job.status == JobStatus.REJECTED and "Cột lạ" in job.message
    empty = tmp_path / "rong.csv"
    empty.write_bytes(b"")
    job = dossier_import_file(path=empty, actor=None)
    assert job.status == JobStatus.REJECTED and "tệp rỗng" in job.message


def test_a_file_over_the_size_cap_is_refused_with_the_setting_named(world, tmp_path, settings):
    settings.PARINDEX_DOSSIER_MAX_BYTES = 100
    job = dossier_import_file(path=write_export(tmp_path), actor=None)
    assert job.status == JobStatus.REJECTED
    assert "PARINDEX_DOSSIER_MAX_BYTES" in job.message and Dossier.objects.count() == 0


def test_dates_out_of_order_are_flagged_in_the_report_and_kept(world, tmp_path):
    row = "TP-050;1;x;Sở Tư pháp;A;1;9;10/03/2025 08:00;20/03/2025;05/03/2025 08:00;"
    job = dossier_import_file(path=write_export(tmp_path, [row]), actor=None)
    assert job.status == JobStatus.DONE and job.warnings >= 1
    assert Dossier.objects.filter(code="TP-050").exists()
    assert "cảnh báo" in job.error_report.read().decode("utf-8-sig")


def test_a_dossier_open_across_the_year_end_counts_in_both_years(world, tmp_path):
    from parindex.dossiers.selectors import drill_down, metrics_rows
    from parindex.engine.dossiers import Period

    row = "TP-077;1;x;Sở Tư pháp;A;1;9;20/12/2025 08:00;24/12/2025 17:00;10/01/2026 08:00;"
    dossier_import_file(path=write_export(tmp_path, [row]), actor=None)
    stored = Dossier.objects.get(code="TP-077")
    assert (stored.class_year, stored.outcome, stored.carry_year) == (2026, 3, 2025)
    y2025 = metrics_rows(None, Period.year(2025), "unit")[0]
    y2026 = metrics_rows(None, Period.year(2026), "unit")[0]
    assert (y2025["open_over"], y2025["late"], y2026["late"]) == (1, 0, 1)
    assert drill_down(world.admin, Period.year(2025), classes="open_over") == [stored.pk]
    # the month view judges on the fly and agrees
    dec = metrics_rows(None, Period.month(2025, 12), "unit")[0]
    assert dec["open_over"] == 1


def test_the_demo_export_imports_with_late_dossiers_and_apologies(world):
    from parindex.dossiers.demo import seed_dossiers

    rows = seed_dossiers(unit_codes=[world.tuphap.code, world.yte.code], year=2025)
    assert rows == 240 and Dossier.objects.count() == 240
    late = Dossier.objects.filter(outcome__in=(3, 5))
    assert late.exists() and Dossier.objects.filter(end_at__isnull=True).exists()  # still open
    kinds = {(a.in_time, a.reset_once) for a in Apology.objects.filter(dossier__in=late)}
    assert (True, True) in kinds and (False, True) in kinds  # valid and invalid apologies
    assert seed_dossiers(unit_codes=[world.tuphap.code], year=2025) == 0  # idempotent
