"""A file must parse as the type it claims (issue 9 part 7): the evidence check's second
half, after the magic bytes of :mod:`parindex.evidence.validation`.

* **PDF** — opened with pypdf; refused when it does not parse, is encrypted with a
  password, or carries active content anywhere in its object tree: JavaScript (``/JS``,
  ``/JavaScript``, the names tree's JavaScript), automatic actions (``/OpenAction``,
  ``/AA`` — document, page, annotation or field), and ``/Launch``, ``/ImportData``,
  ``/SubmitForm``, ``/GoToE``, ``/RichMediaExecute`` actions (annotations' ``/A`` included:
  every indirect object is visited, object streams too).
* **PNG / JPEG** — Pillow ``Image.open`` + ``verify()``; the format must be the claimed
  one (and Pillow's decompression-bomb limit applies).
* **DOCX / XLSX** — the required parts were checked with the archive; the document must
  load with python-docx / openpyxl, and a macro project (``vbaProject.bin``) is refused.
* **Polyglots** — a PDF or an image that is also a ZIP archive (``zipfile.is_zipfile``
  finds an end-of-central-directory record, e.g. a ZIP appended to a JPEG or a PDF) is
  refused.

Pure: a binary file object in, ``None`` or a Vietnamese ``ValidationError`` out.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any

from django.core.exceptions import ValidationError

__all__ = ["ACTIVE_KEYS", "RISKY_ACTIONS", "pdf_active_content", "verify_content"]

#: Dictionary keys that mean script or automatic action.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/OpenAction", "/AA"})
#: Action types (``/S``) refused wherever they appear.
RISKY_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/RichMediaExecute"}
)
_ZIP_CONTAINERS = frozenset({"docx", "xlsx"})


def _refuse(name: str, reason: str, code: str) -> ValidationError:
    return ValidationError(f"Tệp '{name}' bị từ chối: {reason}.", code=code)


def pdf_active_content(reader: Any) -> str | None:
    """The first active-content key or action found in the whole PDF, or None."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack: list[Any] = [reader.trailer]
    for gen, entries in reader.xref.items():
        stack += [IndirectObject(num, gen, reader) for num in entries]
    stack += [IndirectObject(num, 0, reader) for num in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams are dictionaries too
            for k, v in obj.items():
                if k in ACTIVE_KEYS:
                    return str(k)
                if k == "/S" and str(v) in RISKY_ACTIONS:
                    return str(v)
                if k == "/Names" and isinstance(v, DictionaryObject) and "/JavaScript" in v:
                    return "/JavaScript"
                stack.append(v)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def _check_pdf(file: IO[bytes], name: str) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _refuse(name, "PDF có mật khẩu, không kiểm tra được nội dung", "encrypted")
        if len(reader.pages) < 1:
            raise _refuse(name, "PDF không có trang nào", "corrupt")
        found = pdf_active_content(reader)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise _refuse(name, f"không đọc được PDF ({exc.__class__.__name__})", "corrupt") from exc
    except RecursionError as exc:
        raise _refuse(name, "cấu trúc PDF lồng quá sâu", "corrupt") from exc
    if found is not None:
        raise _refuse(
            name,
            f"PDF chứa mã lệnh hoặc hành động tự động ({found}) — hãy in lại thành PDF thường",
            "active_content",
        )


def _check_image(file: IO[bytes], kind: str, name: str) -> None:
    from PIL import Image, UnidentifiedImageError

    expected = {"png": "PNG", "jpg": "JPEG"}[kind]
    file.seek(0)
    try:
        with Image.open(file) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        # (Image.DecompressionBombError is a subclass of neither: caught below)
        raise _refuse(name, f"không phải ảnh {expected} hợp lệ", "corrupt") from exc
    except Image.DecompressionBombError as exc:
        raise _refuse(name, "ảnh có kích thước điểm ảnh quá lớn", "too_large") from exc
    if fmt != expected:
        raise _refuse(name, f"nội dung là ảnh {fmt}, không phải {expected}", "mismatch")


def _check_office(file: IO[bytes], kind: str, name: str) -> None:
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        names = set(archive.namelist())
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _refuse(name, "tài liệu chứa macro (vbaProject.bin)", "active_content")
    file.seek(0)
    try:
        if kind == "docx":
            from docx import Document

            Document(file)
        else:
            from openpyxl import load_workbook

            load_workbook(file, read_only=True).close()
    except Exception as exc:  # python-docx / openpyxl raise many kinds for a broken file
        label = "Word" if kind == "docx" else "Excel"
        raise _refuse(name, f"không mở được như tài liệu {label}", "corrupt") from exc


def verify_content(file: IO[bytes], kind: str, name: str) -> None:
    """Refuse ``file`` unless it parses as ``kind`` (see the module docstring)."""
    try:
        if kind not in _ZIP_CONTAINERS and kind in ("pdf", "png", "jpg"):
            file.seek(0)
            if zipfile.is_zipfile(file):
                raise _refuse(
                    name, "tệp vừa là tệp nén ZIP vừa là tệp khác (tệp đa định dạng)", "polyglot"
                )
        if kind == "pdf":
            _check_pdf(file, name)
        elif kind in ("png", "jpg"):
            _check_image(file, kind, name)
        elif kind in _ZIP_CONTAINERS:
            _check_office(file, kind, name)
    finally:
        file.seek(0)
