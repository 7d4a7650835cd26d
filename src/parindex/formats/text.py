"""The one way a file becomes text, CSV rows or YAML nodes (every reader in ``formats``
uses it).

Files are UTF-8, with or without BOM. A reader takes ``str`` or a text stream; bytes from
an upload go through :func:`decode_text`, a path through :func:`read_text_file`. Problems
name the file and, where known, the line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from parindex.formats.errors import FormatError, Problem

__all__ = [
    "SafeLoader",
    "csv_rows",
    "decode_text",
    "header_positions",
    "read_text_file",
    "text_of",
    "width_reason",
]

Source = str | TextIO
#: YAML files are read with libyaml's C loader when PyYAML has it (about 10× faster),
#: else the pure-Python one; both give the same nodes (a plain scalar's ``style`` is
#: ``None`` in one and ``""`` in the other).
SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode_text(data: bytes, name: str) -> str:
    """Bytes of an uploaded file → text (UTF-8, BOM removed); :class:`FormatError` else."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError([_not_utf8(name, exc)]) from exc


def read_text_file(path: str | Path) -> str:
    """The text of a file on disk (UTF-8, BOM removed, line ends kept as written)."""
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise FormatError([_not_utf8(name, exc)]) from exc
    except OSError as exc:
        raise FormatError(
            [Problem(name, None, None, f"không mở được tệp: {exc.strerror}")]
        ) from exc


def text_of(source: Source) -> str:
    """``source`` as a string, without a leading BOM."""
    text = source if isinstance(source, str) else source.read()
    return text.removeprefix("\ufeff")


def csv_rows(
    source: Source, name: str, problems: list[Problem], *, strict: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each CSV record; a malformed file adds a problem and stops."""
    reader = csv.reader(io.StringIO(text_of(source), newline=""), strict=strict)
    try:
        for row in reader:
            yield reader.line_num, row
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


def _not_utf8(name: str, exc: UnicodeDecodeError) -> Problem:
    return Problem(name, None, None, f"tệp không phải UTF-8 (byte {exc.start}): lưu lại dạng UTF-8")
