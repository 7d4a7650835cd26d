"""Hostile uploads through the API (issue 9 part 7): the same content checks as the web
form and the service — a 400 with the Vietnamese reason, nothing stored."""

from __future__ import annotations

import pytest

from parindex.api.tests.test_bad_input import assert_error, assert_no_document_stored, upload
from parindex.evidence.tests import samples
from parindex.evidence.tests.test_hostile_uploads import lying_zip, pdf_with


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "ke-hoach.pdf",
            pdf_with(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            ("mã lệnh", "/OpenAction"),
        ),
        ("ke-hoach.pdf", samples.pdf_bytes() + samples.docx_bytes(), ("đa định dạng",)),
        ("anh.jpg", samples.jpeg_bytes() + samples.docx_bytes(), ("đa định dạng",)),
        ("bom.docx", lying_zip(real=300_000), ("giải nén ra 300000 byte",)),
    ],
)
def test_a_hostile_upload_is_a_400_and_nothing_is_stored(w, settings, name, content, words):
    assert_error(upload(w, name, content), 400, name, *words)
    assert_no_document_stored(settings)
