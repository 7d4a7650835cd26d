"""``parindex compute``: index, rank, rating from files, without a database.

Reads the framework (.yaml/.yml or .xlsx), the
scores CSV and the optional units, metrics, rating and previous-result files, computes with
:func:`parindex.engine.compute.compute` and writes the results (CSV or JSON) to stdout or
``--output``. Every problem in every input file is printed to stderr, one per line, and
the exit status is 1; nothing is written then. Warnings (missing scores counted as 0,
ignored metrics) go to stderr with exit status 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from parindex.engine.aggregate import CompiledFramework, FrameworkRefused, compile_framework
from parindex.engine.compute import (
    ComputeError,
    finish,
    score_units,
)
from parindex.engine.framework import Framework
from parindex.formats.errors import FormatError, Problem
from parindex.formats.framework_yaml import read_framework_yaml
from parindex.formats.metrics import load_metrics
from parindex.formats.rating import read_rating
from parindex.formats.results import read_previous, write_results
from parindex.formats.scores import start_scores
from parindex.formats.units import read_units


def _read_framework(path: str) -> Framework:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_framework_yaml(path)
    if suffix == ".xlsx":
        # Imported for this suffix only (as in formats.frameworks): ~10 ms of start-up.
        from parindex.formats.framework_excel import read_framework_excel

        return read_framework_excel(path)
    raise FormatError([Problem(path, None, None, "bộ tiêu chí phải là tệp .yaml, .yml hoặc .xlsx")])


def run(args: argparse.Namespace) -> int:
    """Run the command; 0 on success, 1 when any input problem was found."""
    problems: list[str] = []
    warnings: list[str] = []

    def attempt[**P, T](fn: Callable[P, T], *a: P.args, **kw: P.kwargs) -> T | None:
        try:
            return fn(*a, **kw)
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
    # The scores file is by far the largest: Polars parses it while the others are read.
    # Those reads hold the GIL, which the parse needs back between its steps: with the
    # default 5 ms switch interval it waited ~20 ms in all (RESULTS.md, issue 14).
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        pending = start_scores(args.scores, cf) if cf is not None else None
        units = attempt(read_units, args.units) if args.units else None
        # Metrics feeding leaves are read before the rating, as they are needed first
        # (the order of the messages follows).
        early = cf is not None and any(r is not None and r.type == "metric" for r in cf.leaf_rules)
        metrics = attempt(load_metrics, args.metrics) if args.metrics and early else None
        rating = attempt(read_rating, args.rating) if args.rating else None
        previous = attempt(read_previous, args.previous) if args.previous else None
        if args.metrics and not early:
            metrics = attempt(load_metrics, args.metrics)
        scores = attempt(pending, units) if pending is not None else None
    finally:
        sys.setswitchinterval(switch)
    if problems or cf is None or scores is None:
        return _fail(problems)
    try:
        results = score_units(cf, scores, units, metrics)
    except ComputeError as exc:
        return _fail(str(exc).splitlines())
    if metrics:
        scored = {r.unit for r in results}
        skipped = sorted(u for u in metrics if u not in scored)
        if skipped:
            warnings.append(
                f"{args.metrics}: bỏ qua số liệu của {len(skipped)} đơn vị không có trong bảng "
                f"điểm ({', '.join(skipped[:5])}{' …' if len(skipped) > 5 else ''})"
            )
    results = finish(results, metrics, rating, previous)
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
            write_results(results, cf, out, args.format, args.decimals, with_change)
    else:
        try:
            write_results(results, cf, sys.stdout, args.format, args.decimals, with_change)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `parindex compute … | head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _fail(problems: list[str]) -> int:
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print("không tính được (không rõ lý do)", file=sys.stderr)
    return 1
