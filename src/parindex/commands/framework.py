"""``parindex framework validate | import | export | list``.

Files are handled here without Django; ``import`` and exporting a framework stored in the
database go to the Django side, which sets Django up first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from parindex.commands.django_cmds import _setup, framework_import
from parindex.engine.framework import Framework, validate_framework
from parindex.formats.errors import FormatError
from parindex.formats.frameworks import (
    EXCEL_SUFFIXES,
    YAML_SUFFIXES,
    load_framework_file,
    save_framework_file,
    shipped_frameworks,
)

_SUFFIXES = YAML_SUFFIXES | EXCEL_SUFFIXES


def run(args: argparse.Namespace) -> int:
    """Run one ``framework`` action; returns the process exit code."""
    action = args.action
    if action == "validate":
        return validate(args.file)
    if action == "list":
        return list_shipped()
    if action == "export":
        return export(args.source, args.output)
    if action == "import":
        return int(framework_import(args))
    print(f"không rõ việc: {action}", file=sys.stderr)
    return 2


def _print_format_error(exc: FormatError) -> None:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    print(f"Không đọc được: {len(exc.problems)} lỗi.", file=sys.stderr)


def validate(file: str) -> int:
    """Print every issue as ``file: code: message``; 0 only with no error and no unknown."""
    path = Path(file)
    shipped = shipped_frameworks()
    if not path.exists() and file in shipped:
        path = shipped[file]
    try:
        fw = load_framework_file(path)
    except FormatError as exc:
        _print_format_error(exc)
        return 1
    issues = validate_framework(fw)
    errors = [i for i in issues if i.level == "error"]
    unknown = [i for i in issues if i.level == "unknown"]
    for issue in issues:
        code = issue.code or "(bộ tiêu chí)"
        prefix = "lỗi" if issue.level == "error" else "chưa rõ"
        print(f"{path}: {code}: {prefix}: {issue.message}")
    leaves = sum(1 for _ in fw.leaves())
    summary = f"{path}: {fw.code} — {len(fw.nodes)} lĩnh vực, {leaves} tiêu chí lá; "
    if not issues:
        print(summary + "hợp lệ.")
        return 0
    parts = []
    if errors:
        parts.append(f"{len(errors)} lỗi")
    if unknown:
        parts.append(f"{len(unknown)} giá trị chưa rõ (bộ tiêu chí chưa đầy đủ)")
    print(summary + ", ".join(parts) + ".")
    return 1


def list_shipped() -> int:
    """Print the shipped frameworks: code, name, label, file."""
    for code, path in shipped_frameworks().items():
        try:
            fw = load_framework_file(path)
        except FormatError as exc:
            print(f"{code}\t(lỗi đọc tệp: {exc.problems[0]})")
            continue
        label = f" [{fw.label}]" if fw.label else ""
        print(f"{code}\t{fw.name}{label}\t{path}")
    return 0


def _database_framework(code: str) -> Framework:
    """A framework stored in the database, as an engine ``Framework`` (Django side).

    Raises ``LookupError`` when there is no such framework (or no database yet)."""
    _setup()
    from django.db import DatabaseError

    from parindex.frameworks.models import Framework as FrameworkModel
    from parindex.frameworks.selectors import engine_framework

    try:
        model = FrameworkModel.objects.get(code=code)
    except FrameworkModel.DoesNotExist as exc:
        raise LookupError(f"không có tệp, bộ có sẵn hay bộ trong CSDL mã '{code}'") from exc
    except DatabaseError as exc:
        raise LookupError(f"không đọc được cơ sở dữ liệu: {exc}") from exc
    return engine_framework(model)


def export(source: str, output: str) -> int:
    """Export a file, a shipped framework or a database framework to ``output``."""
    out = Path(output)
    if out.suffix.lower() not in _SUFFIXES:
        print(f"{output}: tệp đích phải là .yaml, .yml hoặc .xlsx", file=sys.stderr)
        return 2
    src = Path(source)
    shipped = shipped_frameworks()
    try:
        if src.suffix.lower() in _SUFFIXES and src.exists():
            fw = load_framework_file(src)
        elif source in shipped:
            fw = load_framework_file(shipped[source])
        elif src.suffix.lower() in _SUFFIXES:
            print(f"{source}: không tìm thấy tệp", file=sys.stderr)
            return 1
        else:
            fw = _database_framework(source)
    except FormatError as exc:
        _print_format_error(exc)
        return 1
    except LookupError as exc:
        print(f"{source}: không tìm thấy bộ tiêu chí: {exc}", file=sys.stderr)
        return 1
    try:
        save_framework_file(fw, out)
    except (OSError, ValueError) as exc:
        print(f"{output}: không ghi được: {exc}", file=sys.stderr)
        return 1
    print(f"Đã xuất {fw.code} ra {out}")
    return 0
