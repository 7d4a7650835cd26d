from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from parindex.evidence import validation
from parindex.evidence.tests import samples
from parindex.evidence.validation import detect, validate_upload


@pytest.mark.parametrize("kind", sorted(samples.SAMPLES))
def test_it_accepts_every_allowed_type_by_content(kind):
    name, build = samples.SAMPLES[kind]
    content = build()
    checked = validate_upload(io.BytesIO(content), name=name)
    assert checked.kind == kind
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_it_accepts_jpeg_extension_and_upper_case():
    assert validate_upload(io.BytesIO(samples.jpeg_bytes()), name="ANH.JPEG").kind == "jpg"


def test_it_detects_zip_members_not_names():
    assert detect(io.BytesIO(samples.docx_bytes())) == "docx"
    assert detect(io.BytesIO(samples.xlsx_bytes())) == "xlsx"
    assert detect(io.BytesIO(samples.doc_bytes())) == "doc"
    assert detect(io.BytesIO(samples.xls_bytes())) == "xls"


def test_it_rejects_an_extension_that_contradicts_the_content():
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(samples.docx_bytes()), name="baocao.pdf")
    assert exc.value.messages == ["Tệp 'baocao.pdf' không phải PDF: nội dung là Word (DOCX)."]


def test_it_rejects_a_text_file_named_pdf():
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(b"<html>khong phai pdf</html>"), name="baocao.pdf")
    assert exc.value.messages[0].startswith(
        "Tệp 'baocao.pdf' không phải PDF: nội dung là loại không được chấp nhận"
    )


def test_it_rejects_an_empty_file():
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(b""), name="rong.pdf")
    assert exc.value.messages == ["Tệp 'rong.pdf' rỗng (0 byte)."]


@override_settings(PARINDEX_MAX_UPLOAD_BYTES=100)
def test_it_rejects_an_oversized_file():
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(samples.pdf_bytes()), name="lon.pdf")
    assert exc.value.code == "too_large"
    assert "quá lớn" in exc.value.messages[0] and "tối đa 0,0 MB" in exc.value.messages[0]


def test_it_rejects_unknown_content_without_extension():
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(b"GIF89a......"), name="anh")
    assert exc.value.messages == [
        "Tệp 'anh' không thuộc loại được chấp nhận (PDF, DOC, DOCX, XLS, XLSX, JPG, PNG)."
    ]


def test_it_rejects_a_refused_extension_even_with_good_content():
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(samples.pdf_bytes()), name="bao-cao.exe")
    assert "đuôi '.exe' không được chấp nhận" in exc.value.messages[0]


def test_it_rejects_a_plain_zip_named_docx():
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(buf.getvalue()), name="ke-hoach.docx")
    assert exc.value.messages[0].startswith(
        "Tệp 'ke-hoach.docx' không phải Word (DOCX): nội dung là tệp nén ZIP"
    )


def test_it_rejects_zip_bombs(monkeypatch):
    monkeypatch.setattr(validation, "ZIP_MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    bomb = samples.zip_bomb_bytes(uncompressed=4 * 1024 * 1024)
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(bomb), name="bom.docx")
    assert exc.value.code == "zip_bomb"
    assert "dung lượng sau giải nén quá lớn" in exc.value.messages[0]


def test_it_rejects_a_broken_zip():
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(b"PK\x03\x04" + b"\x00" * 100), name="hong.xlsx")
    assert exc.value.code == "corrupt"
