from __future__ import annotations

import pytest
from django.urls import reverse

from parindex.evidence.services import document_reference_create, document_upload
from parindex.evidence.tests.samples import pdf_bytes, sample_upload
from parindex.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf(world):
    return document_upload(
        unit=world.tuphap, file=sample_upload("pdf", "Kế hoạch.pdf"), title="KH", actor=world.staff
    )


def _get(client, user, doc):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("evidence:download", args=[doc.pk]))


def test_unit_staff_download_their_units_pdf_inline(client, world, pdf):
    response = _get(client, world.staff, pdf)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_office_files_are_downloaded_as_attachments(client, world):
    doc = document_upload(
        unit=world.tuphap, file=sample_upload("xlsx"), title="Số liệu", actor=world.staff
    )
    response = _get(client, world.head, doc)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "spreadsheetml" in response["Content-Type"]


def test_other_units_get_404(client, world, pdf):
    assert _get(client, world.other_staff, pdf).status_code == 404


@pytest.mark.parametrize("role", ["admin", "council", "leader"])
def test_province_roles_may_download(client, world, pdf, role):
    assert _get(client, getattr(world, role), pdf).status_code == 200


def test_an_assigned_appraiser_may_download(client, world, pdf):
    assert _get(client, world.appraiser, pdf).status_code == 200


def test_a_user_without_unit_or_role_gets_404(client, world, pdf):
    assert _get(client, make_user("lac-loi", "unit_staff"), pdf).status_code == 404


def test_anonymous_users_are_sent_to_login(client, world, pdf):
    response = _get(client, None, pdf)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_reference_without_file_is_404(client, world):
    import datetime as dt

    ref = document_reference_create(
        unit=world.tuphap,
        title="",
        number="1/QĐ",
        issued_on=dt.date(2025, 1, 2),
        issuer="UBND tỉnh",
        summary="",
        page_ref="",
        actor=world.staff,
    )
    assert _get(client, world.staff, ref).status_code == 404


def test_the_upload_form_gives_the_validation_message(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parindex.evidence.forms import ReferenceForm, UploadForm

    form = UploadForm(
        data={"title": "x"},
        files={"file": SimpleUploadedFile("baocao.pdf", b"\xff\xd8\xff\xe0 jpeg")},
    )
    assert not form.is_valid()
    assert form.errors["file"] == ["Tệp 'baocao.pdf' không phải PDF: nội dung là ảnh JPEG."]
    form = UploadForm(data={}, files={"file": SimpleUploadedFile("rong.pdf", b"")})
    assert form.errors["file"] == ["Tệp 'rong.pdf' rỗng (0 byte)."]
    form = UploadForm(data={"title": "KH"}, files={"file": sample_upload("pdf")})
    assert form.is_valid(), form.errors
    assert form.checked.kind == "pdf"
    ref = ReferenceForm(data={})
    assert ref.errors["number"] == ["Nhập số/ký hiệu văn bản."]
    assert ref.errors["issuer"] == ["Nhập cơ quan ban hành."]
