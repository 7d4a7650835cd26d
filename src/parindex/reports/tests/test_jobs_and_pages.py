"""Export jobs through the task (progress, failure), the replaceable Word template, the
pages and their permissions per persona (admin, council, leader; outsiders 404)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings
from django.urls import reverse

from parindex.cycles.models import Cycle
from parindex.jobs.status import JobStatus
from parindex.reports.document import SHIPPED_TEMPLATE, template_path
from parindex.reports.models import ExportJob, ReportTemplate
from parindex.reports.services import (
    export_build,
    export_request,
    report_template_reset,
    report_template_upload,
)
from parindex.testing import PASSWORD

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


# --------------------------------------------------------------------------- jobs


@override_settings(TASKS=IMMEDIATE)
def test_an_export_job_runs_through_the_task_and_ends_done_at_100(
    computed, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(cycle=computed, kind="xlsx", actor=leader)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100
    assert job.started_at and job.finished_at and job.size > 0
    assert job.file.name.startswith(f"exports/{computed.pk}/")
    assert Path(job.file.path).read_bytes()[:2] == b"PK"
    assert "Hoàn thành" in job.message


@override_settings(TASKS=IMMEDIATE)
def test_progress_is_reported_while_the_file_is_built(computed, admin, monkeypatch):
    from parindex.reports import services

    seen: list[int] = []
    real = services.ExportJob.objects.filter

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        qs = real(*args, **kwargs)
        if kwargs.get("status") == JobStatus.RUNNING:
            orig = qs.update

            def update(**fields):  # type: ignore[no-untyped-def]
                seen.append(fields["progress"])
                return orig(**fields)

            qs.update = update  # type: ignore[method-assign]
        return qs

    job = ExportJob.objects.create(cycle=computed, kind="docx", requested_by=admin)
    monkeypatch.setattr(services.ExportJob.objects, "filter", spy)
    services.export_run(job.pk)
    assert len(seen) >= 4 and seen == sorted(seen) and 0 < seen[0] < seen[-1] < 100
    job.refresh_from_db()
    assert job.progress == 100 and job.status == JobStatus.DONE


@override_settings(TASKS=IMMEDIATE)
def test_a_failing_export_is_recorded_with_its_message(
    computed, admin, monkeypatch, django_capture_on_commit_callbacks
):
    import parindex.reports.xlsx as xlsx

    def broken(data, progress=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("đĩa đầy")

    monkeypatch.setattr(xlsx, "build_xlsx", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(cycle=computed, kind="xlsx", actor=admin)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "đĩa đầy" in job.message
    assert not job.file and job.finished_at


def test_only_admin_council_and_leader_may_request_exports(computed, appraiser, outsider):
    for user in (appraiser, outsider):
        with pytest.raises(Http404):
            export_request(cycle=computed, kind="pdf", actor=user)
    assert not ExportJob.objects.exists()


def test_an_unknown_kind_or_a_cycle_without_results_is_refused(computed, admin):
    with pytest.raises(ValidationError, match="không được hỗ trợ"):
        export_request(cycle=computed, kind="odt", actor=admin)
    empty = Cycle.objects.create(year=2026, name="Kỳ 2026")
    with pytest.raises(ValidationError, match="chưa có kết quả"):
        export_request(cycle=empty, kind="xlsx", actor=admin)


def test_the_public_build_only_serves_a_published_cycle(computed):
    with pytest.raises(Http404):
        export_build(computed, "csv")
    Cycle.objects.filter(pk=computed.pk).update(status="published")
    computed.refresh_from_db()
    assert "Sở Tư pháp" in export_build(computed, "csv").decode()
    assert export_build(computed, "pdf")[:5] == b"%PDF-"
    from openpyxl import load_workbook

    detail = load_workbook(io.BytesIO(export_build(computed, "xlsx")))["Chi tiết"]
    texts = " ".join(str(c.value) for row in detail.iter_rows() for c in row if c.value)
    assert "Sở Y tế" in texts and "Báo cáo quý IV" not in texts  # no internal notes


# --------------------------------------------------------------------------- template


def _template_with(marker: str) -> bytes:
    from docx import Document

    doc = Document(str(SHIPPED_TEMPLATE))
    doc.paragraphs[0].insert_paragraph_before(marker)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_an_uploaded_template_replaces_the_shipped_one(computed, admin, leader):
    marker = "MẪU RIÊNG CỦA TỈNH — năm {{ nam_danh_gia }}"
    upload = SimpleUploadedFile("mau-khanh-hoa.docx", _template_with(marker))
    tpl = report_template_upload(file=upload, actor=admin)
    assert template_path() == Path(tpl.file.path)
    assert "nhom" in tpl.variables
    text = _docx_text(export_build(computed, "docx", leader))
    assert "MẪU RIÊNG CỦA TỈNH — năm 2025" in text and "Sở Tư pháp" in text
    report_template_reset(actor=admin)
    assert template_path() == SHIPPED_TEMPLATE
    assert "MẪU RIÊNG" not in _docx_text(export_build(computed, "docx", leader))


def test_the_template_setting_is_used_when_nothing_was_uploaded(computed, leader, tmp_path):
    path = tmp_path / "mau.docx"
    path.write_bytes(_template_with("Mẫu cấu hình {{ ky_danh_gia }}"))
    with override_settings(PARINDEX_REPORT_TEMPLATE=str(path)):
        assert "Mẫu cấu hình Kỳ 2025" in _docx_text(export_build(computed, "docx", leader))


def test_a_bad_template_is_refused_with_a_reason(admin):
    def refused(name: str, data: bytes) -> str:
        with pytest.raises(ValidationError) as exc:
            report_template_upload(file=SimpleUploadedFile(name, data), actor=admin)
        return " ".join(exc.value.messages)

    assert "không phải là tài liệu Word" in refused("mau.docx", b"not a zip file")
    assert "phải là tệp Word .docx" in refused("mau.pdf", b"%PDF-1.7")
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    assert "nam_danh_gia" in refused("trong.docx", buf.getvalue())
    assert "sai cú pháp" in refused("hong.docx", _template_with("{{ nhom "))
    assert not ReportTemplate.objects.exists()


def test_only_the_admin_may_replace_the_template(leader, council):
    for user in (leader, council):
        with pytest.raises(Http404):
            report_template_upload(
                file=SimpleUploadedFile("m.docx", _template_with("x")), actor=user
            )


# --------------------------------------------------------------------------- pages


def _login(client, user):  # type: ignore[no-untyped-def]
    # Through the login page: django-axes' backend needs the request.
    response = client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_anonymous_visitors_are_sent_to_the_login_page(client, computed):
    job = ExportJob.objects.create(cycle=computed, kind="csv")
    for url in (
        reverse("reports:exports", args=[computed.pk]),
        reverse("reports:jobs", args=[computed.pk]),
        reverse("reports:download", args=[job.pk]),
        reverse("reports:template"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url


def test_outsiders_get_404_everywhere(client, computed, outsider, appraiser):
    job = ExportJob.objects.create(cycle=computed, kind="csv")
    for user in (outsider, appraiser):
        _login(client, user)
        for url in (
            reverse("reports:exports", args=[computed.pk]),
            reverse("reports:jobs", args=[computed.pk]),
            reverse("reports:download", args=[job.pk]),
            reverse("reports:template"),
        ):
            assert client.get(url).status_code == 404, (user.username, url)
        response = client.post(reverse("reports:exports", args=[computed.pk]), {"kind": "csv"})
        assert response.status_code == 404
    assert ExportJob.objects.count() == 1


@override_settings(TASKS=DUMMY)
def test_the_page_lists_jobs_and_polls_while_one_is_running(client, computed, council):
    _login(client, council)
    url = reverse("reports:exports", args=[computed.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Xuất báo cáo kết quả" in body and 'value="xlsx"' in body
    assert 'hx-trigger="every 2s"' not in body  # nothing running: no polling
    response = client.post(url, {"kind": "pdf"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "Đang chờ" in fragment
    job = ExportJob.objects.get()
    assert job.kind == "pdf" and job.requested_by == council
    ExportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    rows = client.get(reverse("reports:jobs", args=[computed.pk])).content.decode()
    assert 'value="40"' in rows and 'hx-trigger="every 2s"' in rows
    ExportJob.objects.filter(pk=job.pk).update(status="done", progress=100)
    rows = client.get(reverse("reports:jobs", args=[computed.pk])).content.decode()
    assert 'hx-trigger="every 2s"' not in rows


@override_settings(TASKS=IMMEDIATE)
def test_a_finished_file_downloads_for_the_leader(
    client, computed, leader, django_capture_on_commit_callbacks
):
    _login(client, leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:exports", args=[computed.pk]), {"kind": "csv"})
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE
    response = client.get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 200
    assert 'filename="ket-qua-2025.csv"' in response["Content-Disposition"]
    assert "Sở Tư pháp" in b"".join(response.streaming_content).decode()
    page = client.get(reverse("reports:exports", args=[computed.pk])).content.decode()
    assert reverse("reports:download", args=[job.pk]) in page


def test_a_job_not_finished_cannot_be_downloaded(client, computed, leader):
    job = ExportJob.objects.create(cycle=computed, kind="csv", status="running")
    _login(client, leader)
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404


def test_the_admin_uploads_a_template_on_the_page(client, computed, admin):
    _login(client, admin)
    url = reverse("reports:template")
    assert client.get(url).status_code == 200
    good = SimpleUploadedFile("mau.docx", _template_with("Mẫu {{ nam_danh_gia }}"))
    response = client.post(url, {"name": "Mẫu Khánh Hòa", "file": good})
    assert response.status_code == 302
    assert ReportTemplate.objects.get().name == "Mẫu Khánh Hòa"
    bad = SimpleUploadedFile("mau.docx", b"rac")
    page = client.post(url, {"file": bad}).content.decode()
    assert "không phải là tài liệu Word" in page
    download = client.get(reverse("reports:template_download"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
