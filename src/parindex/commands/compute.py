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
import csv
import io
import itertools
import os
import pickle
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from parindex.engine.aggregate import CompiledFramework, FrameworkRefused, compile_framework
from parindex.engine.compute import (
    MISSING,
    ComputeError,
    ScoreTable,
    UnitInfo,
    UnitResult,
    finish,
    score_units,
)
from parindex.engine.framework import Framework
from parindex.formats.cells import safe_rows
from parindex.formats.errors import FormatError, Problem
from parindex.formats.framework_yaml import read_framework_yaml
from parindex.formats.metrics import load_metrics
from parindex.formats.rating import read_rating
from parindex.formats.results import TEXT_COLUMNS as TEXT
from parindex.formats.results import read_previous, result_columns, result_rows, write_results
from parindex.formats.scores import read_scores, scores_from_text
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
    units = attempt(read_units, args.units) if args.units else None
    # Leaves fed from the metrics file need the metrics while scoring; otherwise the
    # second core starts scoring at once, while this process reads the small files.
    early = cf is not None and any(r is not None and r.type == "metric" for r in cf.leaf_rules)
    metrics = attempt(load_metrics, args.metrics) if args.metrics and early else None
    job = _start_parallel(args.scores, cf, units, metrics) if cf and not problems else None
    rating = attempt(read_rating, args.rating) if args.rating else None
    previous = attempt(read_previous, args.previous) if args.previous else None
    if args.metrics and not early:
        metrics = attempt(load_metrics, args.metrics)
    results: list[UnitResult] | None = None
    if job is not None and cf is not None:
        try:
            results = _join_parallel(job, cf, units, metrics)
        except ComputeError as exc:
            if not problems:
                return _fail(str(exc).splitlines())
        if problems:
            results = None
    if results is None:
        scores = attempt(read_scores, args.scores, cf, units) if cf is not None else None
        if problems or cf is None or scores is None:
            return _fail(problems)
        try:
            results = score_units(cf, scores, units, metrics)
        except ComputeError as exc:
            return _fail(str(exc).splitlines())
    assert cf is not None  # both branches above end with results only for a compiled framework
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
            _write(results, cf, out, args.format, args.decimals, with_change)
    else:
        try:
            _write(results, cf, sys.stdout, args.format, args.decimals, with_change)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `parindex compute … | head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


#: Score files smaller than this are read in one process (forking costs more than it saves).
PARALLEL_MIN_BYTES = int(os.environ.get("PARINDEX_PARALLEL_MIN_BYTES", 2_000_000))


def _score_in_parallel(
    path: str,
    cf: CompiledFramework,
    units: dict[str, UnitInfo] | None,
    metrics: dict[str, dict[str, Decimal]] | None,
) -> list[UnitResult] | None:
    """Read and score a large, clean scores file on two cores (see :func:`_start_parallel`);
    ``None`` = do it serially."""
    job = _start_parallel(path, cf, units, metrics)
    return None if job is None else _join_parallel(job, cf, units, metrics)


@dataclass
class _Job:
    pid: int
    rfd: int
    head: str
    first_half: str


def _start_parallel(
    path: str,
    cf: CompiledFramework | None,
    units: dict[str, UnitInfo] | None,
    metrics: dict[str, dict[str, Decimal]] | None,
) -> _Job | None:
    """Start scoring a large, clean scores file on two cores; ``None`` = do it serially.

    The file is cut at a line boundary between two units near its middle; a forked child
    reads and scores the second half with the same code
    (:func:`~parindex.formats.scores.scores_from_text`, :func:`score_units`) and sends its
    results back pickled through a pipe, while :func:`_join_parallel` does the first half
    here and merges. Anything unusual (no ``fork``, threads running, a file
    that is not clean, a unit on both sides of the cut, any error in the child) returns
    ``None`` and the caller reads the file the ordinary way, which reports every problem
    with its line and column. The results are the same either way (tested).
    """
    if cf is None or not hasattr(os, "fork") or threading.active_count() != 1:
        return None
    if hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) < 2:
        return None  # one core: forking would only add work
    try:
        if os.path.getsize(path) < PARALLEL_MIN_BYTES:
            return None
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    head, _, body = text.partition("\n")
    del text
    if not _grouped_by_unit(body, head, cf.n_leaves):
        return None
    cut = _cut_between_units(body, head)
    if cut is None:
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: score the second half, send it, and leave without cleanup
        try:
            os.close(rfd)
            payload: object = None
            try:
                table = scores_from_text(head, body[cut:], cf, units)
                if table is not None:
                    payload = [  # plain tuples pickle several times faster than objects
                        (
                            r.unit,
                            r.name,
                            r.group,
                            r.points_micro,
                            r.max_micro,
                            r.area_points_micro,
                            r.area_max_micro,
                            r.missing,
                        )
                        for r in score_units(cf, table, units, metrics, include_unscored=False)
                    ]
            except ComputeError as exc:
                payload = ("problems", exc.problems)
            except BaseException:
                payload = None
            with os.fdopen(wfd, "wb") as out:
                out.write(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        finally:
            os._exit(0)
    os.close(wfd)
    return _Job(pid, rfd, head, body[:cut])


def _join_parallel(
    job: _Job,
    cf: CompiledFramework,
    units: dict[str, UnitInfo] | None,
    metrics: dict[str, dict[str, Decimal]] | None,
) -> list[UnitResult] | None:
    """Score the first half here, collect the child's half, merge (or ``None``)."""
    first: list[UnitResult] | None = None
    error: ComputeError | None = None
    try:
        table = scores_from_text(job.head, job.first_half, cf, units)
        if table is not None:
            first = score_units(cf, table, units, metrics, include_unscored=False)
    except ComputeError as exc:
        error = exc
    with os.fdopen(job.rfd, "rb") as inp:
        data = inp.read()
    os.waitpid(job.pid, 0)
    try:
        second = pickle.loads(data) if data else None
    except Exception:  # a child that died half-way
        return None
    if isinstance(second, tuple):
        raise ComputeError([*(error.problems if error else []), *second[1]])
    if error is not None:
        raise error
    if first is None or not isinstance(second, list):
        return None
    codes = cf.area_codes
    results = first + [
        UnitResult(unit, name, group, p, m, codes, ap, am, missing)
        for unit, name, group, p, m, ap, am, missing in second
    ]
    seen = {r.unit for r in results}
    if len(seen) != len(results):
        return None  # a unit on both sides: let the ordinary reader report duplicates
    if units is not None:
        extra = [u for u in units if u not in seen]
        if extra:
            table = ScoreTable(cf.leaf_codes, extra, [MISSING] * (cf.n_leaves * len(extra)))
            results += score_units(cf, table, units, metrics, include_unscored=False)
    return results


def _grouped_by_unit(body: str, head: str, n_leaves: int) -> bool:
    """Cheap look at the first lines: do the rows come one unit after another?

    Only then can the file be cut between two units; a shuffled file is read serially
    rather than twice.
    """
    cols = [c.strip().lower() for c in head.split(",")]
    if "unit" not in cols:
        return False
    iu = cols.index("unit")
    sample = [line.split(",")[iu] for line in body.split("\n", 4 * n_leaves)[: 4 * n_leaves]]
    runs = 1 + sum(1 for a, b in itertools.pairwise(sample) if a != b)
    return runs == len(set(sample)) < len(sample)


def _cut_between_units(body: str, head: str) -> int | None:
    """Offset of a line start near the middle of ``body`` where the unit changes."""
    cols = [c.strip().lower() for c in head.split(",")]
    if "unit" not in cols:
        return None
    iu = cols.index("unit")
    pos = body.find("\n", len(body) // 2)
    if pos < 0:
        return None
    pos += 1
    first_unit = body[pos : body.find("\n", pos)].split(",")[iu]
    for _ in range(100_000):  # walk forward to the first line of the next unit
        if pos >= len(body):
            return None
        end = body.find("\n", pos)
        line = body[pos : end if end >= 0 else len(body)]
        if line.split(",")[iu] != first_unit:
            return pos
        if end < 0:
            return None
        pos = end + 1
    return None


def _write(
    results: list[UnitResult],
    cf: CompiledFramework,
    out: IO[str],
    fmt: str,
    decimals: int,
    with_change: bool,
) -> None:
    """Write the results; a large CSV is formatted on two cores (same bytes either way)."""
    half = len(results) // 2
    if (
        fmt != "csv"
        or len(results) < PARALLEL_MIN_UNITS
        or not hasattr(os, "fork")
        or threading.active_count() != 1
    ):
        write_results(results, cf, out, fmt, decimals, with_change)
        return
    cols = result_columns(cf.area_codes, with_change)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: format the second half, send it, leave without cleanup
        try:
            os.close(rfd)
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(
                safe_rows(cols, result_rows(results[half:], cf, decimals, with_change), TEXT)
            )
            with os.fdopen(wfd, "wb") as pipe:
                pipe.write(buf.getvalue().encode("utf-8"))
        finally:
            os._exit(0)
    os.close(wfd)
    w = csv.writer(out, lineterminator="\n")
    w.writerow(cols)
    w.writerows(safe_rows(cols, result_rows(results[:half], cf, decimals, with_change), TEXT))
    with os.fdopen(rfd, "rb") as pipe:
        rest = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or (not rest and len(results) > half):
        # the child failed: format the second half here
        w.writerows(safe_rows(cols, result_rows(results[half:], cf, decimals, with_change), TEXT))
        return
    out.write(rest.decode("utf-8"))


#: Results with fewer units are written by one process.
PARALLEL_MIN_UNITS = int(os.environ.get("PARINDEX_PARALLEL_MIN_UNITS", 1000))


def _fail(problems: list[str]) -> int:
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print("không tính được (không rõ lý do)", file=sys.stderr)
    return 1
