"""Every file the app sends (evidence, exports, templates, CSV files, API downloads) goes
through :func:`file_download`: private and never cached (``Cache-Control: private,
no-store``), never sniffed (``X-Content-Type-Options: nosniff``), and named safely.

The name is cleaned first (:func:`safe_filename`: no path, no control characters — CR/LF
included — no quotes, backslashes or semicolons), then sent the RFC 6266 way: an ASCII
``filename="…"`` fallback (Vietnamese letters without their marks, ``đ`` → ``d``) and the
exact name as ``filename*=UTF-8''…`` (RFC 5987 percent-encoding). Django's own
``FileResponse(filename=…)`` sends only ``filename*`` for a non-ASCII name; browsers and
tools that ignore ``filename*`` would then save "download".
"""

from __future__ import annotations

import re
import unicodedata
from typing import IO, overload
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

__all__ = [
    "DOCX",
    "XLSX",
    "ascii_fallback",
    "content_disposition",
    "file_download",
    "safe_filename",
]

#: The content types of the Word and Excel files the pages and the API build.
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_NAME = 150
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\;:*?<>|]+')
_SPACES = re.compile(r"\s+")
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._()+\- ]+")


def safe_filename(name: str, default: str = "tep") -> str:
    """``name`` without a path, control characters, quotes or separators, at most
    :data:`MAX_NAME` characters (the extension kept); ``default`` when nothing is left."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip(" ._")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME - len(ext) - 1].rstrip(" ._") + "." + ext
        else:
            name = name[:MAX_NAME]
    return name or default


def ascii_fallback(name: str) -> str:
    """The ASCII form of a (safe) name: marks dropped, ``đ`` → ``d``, others → ``_``."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return _NOT_ASCII_SAFE.sub("_", plain).strip(" ._") or "tep"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` for a cleaned ``name``."""
    safe = safe_filename(name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback(safe)}\"; filename*=UTF-8''{quote(safe, safe='')}"


@overload
def file_download(
    content: bytes | str, *, filename: str, content_type: str, inline: bool = False
) -> HttpResponse: ...


@overload
def file_download(
    content: IO[bytes], *, filename: str, content_type: str, inline: bool = False
) -> FileResponse: ...


def file_download(
    content: bytes | str | IO[bytes],
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
) -> HttpResponse | FileResponse:
    """A private, uncached, unsniffed download of ``content`` named ``filename``: bytes or
    text built in memory as one response, an open file streamed."""
    response: HttpResponse | FileResponse
    ctype = content_type or "application/octet-stream"
    if isinstance(content, str):
        response = HttpResponse(content.encode("utf-8"), content_type=ctype)
    elif isinstance(content, bytes | bytearray):
        response = HttpResponse(bytes(content), content_type=ctype)
    else:
        response = FileResponse(content, content_type=ctype)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
