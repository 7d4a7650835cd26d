"""Every download — evidence (web and API), exports (web and API), the Word template, the
results CSV (API and public page), CSV templates, framework files — is private, uncached,
unsniffed and safely named (issue 9 part 7)."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from parindex.api.services import token_create
from parindex.downloads import content_disposition, safe_filename
from parindex.evidence.services import document_upload
from parindex.evidence.tests.samples import sample_upload
from parindex.jobs.status import JobStatus
from parindex.reports.models import ExportJob
from parindex.web.tests.results_case import build

pytestmark = pytest.mark.django_db

HOSTILE = 'Kế hoạch "mới"\r\nSet-Cookie: x=1;/..\\..\\báo cáo.pdf'


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def assert_private_download(response, ascii_name: str | None = None) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    m = re.fullmatch(
        r"(attachment|inline); filename=\"([A-Za-z0-9._()+\- ]+)\"; filename\*=UTF-8''([^\s\"';]+)",
        disposition,
    )
    assert m, disposition
    if ascii_name is not None:
        assert m.group(2) == ascii_name
    return disposition


def test_a_hostile_name_is_cleaned_and_sent_both_ways():
    name = safe_filename(HOSTILE)
    assert name == "báo cáo.pdf"  # the path is gone: only the last part is a name
    assert safe_filename('a"b\r\nc;d.pdf') == "a_b_c_d.pdf"
    assert safe_filename("../../") == "tep"
    assert content_disposition("Kế hoạch đúng hạn.pdf") == (
        'attachment; filename="Ke hoach dung han.pdf"; '
        "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20%C4%91%C3%BAng%20h%E1%BA%A1n.pdf"
    )
    assert len(safe_filename("x" * 400 + ".pdf")) == 150


@pytest.fixture
def case():  # type: ignore[no-untyped-def]
    return build(3)


def _api(user) -> Client:  # type: ignore[no-untyped-def]
    _, key = token_create(user=user, name="t", actor=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_evidence_downloads_on_the_web_and_the_api(case, client):
    doc = document_upload(
        unit=case.a, file=sample_upload("pdf", HOSTILE), title="KH", actor=case.staff
    )
    client.force_login(case.staff)
    web = client.get(reverse("evidence:download", args=[doc.pk]))
    assert_private_download(web, "bao cao.pdf")
    assert web["Content-Disposition"].startswith("inline")
    assert "sandbox" in web["Content-Security-Policy"]
    api = _api(case.staff).get(f"/api/documents/{doc.pk}/download")
    assert_private_download(api, "bao cao.pdf")
    assert api["Content-Disposition"].startswith("attachment")


def test_export_downloads_on_the_web_and_the_api(case, client):
    job = ExportJob.objects.create(cycle=case.cycle, kind="csv", requested_by=case.leader)
    job.file.save("ket-qua.csv", ContentFile(b"unit,points\n"), save=False)
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, file=job.file.name)
    client.force_login(case.leader)
    assert_private_download(
        client.get(reverse("reports:download", args=[job.pk])), "ket-qua-2025.csv"
    )
    api = _api(case.leader).get(f"/api/exports/{job.pk}/file")
    assert_private_download(api, "ket-qua-2025.csv")
    assert api["Content-Type"].startswith("text/csv")


def test_results_csv_downloads(case, client):
    api = _api(case.leader).get(f"/api/cycles/{case.cycle.pk}/results.csv")
    assert_private_download(api, "ket-qua-2025.csv")
    public = Client().get(reverse("public:csv", args=[case.old.pk]))
    assert_private_download(public, f"ket-qua-2024-{case.old.pk}.csv")


def test_admin_downloads_templates_and_frameworks(case, client):
    client.force_login(case.admin)
    assert_private_download(client.get(reverse("reports:template_download")))
    assert_private_download(client.get(reverse("unit_template")), "don-vi.csv")
    fw = client.get(reverse("framework_download", args=[case.fw.code, "yaml"]))
    assert_private_download(fw, f"{case.fw.code}.yaml")
