"""``parindex lost-points``, ``parindex whatif`` and ``parindex rank-bands`` (issue 12).

All three read the framework, the scores CSV and the optional units CSV exactly as
``parindex compute`` does (same readers, same messages). Every problem in every input is
printed to stderr, one per line, exit status 1, and nothing is written. Warnings (missing
scores counted as 0) go to stderr with exit status 0. ``whatif`` exits with 3 when the
target rank cannot be reached: it then says so and prints the best reachable plan.

* ``lost-points``: ``unit,code,name,level,max_points,points,lost`` — one row per node with
  lost > 0 (``lost`` = applicable max − points; for a penalty leaf, the points deducted;
  bonus leaves and N/A nodes are left out), ordered by unit, then loss (largest first),
  then code (natural order: 1.2 before 1.10).
* ``whatif``: see :mod:`parindex.engine.whatif`; JSON ``{unit, from_index, from_rank,
  to_index, to_rank, effort, changes: [{code, from, to}], target_rank, reached}``; CSV one
  row per change with the summary repeated.
* ``rank-bands``: ``unit,group,rank,p05,p50,p95``; see :mod:`parindex.engine.rank_bands`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO

from parindex.commands.compute import _fail, _read_framework
from parindex.engine.aggregate import (
    NA,
    CompiledFramework,
    FrameworkRefused,
    _NAType,
    aggregate,
    compile_framework,
    from_micro,
)
from parindex.engine.compute import (
    MISSING,
    NOT_APPLICABLE,
    ComputeError,
    ScoreTable,
    UnitInfo,
    UnitResult,
    compute,
)
from parindex.engine.framework import Node
from parindex.engine.lost_points import NodePoints, lost_points, natural_key
from parindex.formats.errors import FormatError, Problem
from parindex.formats.improve import read_effort, read_intervals
from parindex.formats.numbers import parse_decimal
from parindex.formats.results import round_fraction, write_csv
from parindex.formats.scores import read_scores
from parindex.formats.text import read_text_file
from parindex.formats.units import read_units

LOST_COLUMNS = ("unit", "code", "name", "level", "max_points", "points", "lost")
BAND_COLUMNS = ("unit", "group", "rank", "p05", "p50", "p95")
WHATIF_COLUMNS = (
    "unit",
    "from_index",
    "from_rank",
    "to_index",
    "to_rank",
    "effort",
    "code",
    "from",
    "to",
)
#: Exit status of ``whatif`` when the target rank is out of reach.
UNREACHABLE = 3


class _Inputs:
    """Framework, scores and units of one command, read with every problem collected."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.problems: list[str] = []
        self.cf: CompiledFramework | None = None
        self.units: dict[str, UnitInfo] | None = None
        self.table: ScoreTable | None = None
        self._row_of: dict[str, int] | None = None
        fw = self._attempt(_read_framework, args.framework)
        if fw is not None:
            try:
                self.cf = compile_framework(fw)
            except FrameworkRefused as exc:
                self.problems.extend(f"{args.framework}: {i}" for i in exc.issues)
        if args.units:
            self.units = self._attempt(read_units, args.units)
        if self.cf is not None and not self.problems:
            self.table = self._attempt(read_scores, args.scores, self.cf, self.units)

    def _attempt[T](self, fn: Callable[..., T], *a: object) -> T | None:
        try:
            return fn(*a)
        except FormatError as exc:
            self.problems.extend(str(p) for p in exc.problems)
        return None

    def table_file[T](self, reader: Callable[..., tuple[T, list[Problem]]], path: str) -> T | None:
        """A small table read with ``reader(text, name=, cf=)``; ``None`` on problems."""
        problems: list[Problem] = []
        rows: T | None = None
        try:
            rows, problems = reader(read_text_file(path), name=path, cf=self.cf)
        except FormatError as exc:
            problems = exc.problems
        self.problems.extend(str(p) for p in problems)
        return None if problems else rows

    def results(self) -> list[UnitResult]:
        """Every unit scored (units listed without scores included) and ranked."""
        assert self.cf is not None and self.table is not None
        return compute(self.cf, self.table, self.units)

    def leaf_points(self, unit: str) -> dict[str, Decimal | _NAType]:
        """One unit's scored leaves as :func:`aggregate` takes them (missing left out)."""
        assert self.cf is not None and self.table is not None
        if self._row_of is None:
            self._row_of = {u: i for i, u in enumerate(self.table.units)}
        u = self._row_of.get(unit)
        if u is None:
            return {}  # listed in the units file, no score at all
        row = self.table.row(u)
        out: dict[str, Decimal | _NAType] = {}
        for code, x in zip(self.cf.leaf_codes, row, strict=True):
            if x == NOT_APPLICABLE:
                out[code] = NA
            elif x != MISSING:
                out[code] = from_micro(x)
        return out


def _warn_missing(results: list[UnitResult]) -> None:
    for r in results:
        if r.missing:
            shown = ", ".join(r.missing[:8]) + (" …" if len(r.missing) > 8 else "")
            print(
                f"Cảnh báo: đơn vị {r.unit}: thiếu điểm {len(r.missing)} tiêu chí, "
                f"tính 0 điểm ({shown})",
                file=sys.stderr,
            )


def _num(d: Decimal) -> str:
    return f"{d.normalize():f}" if d else "0"


def _write(out: IO[str], columns: tuple[str, ...], rows: list[list[str]], fmt: str) -> None:
    """CSV, or JSON objects with numeric columns written as numbers."""
    if fmt == "csv":
        write_csv(out, columns, rows, TEXT_COLUMNS)
        return
    out.write("[")
    for n, row in enumerate(rows):
        out.write(("\n " if n == 0 else ",\n ") + _json_object(columns, row))
    out.write("\n]\n")


TEXT_COLUMNS = frozenset({"unit", "group", "code", "name"})


def _json_object(columns: tuple[str, ...], row: list[str]) -> str:
    """One JSON object; numbers are written exactly as in the CSV (empty = null)."""
    fields = (
        f"{json.dumps(c)}: "
        + (json.dumps(v, ensure_ascii=False) if c in TEXT_COLUMNS else v or "null")
        for c, v in zip(columns, row, strict=True)
    )
    return "{" + ", ".join(fields) + "}"


# -- lost points --------------------------------------------------------------------------


def lost_point_rows(
    cf: CompiledFramework, unit: str, leaf_points: dict[str, Decimal | _NAType]
) -> list[list[str]]:
    """The rows of every node of ``unit`` that lost points, in the order of
    :func:`parindex.engine.lost_points.lost_points` (which holds the rule)."""
    score = aggregate(cf, leaf_points)
    nodes = (
        NodePoints(
            node.code,
            node.name,
            level,
            score.nodes[node.code].max_points,
            score.nodes[node.code].points,
            node.source,
        )
        for node, level in _nodes_with_level(cf)
    )
    return [
        [unit, r.code, r.name, str(r.level), _num(r.max_points), _num(r.points), _num(r.lost)]
        for r in lost_points(nodes)
    ]


def _nodes_with_level(cf: CompiledFramework) -> Iterator[tuple[Node, int]]:
    def visit(node: Node, level: int) -> Iterator[tuple[Node, int]]:
        yield node, level
        for c in node.children:
            yield from visit(c, level + 1)

    for area in cf.framework.nodes:
        yield from visit(area, 1)


def run_lost_points(args: argparse.Namespace) -> int:
    inp = _Inputs(args)
    if inp.problems or inp.cf is None:
        return _fail(inp.problems)
    results = inp.results()
    _warn_missing(results)
    rows: list[list[str]] = []
    for unit in sorted((r.unit for r in results), key=natural_key):
        rows += lost_point_rows(inp.cf, unit, inp.leaf_points(unit))
    return _output(args, LOST_COLUMNS, rows)


def _output(args: argparse.Namespace, columns: tuple[str, ...], rows: list[list[str]]) -> int:
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            _write(out, columns, rows, args.format)
    else:
        _write(sys.stdout, columns, rows, args.format)
    return 0


# -- what-if ------------------------------------------------------------------------------


def run_whatif(args: argparse.Namespace) -> int:
    from parindex.engine.whatif import WhatIfError, cheapest_path, what_if

    inp = _Inputs(args)
    if not 0 <= args.decimals <= 6:
        inp.problems.append("--decimals phải từ 0 đến 6")
    targets = _parse_sets(args.set or [], inp.problems)
    effort: dict[str, Decimal] = {}
    if args.effort and inp.cf is not None:
        effort = inp.table_file(read_effort, args.effort) or {}
    if inp.problems or inp.cf is None:
        return _fail(inp.problems)
    results = inp.results()
    me = next((r for r in results if r.unit == args.unit), None)
    if me is None:
        return _fail([f"đơn vị {args.unit} không có trong bảng điểm hoặc tệp đơn vị"])
    others = [
        (r.points_micro, r.max_micro)
        for r in results
        if r.group == me.group and r.unit != me.unit and r.max_micro
    ]
    leaves = inp.leaf_points(me.unit)
    try:
        if args.target_rank is not None:
            answer = cheapest_path(
                inp.cf, leaves, args.target_rank, others, unit=me.unit, effort=effort
            )
        else:
            answer = what_if(inp.cf, leaves, targets, others, unit=me.unit, effort=effort)
    except WhatIfError as exc:
        return _fail(str(exc).splitlines())
    _warn_missing([me])
    d = args.decimals
    summary = [
        answer.unit,
        round_fraction(answer.from_index, d),
        str(answer.from_rank),
        round_fraction(answer.to_index, d),
        str(answer.to_rank),
        _num(answer.effort),
    ]
    changes = [[c.code, _num(c.from_points), _num(c.to_points)] for c in answer.changes]
    if not answer.reached:
        print(
            f"Không đạt được hạng {answer.target_rank} trong nhóm: hạng cao nhất có thể là "
            f"{answer.to_rank} (chỉ số {summary[3]}); dưới đây là phương án ít công sức nhất "
            "để đạt hạng đó",
            file=sys.stderr,
        )
    if args.format == "csv":
        rows = [summary + c for c in changes] or [[*summary, "", "", ""]]
        _output(args, WHATIF_COLUMNS, rows)
    else:
        head = _json_object(WHATIF_COLUMNS[:6], summary)[:-1]
        items = ",\n  ".join(_json_object(("code", "from", "to"), c) for c in changes)
        text = (
            f'{head}, "changes": [{"\n  " + items + "\n " if items else ""}], '
            f'"target_rank": {json.dumps(answer.target_rank)}, '
            f'"reached": {json.dumps(answer.reached)}}}\n'
        )
        if args.output:
            with open(args.output, "w", encoding="utf-8") as out:
                out.write(text)
        else:
            sys.stdout.write(text)
    return 0 if answer.reached else UNREACHABLE


def _parse_sets(items: list[str], problems: list[str]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for item in items:
        code, sep, text = item.partition("=")
        try:
            if not sep or not code.strip():
                raise ValueError("cần dạng MÃ=ĐIỂM, ví dụ 1.2=3")
            out[code.strip()] = parse_decimal(text)
        except ValueError as exc:
            problems.append(f"--set {item}: {exc}")
    return out


# -- rank bands ---------------------------------------------------------------------------


def run_rank_bands(args: argparse.Namespace) -> int:
    from parindex.engine.rank_bands import rank_bands  # imports numpy when drawing

    inp = _Inputs(args)
    if args.draws < 1:
        inp.problems.append(f"--draws phải từ 1 trở lên (nhận {args.draws})")
    if not 0 <= args.weight_spread <= 1:
        inp.problems.append(f"--weight-spread phải trong [0, 1] (nhận {args.weight_spread})")
    intervals: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    if args.intervals and inp.cf is not None:
        intervals = inp.table_file(read_intervals, args.intervals) or {}
    if inp.problems or inp.cf is None:
        return _fail(inp.problems)
    try:
        results = inp.results()
        bands = rank_bands(
            inp.cf,
            results,
            draws=args.draws,
            spread=args.weight_spread,
            seed=args.seed,
            intervals=intervals,
        )
    except (ComputeError, ValueError) as exc:
        return _fail(str(exc).splitlines())
    _warn_missing(results)
    rows = [
        [b.unit, b.group, *("" if x is None else str(x) for x in (b.rank, b.p05, b.p50, b.p95))]
        for b in bands
    ]
    return _output(args, BAND_COLUMNS, rows)
