"""Evidence file checks by content, not by name. Pure: a binary file object in, a
:class:`CheckedFile` out, or a :class:`django.core.exceptions.ValidationError` with a
Vietnamese message. The same function serves the upload form, the API and the service."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from parindex.evidence.content import verify_content
from parindex.formats.archive import ArchiveRefused, inspect_zip


@dataclass(frozen=True)
class FileType:
    kind: str
    label: str
    content_type: str
    extensions: tuple[str, ...]

    @property
    def extension(self) -> str:
        return self.extensions[0]


TYPES: dict[str, FileType] = {
    t.kind: t
    for t in (
        FileType("pdf", "PDF", "application/pdf", ("pdf",)),
        FileType("doc", "Word (DOC)", "application/msword", ("doc",)),
        FileType(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
        FileType("xls", "Excel (XLS)", "application/vnd.ms-excel", ("xls",)),
        FileType(
            "xlsx",
            "Excel (XLSX)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
        ),
        FileType("jpg", "ảnh JPEG", "image/jpeg", ("jpg", "jpeg")),
        FileType("png", "ảnh PNG", "image/png", ("png",)),
    )
}
#: Extension → kind, for the accepted extensions.
EXTENSIONS: dict[str, str] = {ext: t.kind for t in TYPES.values() for ext in t.extensions}
ACCEPTED_LABEL = "PDF, DOC, DOCX, XLS, XLSX, JPG, PNG"
#: Content types a browser may show inline (everything else is downloaded).
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"
#: A ZIP container (DOCX/XLSX) may expand to at most this many bytes, all members together.
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_MEMBERS = 10_000
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """What the content says the file is."""

    type: FileType
    size: int
    sha256: str

    @property
    def kind(self) -> str:
        return self.type.kind

    @property
    def content_type(self) -> str:
        return self.type.content_type

    @property
    def extension(self) -> str:
        return self.type.extension


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    pos = file.tell()
    file.seek(0, os.SEEK_END)
    end = file.tell()
    file.seek(pos)
    return end


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def _ole2_kind(file: IO[bytes]) -> str:
    """DOC or XLS inside an OLE2 compound file: look for the stream names (UTF-16LE) in the
    directory. Returns ``"ole2"`` when neither is found (an OLE2 file of another kind)."""
    word = "WordDocument".encode("utf-16-le")
    books = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
    file.seek(0)
    tail = b""
    while chunk := file.read(_CHUNK):
        block = tail + chunk
        if word in block:
            return "doc"
        if any(b in block for b in books):
            return "xls"
        tail = block[-32:]
    return "ole2"


def _zip_kind(file: IO[bytes], name: str) -> str:
    """DOCX, XLSX or another ZIP; refuses broken archives and zip bombs, measured by the
    real decompressed size (:func:`parindex.formats.archive.inspect_zip`)."""
    try:
        report = inspect_zip(
            file, max_uncompressed=ZIP_MAX_UNCOMPRESSED, max_members=ZIP_MAX_MEMBERS
        )
    except ArchiveRefused as exc:
        if exc.code == "zip_bomb":
            raise ValidationError(f"Tệp '{name}' bị từ chối: {exc}.", code="zip_bomb") from exc
        raise ValidationError(f"Tệp '{name}' bị hỏng: {exc}.", code="corrupt") from exc
    names = report.names
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return "zip"


def detect(file: IO[bytes], name: str = "tệp") -> str:
    """The kind of the content: a key of :data:`TYPES`, or ``"zip"``, ``"ole2"``,
    ``"unknown"`` for content that is not accepted."""
    file.seek(0)
    head = file.read(1024)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(JPEG_MAGIC):
        return "jpg"
    if head.startswith(OLE2_MAGIC):
        return _ole2_kind(file)
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(file, name)
    return "unknown"


def _describe(kind: str) -> str:
    if kind in TYPES:
        return TYPES[kind].label
    if kind == "zip":
        return "tệp nén ZIP"
    if kind == "ole2":
        return "tài liệu Office cũ không phải Word hay Excel"
    return "loại không được chấp nhận"


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(_CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def validate_upload(
    file: IO[bytes] | Any, *, name: str | None = None, max_bytes: int | None = None
) -> CheckedFile:
    """Check an evidence file. ``name`` defaults to ``file.name`` (only its extension is
    used: it must agree with the content). Refuses empty, oversized, unknown content,
    contradicting extensions, zip bombs, polyglots, files that do not parse as their type
    and PDFs with scripts or automatic actions (:mod:`parindex.evidence.content`)."""
    name = os.path.basename(name if name is not None else getattr(file, "name", "") or "")
    shown = name or "tệp"
    limit = settings.PARINDEX_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    size = _size(file)
    if size <= 0:
        raise ValidationError(f"Tệp '{shown}' rỗng (0 byte).", code="empty")
    if size > limit:
        raise ValidationError(
            f"Tệp '{shown}' quá lớn: {_mb(size)}; tối đa {_mb(limit)}.", code="too_large"
        )
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext and ext not in EXTENSIONS:
        raise ValidationError(
            f"Tệp '{shown}' có đuôi '.{ext}' không được chấp nhận; chỉ nhận {ACCEPTED_LABEL}.",
            code="extension",
        )
    kind = detect(file, shown)
    if kind == "ole2" and ext in ("doc", "xls"):
        kind = ext  # an OLE2 file whose streams we could not name: trust the extension
    if kind not in TYPES:
        if ext:
            expected = TYPES[EXTENSIONS[ext]].label
            raise ValidationError(
                f"Tệp '{shown}' không phải {expected}: nội dung là {_describe(kind)}; "
                f"chỉ nhận {ACCEPTED_LABEL}.",
                code="content",
            )
        raise ValidationError(
            f"Tệp '{shown}' không thuộc loại được chấp nhận ({ACCEPTED_LABEL}).", code="content"
        )
    if ext and EXTENSIONS[ext] != kind:
        expected = TYPES[EXTENSIONS[ext]].label
        raise ValidationError(
            f"Tệp '{shown}' không phải {expected}: nội dung là {_describe(kind)}.",
            code="mismatch",
        )
    verify_content(file, kind, shown)  # parses as what it claims: no polyglot, no script
    return CheckedFile(type=TYPES[kind], size=size, sha256=_sha256(file))
