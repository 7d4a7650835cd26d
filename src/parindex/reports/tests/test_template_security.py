"""Word templates cannot run code (issue 9 part 1): the upload names the unsafe
expressions, and a template placed on disk behind the upload's back still renders in the
sandbox, so no command runs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from jinja2.exceptions import SecurityError

from parindex.reports.data import collect
from parindex.reports.document import (
    SHIPPED_TEMPLATE,
    build_docx,
    render_template,
    report_context,
)
from parindex.reports.models import ReportTemplate
from parindex.reports.services import export_build, report_template_upload

pytestmark = pytest.mark.django_db

RCE = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _docx(*paragraphs: str, base: Path | None = SHIPPED_TEMPLATE) -> bytes:
    """A .docx built with python-docx: the shipped template plus ``paragraphs``."""
    from docx import Document

    doc = Document(str(base)) if base else Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _refused(data: bytes, admin) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        report_template_upload(file=SimpleUploadedFile("mau.docx", data), actor=admin)
    return " ".join(exc.value.messages)


def test_the_rce_payload_is_refused_at_upload_with_the_expression_named(admin):
    message = _refused(_docx(RCE), admin)
    assert "cycler.__init__.__globals__.os.popen('id').read()" in message
    assert "__init__" in message and "không được gọi hàm" in message
    assert "cycler" in message  # unknown variable
    assert not ReportTemplate.objects.exists()


@pytest.mark.parametrize(
    ("tag", "named"),
    [
        ("{{ nhom.__class__ }}", "nhom.__class__"),
        ("{{ nhom['__class__'] }}", "nhom['__class__']"),
        ("{{ nhom | attr('__class__') }}", "attr"),
        ("{{ gioi_thieu | safe }}", "safe"),
        ("{{ nhom | join(attribute='ten.__class__') }}", "ten.__class__"),
        ("{{ gioi_thieu.upper() }}", "gioi_thieu.upper()"),
        ("{{ lipsum }}", "lipsum"),
        ("{{ config }}", "config"),
        ("{% for g in nhom %}{{ g.ten.__len__ }}{% endfor %}", "g.ten.__len__"),
        ("{% macro m() %}x{% endmacro %}", "Macro"),
        ("{% autoescape false %}{{ nhom }}{% endautoescape %}", "ScopedEvalContextModifier"),
    ],
)
def test_every_unsafe_or_unknown_expression_is_named(admin, tag, named):
    assert named in _refused(_docx(tag), admin)


def test_the_template_page_names_the_expression(client, admin):
    from django.urls import reverse

    client.force_login(admin)
    response = client.post(
        reverse("reports:template"),
        {"file": SimpleUploadedFile("mau.docx", _docx(RCE)), "name": "Mẫu"},
        follow=True,
    )
    assert "cycler.__init__.__globals__.os.popen(&#x27;id&#x27;).read()" in response.text
    assert not ReportTemplate.objects.exists()


def test_expressions_in_headers_and_properties_are_checked_too(admin):
    from docx import Document

    doc = Document(str(SHIPPED_TEMPLATE))
    doc.sections[0].header.add_paragraph("{{ tieu_de_trang.__class__ }}")
    doc.core_properties.title = "{{ so_don_vi.__class__.__mro__ }}"
    buf = io.BytesIO()
    doc.save(buf)
    message = _refused(buf.getvalue(), admin)
    assert "tieu_de_trang.__class__" in message
    assert "so_don_vi.__class__.__mro__" in message


def test_the_documented_tags_still_pass(admin):
    tpl = report_template_upload(
        file=SimpleUploadedFile(
            "mau.docx",
            _docx(
                "{{ gioi_thieu | upper }} {{ so_don_vi | default('0') }}",
                "{% for g in nhom %}{{ loop.index }}. {{ g.ten }}{% endfor %}",
            ),
        ),
        actor=admin,
    )
    assert {"gioi_thieu", "nhom", "so_don_vi"} <= set(tpl.variables)


def test_a_template_on_disk_cannot_run_a_command(computed, leader, tmp_path):
    """Bypassing the upload: the export refuses the template, and even the bare renderer
    raises the sandbox's SecurityError; the marker file is never created."""
    marker = tmp_path / "pwned"
    payload = "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
    path = tmp_path / "mau.docx"
    path.write_bytes(_docx(payload))
    with override_settings(PARINDEX_REPORT_TEMPLATE=str(path)), pytest.raises(ValueError):
        export_build(computed, "docx", leader)
    assert not marker.exists()

    from docxtpl import DocxTemplate

    ctx = report_context(collect(computed, leader, with_leaves=True))
    for g in ctx["nhom"]:
        g.pop("_group")
    # ``cycler`` is not even defined in the sandbox; the documented context is reachable,
    # its dunder attributes are not.
    for tag in (payload, "{{ nhom.__class__.__mro__[1].__subclasses__() }}"):
        tpl = DocxTemplate(io.BytesIO(_docx(tag, base=None)))
        with pytest.raises(SecurityError):
            render_template(tpl, ctx)
    assert not marker.exists()


def test_the_shipped_template_renders_in_the_sandbox(computed, leader):
    data = collect(computed, leader, with_leaves=True)
    assert build_docx(data)[:2] == b"PK"


def test_a_zip_bomb_template_is_refused_before_it_is_inflated(admin):
    from parindex.evidence.tests.test_hostile_uploads import lying_zip

    message = _refused(lying_zip(real=300_000), admin)
    assert "Tệp mẫu bị từ chối" in message and "giải nén ra 300000 byte" in message
