"""``parindex compute``: index, rank, rating from files, without a database.

Reads the framework (.yaml/.yml or .xlsx, the reader imported only for that suffix), the
scores CSV and the optional units, metrics, rating and previous-result files, computes with
:func:`parindex.engine.compute.compute` and writes the results (CSV or JSON) to stdout or
``--output``. Every problem in every input file is printed to stderr, one per line, and
the exit status is 1; nothing is written then. Warnings (missing scores counted as 0,
ignored metrics) go to stderr with exit status 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from parindex.engine.aggregate import CompiledFramework, FrameworkRefused, compile_framework
from parindex.engine.compute import ComputeError, compute
from parindex.engine.framework import Framework
from parindex.formats.errors import FormatError, Problem


def _read_framework(path: str) -> Framework:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        fw = _read_framework_yaml_libyaml(path)
        if fw is not None:
            return fw
        from parindex.formats.framework_yaml import read_framework_yaml

        return read_framework_yaml(path)
    if suffix == ".xlsx":
        from parindex.formats.framework_excel import read_framework_excel

        return read_framework_excel(path)
    raise FormatError([Problem(path, None, None, "bộ tiêu chí phải là tệp .yaml, .yml hoặc .xlsx")])


def _read_framework_yaml_libyaml(path: str) -> Framework | None:
    """Parse with libyaml's C composer when available (≈10× faster than the pure-Python
    one the reader uses), through the reader's own node walker so that the result is the
    same. Any doubt (no libyaml, reader internals changed, any problem in the file) returns
    ``None`` and the public reader runs, which gives the authoritative messages.

    TODO(formats): drop this once ``framework_yaml.loads`` uses ``yaml.CSafeLoader``.
    """
    try:
        import yaml

        from parindex.formats import framework_yaml as fy

        loader = getattr(yaml, "CSafeLoader", None)
        reader_cls = getattr(fy, "_Reader", None)
        if loader is None or reader_cls is None:
            return None
        with open(path, encoding="utf-8") as fh:
            root = yaml.compose(fh.read(), Loader=loader)
        reader = reader_cls(str(path))
        fw = reader.framework(root)
        if getattr(reader, "problems", True) or not isinstance(fw, Framework):
            return None
        return fw
    except Exception:  # any failure falls back to the public reader
        return None


def run(args: argparse.Namespace) -> int:
    """Run the command; 0 on success, 1 when any input problem was found."""
    from parindex.formats import tables

    problems: list[str] = []
    warnings: list[str] = []

    def attempt(fn, *a):  # type: ignore[no-untyped-def]
        try:
            return fn(*a)
        except FormatError as exc:
            problems.extend(str(p) for p in exc.problems)
        return None

    if args.decimals < 0 or args.decimals > 6:
        print("--decimals phải từ 0 đến 6", file=sys.stderr)
        return 1
    cf: CompiledFramework | None = None
    fw = attempt(_read_framework, args.framework)
    if fw is not None:
        try:
            cf = compile_framework(fw)
        except FrameworkRefused as exc:
            problems.extend(f"{args.framework}: {i}" for i in exc.issues)
    units = attempt(tables.read_units, args.units) if args.units else None
    rating = attempt(tables.read_rating, args.rating) if args.rating else None
    previous = attempt(tables.read_previous, args.previous) if args.previous else None
    scores = None
    if cf is not None:
        scores = attempt(tables.read_scores, args.scores, cf, units)
    known = None if scores is None else set(scores.units) | set(units or ())
    metrics = attempt(tables.read_metrics, args.metrics, known, warnings) if args.metrics else None
    if problems or cf is None or scores is None:
        return _fail(problems)
    try:
        results = compute(cf, scores, units, metrics, rating, previous)
    except (ComputeError, FrameworkRefused) as exc:
        return _fail(str(exc).splitlines())
    for r in results:
        if r.missing:
            shown = ", ".join(r.missing[:8]) + (" …" if len(r.missing) > 8 else "")
            warnings.append(
                f"đơn vị {r.unit}: thiếu điểm {len(r.missing)} tiêu chí, tính 0 điểm ({shown})"
            )
    for w in warnings:
        print(f"Cảnh báo: {w}", file=sys.stderr)
    with_change = previous is not None
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            tables.write_results(results, cf, out, args.format, args.decimals, with_change)
    else:
        try:
            tables.write_results(results, cf, sys.stdout, args.format, args.decimals, with_change)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `parindex compute … | head`
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _fail(problems: list[str]) -> int:
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print("không tính được (không rõ lý do)", file=sys.stderr)
    return 1
