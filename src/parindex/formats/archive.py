"""ZIP containers (.docx, .xlsx) measured by what they really expand to.

The sizes an archive declares (``ZipInfo.file_size``, in the central directory and the
local headers) are written by whoever made the file, so a zip bomb can declare a few bytes
and inflate to gigabytes. :func:`inspect_zip` inflates every member itself, in chunks, from
the raw compressed bytes (zlib with a cap on each step's output), counts the bytes that
come out, and stops as soon as the running total passes the cap — it never holds more than
one chunk in memory and never trusts a declared size. A member whose real size differs
from the declared one is refused too (no honest tool writes that).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["MAX_MEMBERS", "MAX_UNCOMPRESSED", "ArchiveRefused", "ZipReport", "inspect_zip"]

#: Every member together may expand to at most this many bytes.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
_CHUNK = 256 * 1024
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_MAGIC = b"PK\x03\x04"


class ArchiveRefused(ValueError):
    """An archive refused: ``code`` is ``"corrupt"`` or ``"zip_bomb"``; ``size`` is the
    number of bytes inflated when it was stopped."""

    def __init__(self, message: str, code: str, size: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.size = size


@dataclass(frozen=True)
class ZipReport:
    names: frozenset[str]
    uncompressed: int  # measured, not declared


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def _member_size(fh: IO[bytes], info: zipfile.ZipInfo, budget: int) -> int:
    """Inflate one member from its raw bytes; returns its real size (stops past budget)."""
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_MAGIC:
        raise ArchiveRefused("tiêu đề tệp con bị hỏng", "corrupt")
    fields = _LOCAL_HEADER.unpack(header)
    name_len, extra_len = fields[-2], fields[-1]
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        data_size = 0
        while left > 0:
            got = len(fh.read(min(_CHUNK, left)))
            if got == 0:
                break
            data_size += got
            left -= got
        return data_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ArchiveRefused("kiểu nén không được hỗ trợ", "corrupt")
    inflater = zlib.decompressobj(-15)
    size = 0
    pending = b""
    while True:
        if not pending:
            if left <= 0 or inflater.eof:
                break
            pending = fh.read(min(_CHUNK, left))
            if not pending:
                break
            left -= len(pending)
        try:
            out = inflater.decompress(pending, _CHUNK)  # at most one chunk out per step
        except zlib.error as exc:
            raise ArchiveRefused("dữ liệu nén bị hỏng", "corrupt") from exc
        pending = inflater.unconsumed_tail
        size += len(out)
        if size > budget:
            return size
        if inflater.eof:
            break
    return size + len(inflater.flush())  # output zlib still held (at most a window)


def inspect_zip(
    source: IO[bytes] | str | Path,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_members: int = MAX_MEMBERS,
) -> ZipReport:
    """The member names and the real expanded size of an archive; :class:`ArchiveRefused`
    (Vietnamese message) for a broken archive, too many members, a size over the cap or a
    declared size that lies."""
    close = isinstance(source, str | Path)
    fh: IO[bytes] = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
    try:
        fh.seek(0)
        try:
            with zipfile.ZipFile(fh) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ArchiveRefused("không đọc được cấu trúc tệp nén", "corrupt") from exc
        if len(members) > max_members:
            raise ArchiveRefused(
                f"có {len(members)} tệp con (tối đa {max_members}) — có thể là tệp nén độc hại",
                "zip_bomb",
            )
        total = 0
        for info in members:
            if info.flag_bits & 0x1:
                raise ArchiveRefused("tệp nén có mật khẩu", "corrupt")
            real = _member_size(fh, info, max_uncompressed - total)
            total += real
            if total > max_uncompressed:
                raise ArchiveRefused(
                    f"dung lượng sau giải nén quá lớn (hơn {_mb(total)}, tối đa "
                    f"{_mb(max_uncompressed)}) — có thể là tệp nén độc hại",
                    "zip_bomb",
                    total,
                )
            if real != info.file_size:
                raise ArchiveRefused(
                    f"tệp con '{info.filename}' khai báo {info.file_size} byte nhưng giải nén "
                    f"ra {real} byte — tệp nén bị sửa hoặc độc hại",
                    "zip_bomb" if real > info.file_size else "corrupt",
                    total,
                )
        return ZipReport(frozenset(m.filename for m in members), total)
    finally:
        if close:
            fh.close()
        else:
            fh.seek(0)
