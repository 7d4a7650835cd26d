"""The one way a file becomes text, CSV rows or YAML nodes (every reader in ``formats``
uses it).

Files are what Excel writes: UTF-8 with or without BOM, or Windows-1258 (Excel's
Vietnamese code page, whose tone marks are combining characters: the text is normalised to
NFC); CSV records are separated by ``,`` or ``;`` (sniffed on the header line). A reader
takes ``str`` or a text stream; bytes from an upload go through :func:`read_upload` (or
:func:`decode_text`), a path through :func:`read_text_file`. UTF-16, tab-separated files and
bytes valid in neither encoding are one clear problem. Problems name the file and, where
known, the line.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from parindex.formats.cells import unquote_cell
from parindex.formats.errors import FormatError, Problem

__all__ = [
    "SafeLoader",
    "Upload",
    "csv_delimiter",
    "csv_rows",
    "decode_bytes",
    "decode_text",
    "header_positions",
    "read_file_bytes",
    "read_text_file",
    "read_upload",
    "text_of",
    "width_reason",
]

Source = str | TextIO
#: YAML files are read with libyaml's C loader when PyYAML has it (about 10× faster),
#: else the pure-Python one; both give the same nodes (a plain scalar's ``style`` is
#: ``None`` in one and ``""`` in the other).
SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


#: The encodings a file may have, by the name the messages use.
UTF8, UTF8_BOM, CP1258 = "UTF-8", "UTF-8 có BOM", "Windows-1258"
#: C0 control characters that never occur in a text file (tab, line ends are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded CSV file as text, with what was detected (for the result message)."""

    name: str
    text: str
    encoding: str
    delimiter: str

    @property
    def detected(self) -> str:
        """``UTF-8, dấu phân cách “;”``."""
        return f"{self.encoding}, dấu phân cách “{self.delimiter}”"

    @property
    def summary(self) -> str:
        """``Đã đọc tệp diem.csv (UTF-8, dấu phân cách “;”)``."""
        return f"Đã đọc tệp {self.name} ({self.detected})"


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Bytes of a file → (text, encoding name); :class:`FormatError` (one problem) when
    the file is UTF-16 or valid in neither UTF-8 nor Windows-1258."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise FormatError([Problem(name, None, None, _UTF16)])
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, data = UTF8_BOM, data[3:]
    else:
        encoding = UTF8
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if encoding == UTF8_BOM:
            raise FormatError([_not_text(name, exc.start + 3)]) from exc
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError as exc1258:
            raise FormatError([_not_text(name, exc1258.start)]) from exc1258
        bad = _CONTROL.search(text)
        if bad is not None:  # a binary file decodes as cp1258 too
            raise FormatError([_not_text(name, bad.start())]) from exc
        encoding = CP1258
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text, encoding


def decode_text(data: bytes, name: str) -> str:
    """Bytes of an uploaded file → text (UTF-8 with or without BOM, or Windows-1258,
    normalised to NFC); :class:`FormatError` else."""
    return decode_bytes(data, name)[0]


def read_upload(data: bytes | str, name: str) -> Upload:
    """An uploaded CSV file (or pasted text) → :class:`Upload` (text, encoding,
    separator); :class:`FormatError` when the encoding or the separator is not one we read."""
    if isinstance(data, str):
        text, encoding = unicodedata.normalize("NFC", text_of(data)), UTF8
    else:
        text, encoding = decode_bytes(data, name)
    problems: list[Problem] = []
    delimiter = _delimiter(text, name, problems)
    if delimiter is None:
        raise FormatError(problems)
    return Upload(name, text, encoding, delimiter)


def read_file_bytes(path: str | Path) -> bytes:
    """The bytes of a file on disk; :class:`FormatError` when it cannot be opened."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(
            [Problem(str(path), None, None, f"không mở được tệp: {exc.strerror}")]
        ) from exc


def read_text_file(path: str | Path) -> str:
    """The text of a file on disk (as :func:`decode_text`; line ends kept as written)."""
    return decode_text(read_file_bytes(path), str(path))


def text_of(source: Source) -> str:
    """``source`` as a string, without a leading BOM."""
    text = source if isinstance(source, str) else source.read()
    return text.removeprefix("\ufeff")


def csv_rows(
    source: Source, name: str, problems: list[Problem], *, strict: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each CSV record, separated by ``,`` or ``;`` (see
    :func:`csv_delimiter`); a malformed or tab-separated file adds a problem and stops."""
    text = text_of(source)
    delimiter = _delimiter(text, name, problems)
    if delimiter is None:
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    try:
        if "'" not in text:  # nothing was neutralised (the usual case): no per-cell work
            for row in reader:
                yield reader.line_num, row
            return
        for row in reader:  # an exported file: take off the ' of safe_cell
            yield reader.line_num, [unquote_cell(c) for c in row]
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, None, f"CSV hỏng: {exc}"))


def header_positions(
    name: str,
    rows: Iterator[tuple[int, list[str]]],
    required: Sequence[str],
    optional: Sequence[str],
    problems: list[Problem],
) -> list[int] | None:
    """Positions of the required then optional columns (−1 when an optional one is
    absent), then the header's width; ``None`` (with a problem) when a required one is
    missing or the file is empty."""
    first = next(rows, None)
    if first is None:
        if not problems:
            problems.append(Problem(name, 1, None, "tệp rỗng, cần dòng tiêu đề"))
        return None
    line, head = first
    cols = [h.strip().lower() for h in head]
    absent = [c for c in required if c not in cols]
    if absent:
        problems.append(
            Problem(
                name,
                line,
                None,
                f"thiếu cột {', '.join(absent)}; dòng tiêu đề phải là {','.join(required)}",
            )
        )
        return None
    positions = [cols.index(c) for c in required]
    positions += [cols.index(c) if c in cols else -1 for c in optional]
    return [*positions, len(cols)]


def width_reason(got: int, expected: int) -> str:
    reason = f"dòng có {got} cột, dòng tiêu đề có {expected} cột"
    if got > expected:
        reason += ' (số có dấu phẩy thập phân phải đặt trong ngoặc kép, ví dụ "12,5")'
    return reason


def csv_delimiter(text: str) -> str | None:
    """The separator of a CSV text, sniffed on its first non-empty line: ``;`` when it has
    more semicolons than commas outside quotes (Excel in a Vietnamese locale), else ``,``;
    ``None`` when the line is separated by tabs only."""
    line = next((ln for ln in text.removeprefix("\ufeff").splitlines() if ln.strip()), "")
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    if counts[";"] > counts[","]:
        return ";"
    if counts["\t"] and not counts[","]:
        return None
    return ","


def _delimiter(text: str, name: str, problems: list[Problem]) -> str | None:
    delimiter = csv_delimiter(text)
    if delimiter is None:
        problems.append(Problem(name, 1, None, _TABS))
    return delimiter


_UTF16 = "tệp mã hoá UTF-16 (Excel: “Unicode Text”): lưu lại dạng “CSV UTF-8 (Comma delimited)”"
_TABS = (
    "các cột cách nhau bằng dấu tab: dùng dấu phẩy “,” hoặc chấm phẩy “;” "
    "(Excel: lưu dạng “CSV UTF-8 (Comma delimited)”)"
)


def _not_text(name: str, at: int) -> Problem:
    return Problem(
        name,
        None,
        None,
        f"tệp không phải UTF-8 hay Windows-1258 (byte {at}): lưu lại dạng CSV UTF-8",
    )
