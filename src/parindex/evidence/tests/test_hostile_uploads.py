"""Hostile evidence uploads (issue 9 part 7): zip bombs whose headers lie, PDFs with
scripts or automatic actions, files that do not parse as their type, polyglots."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError

from parindex.evidence import validation
from parindex.evidence.tests import samples
from parindex.evidence.validation import validate_upload
from parindex.formats.archive import ArchiveRefused, inspect_zip


def _refused(content: bytes, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        validate_upload(io.BytesIO(content), name=name)
    return exc.value


# --------------------------------------------------------------------------- zip bombs


def lying_zip(real: int, declared: int = 1000) -> bytes:
    """A DOCX-looking archive whose word/document.xml inflates to ``real`` bytes while the
    central directory and the local header both say ``declared``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * real)
    data = bytearray(buf.getvalue())
    name = b"word/document.xml"
    local = data.find(b"PK\x03\x04")  # first local header
    while local != -1:
        if data[local + 30 : local + 30 + len(name)] == name:
            struct.pack_into("<L", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        if data[central + 46 : central + 46 + len(name)] == name:
            struct.pack_into("<L", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    patched = bytes(data)
    with zipfile.ZipFile(io.BytesIO(patched)) as z:  # the lie is what zipfile reports
        assert z.getinfo("word/document.xml").file_size == declared
    return patched


def test_a_zip_whose_headers_lie_is_measured_by_what_it_inflates_to(monkeypatch):
    monkeypatch.setattr(validation, "ZIP_MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    bomb = lying_zip(real=8 * 1024 * 1024)
    assert len(bomb) < 50_000
    error = _refused(bomb, "bom.docx")
    assert error.code == "zip_bomb"
    assert "dung lượng sau giải nén quá lớn" in error.messages[0]
    with pytest.raises(ArchiveRefused) as exc:
        inspect_zip(io.BytesIO(bomb), max_uncompressed=2 * 1024 * 1024)
    # stopped just past the cap: it never inflated the whole member
    assert 2 * 1024 * 1024 < exc.value.size < 3 * 1024 * 1024


def test_a_lying_size_under_the_cap_is_refused_too():
    error = _refused(lying_zip(real=300_000), "bom.docx")
    assert error.code == "zip_bomb"
    assert "khai báo 1000 byte nhưng giải nén ra 300000 byte" in error.messages[0]


def test_an_honest_archive_reports_its_real_size():
    report = inspect_zip(io.BytesIO(samples.docx_bytes()))
    assert "word/document.xml" in report.names and report.uncompressed > 500


# --------------------------------------------------------------------------- PDF


def pdf_with(catalog: bytes = b"", page: bytes = b"", extra: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF with extra catalog/page entries and extra objects (6 0 R, …)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " + page + b" >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out += trailer.encode()
    return bytes(out)


@pytest.mark.parametrize(
    ("label", "content", "named"),
    [
        (
            "open action with JavaScript",
            pdf_with(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            "/OpenAction",
        ),
        (
            "document-level JavaScript in the names tree",
            pdf_with(
                catalog=b"/Names << /JavaScript 6 0 R >>",
                extra=(b"<< /Names [(a) << /S /JavaScript /JS (app.alert(1)) >>] >>",),
            ),
            "/JavaScript",
        ),
        (
            "launch action on a link annotation",
            pdf_with(
                page=b"/Annots [6 0 R]",
                extra=(
                    b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] "
                    b"/A << /S /Launch /F (cmd.exe) >> >>",
                ),
            ),
            "/Launch",
        ),
        ("page additional action", pdf_with(page=b"/AA << /O 6 0 R >>", extra=(b"<< >>",)), "/AA"),
        (
            "JavaScript name written with #-escapes",
            pdf_with(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (x) >>"),
            "/OpenAction",
        ),
    ],
)
def test_a_pdf_with_scripts_or_actions_is_refused(label, content, named):
    error = _refused(content, "bao-cao.pdf")
    assert error.code == "active_content", label
    assert named in error.messages[0] and "mã lệnh" in error.messages[0]


def test_a_plain_pdf_is_still_accepted():
    assert validate_upload(io.BytesIO(pdf_with()), name="bao-cao.pdf").kind == "pdf"


def test_a_pdf_that_does_not_parse_is_refused():
    error = _refused(b"%PDF-1.7\n" + b"khong phai pdf " * 50, "bao-cao.pdf")
    assert error.code == "corrupt" and "không đọc được PDF" in error.messages[0]


# --------------------------------------------------------------------------- polyglots


def test_a_pdf_zip_polyglot_is_refused():
    error = _refused(samples.pdf_bytes() + samples.docx_bytes(), "bao-cao.pdf")
    assert error.code == "polyglot" and "đa định dạng" in error.messages[0]


def test_a_jpeg_with_an_appended_zip_is_refused():
    assert _refused(samples.jpeg_bytes() + samples.docx_bytes(), "anh.jpg").code == "polyglot"


def test_a_gif_javascript_polyglot_is_refused():
    gif_js = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.domain)//;"
    assert _refused(gif_js, "anh.png").code == "content"  # not a PNG at all
    error = _refused(b"\x89PNG\r\n\x1a\n/*x*/alert(document.domain)//", "anh.png")
    assert error.code == "corrupt" and "không phải ảnh PNG hợp lệ" in error.messages[0]


def test_an_image_is_opened_with_pillow():
    # JPEG magic bytes followed by junk: the magic alone no longer passes
    assert _refused(b"\xff\xd8\xff\xe0" + b"\x00" * 200, "anh.jpg").code == "corrupt"


def test_office_files_must_load_and_carry_no_macros():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<khong-phai-word/>")
    assert _refused(buf.getvalue(), "ke-hoach.docx").code == "corrupt"

    docm = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(samples.docx_bytes())) as src, zipfile.ZipFile(docm, "w") as z:
        for item in src.infolist():
            z.writestr(item, src.read(item))
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    error = _refused(docm.getvalue(), "ke-hoach.docx")
    assert error.code == "active_content" and "macro" in error.messages[0]


def test_the_framework_excel_reader_refuses_a_lying_archive(tmp_path):
    from parindex.formats.errors import FormatError
    from parindex.formats.framework_excel import read_framework_excel

    path = tmp_path / "bo-tieu-chi.xlsx"
    path.write_bytes(lying_zip(real=300_000))
    with pytest.raises(FormatError) as exc:
        read_framework_excel(path)
    assert "tệp Excel bị từ chối" in str(exc.value) and "giải nén ra 300000 byte" in str(exc.value)
