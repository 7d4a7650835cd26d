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
        from parindex.formats.framework_yaml import read_framework_yaml

        return read_framework_yaml(path)
    if suffix == ".xlsx":
        from parindex.formats.framework_excel import read_framework_excel

        return read_framework_excel(path)
    raise FormatError([Problem(path, None, None, "bộ tiêu chí phải là tệp .yaml, .yml hoặc .xlsx")])


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
        tables.write_results(results, cf, sys.stdout, args.format, args.decimals, with_change)
    return 0


def _fail(problems: list[str]) -> int:
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print("không tính được (không rõ lý do)", file=sys.stderr)
    return 1
