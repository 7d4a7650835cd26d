"""CSV/YAML/JSON tables of DESIGN §5 for ``parindex compute``: readers and writers.

Readers collect every problem (file, line, column, reason in Vietnamese) and raise one
:class:`~parindex.formats.errors.FormatError`; nothing is partially used. Files are UTF-8,
with or without BOM; numbers accept a dot or a decimal comma (``12,5`` — quote the field
in a comma-separated file).

* Scores: ``unit,code,points[,value]``. ``points`` is the leaf's points (``NA`` = not
  applicable, within ``[0, max]``, up to 6 decimals). When ``points`` is empty and ``value``
  is given, the leaf's rule converts the value (a percentage, a label, a count…) into
  points. A row with both empty leaves the leaf missing (0 points, reported).
* Units: ``unit,name,group``. With a units file every scored unit must be listed.
* Metrics: ``unit,metric,value`` with values in percent (0–100). Metrics of units that are
  not scored (a national file covering more units) are ignored and reported as a warning.
* Previous results: the results format below (CSV or JSON); ``unit``, ``index``, ``rank``
  are used.
* Rating: YAML ``classes: [{name, min}]`` highest first and optional
  ``conditions: [{metric, op, value, cap, reason}]``.

Results (CSV or JSON), in this column order: ``unit,group,points,max_points,index,rank,
rating``, then for each area in framework order ``area_<code>_points,area_<code>_index``
(``<code>`` is the area's code as written in the framework, e.g. ``area_1_points``), then
``index_change,rank_change`` when a previous result is given, then ``rating_reasons``
(applied conditions and unchecked ones, separated by ``; ``). Numbers use a dot and are
rounded half-up to ``decimals`` for display; ranks are computed on unrounded values. An
empty cell (JSON ``null``) means not applicable / not available.
"""

from __future__ import annotations

import collections
import csv
import io
import itertools
import operator
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from parindex.engine.aggregate import CompiledFramework, to_micro
from parindex.engine.compute import (
    MISSING,
    NOT_APPLICABLE,
    PreviousResult,
    ScoreTable,
    UnitInfo,
    UnitResult,
)
from parindex.engine.rating import Condition, RatingScheme
from parindex.engine.rules import RuleInputError, points_for
from parindex.formats.errors import FormatError, Problem

_NUM = re.compile(r"\s*(-?)(\d+)(?:[.,](\d+))?\s*")
NA_TEXT = frozenset({"NA", "na", "N/A", "n/a", "Na"})


def parse_micro(text: str) -> int:
    """Points text → integer millionths. ``ValueError`` with a Vietnamese reason."""
    m = _NUM.fullmatch(text)
    if m is None:
        raise ValueError(f"không phải là số: {text!r}")
    sign, whole, frac = m.groups()
    frac = (frac or "").rstrip("0")
    if len(frac) > 6:
        raise ValueError(f"{text!r} có quá 6 chữ số thập phân")
    micro = int(whole) * 1_000_000 + (int(frac.ljust(6, "0")) if frac else 0)
    return -micro if sign else micro


def parse_decimal(text: str) -> Decimal:
    """A number with a dot or a decimal comma. ``ValueError`` with a Vietnamese reason."""
    m = _NUM.fullmatch(text)
    if m is None:
        raise ValueError(f"không phải là số: {text!r}")
    sign, whole, frac = m.groups()
    return Decimal(f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}")


def _rows(path: str | Path, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(line number, row) of a CSV file; undecodable or malformed files become problems."""
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            try:
                for row in reader:
                    yield reader.line_num, row
            except csv.Error as exc:
                problems.append(Problem(name, reader.line_num, None, f"CSV hỏng: {exc}"))
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                name, None, None, f"tệp không phải UTF-8 (byte {exc.start}): lưu lại dạng UTF-8"
            )
        )
    except OSError as exc:
        problems.append(Problem(name, None, None, f"không mở được tệp: {exc.strerror}"))


def _header(
    name: str,
    rows: Iterator[tuple[int, list[str]]],
    required: Sequence[str],
    optional: Sequence[str],
    problems: list[Problem],
) -> list[int] | None:
    """Positions of the required then optional columns (−1 when an optional one is absent)."""
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


def read_scores(
    path: str | Path,
    cf: CompiledFramework,
    known_units: set[str] | dict[str, Any] | None = None,
) -> ScoreTable:
    """Scores CSV → :class:`ScoreTable` (see the module docstring).

    Built for speed (hundreds of thousands of rows): text → points is cached, and each
    row touches two dictionaries and one list slot; nothing else is kept per row.
    """
    fast = _read_scores_fast(path, cf, known_units)
    if fast is not None:
        return fast
    name = str(path)
    problems: list[Problem] = []
    L = cf.n_leaves
    leaf_index = dict(cf.leaf_index)
    leaf_max = cf.leaf_max
    unit_index: dict[str, int] = {}
    units: list[str] = []
    values: list[int] = []
    blank = [MISSING] * L
    cache: dict[str, int] = dict.fromkeys(NA_TEXT, NOT_APPLICABLE)
    duplicates: list[tuple[int, int]] = []  # (slot, line)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            pos = _header(
                name,
                ((reader.line_num, r) for r in reader),
                ("unit", "code", "points"),
                ("value",),
                problems,
            )
            if pos is None:
                raise FormatError(problems)
            iu, ic, ip, iv, ncols = pos
            width = max(pos[:-1]) + 1
            try:
                for row in reader:
                    if len(row) != ncols:
                        if not row or (len(row) == 1 and not row[0].strip()):
                            continue
                        if len(row) < width or len(row) > ncols:
                            problems.append(
                                Problem(name, reader.line_num, None, _width_reason(len(row), ncols))
                            )
                            continue
                    code = row[ic]
                    j = leaf_index.get(code)
                    if j is None:
                        j = leaf_index.get(code.strip())
                        if j is None:
                            reason = (
                                f"mã {code!r} là tiêu chí có tiêu chí con, chỉ chấm tiêu chí lá"
                                if code.strip() in cf.node_number
                                else f"mã {code!r} không có trong bộ tiêu chí"
                            )
                            problems.append(Problem(name, reader.line_num, "code", reason))
                            continue
                        leaf_index[code] = j
                    unit = row[iu]
                    u = unit_index.get(unit)
                    if u is None:
                        clean = unit.strip()
                        if not clean:
                            problems.append(
                                Problem(name, reader.line_num, "unit", "thiếu mã đơn vị")
                            )
                            continue
                        if known_units is not None and clean not in known_units:
                            problems.append(
                                Problem(
                                    name,
                                    reader.line_num,
                                    "unit",
                                    f"đơn vị {clean!r} không có trong tệp đơn vị",
                                )
                            )
                            continue
                        u = unit_index.get(clean)
                        if u is None:
                            u = len(units)
                            units.append(clean)
                            values.extend(blank)
                            unit_index[clean] = u
                        unit_index[unit] = u
                    k = u * L + j
                    text = row[ip]
                    try:
                        micro = cache[text]
                    except KeyError:
                        if not text.strip():
                            raw = row[iv].strip() if 0 <= iv < len(row) else ""
                            if not raw:
                                continue  # neither points nor value: the leaf stays missing
                            try:
                                micro = to_micro(
                                    points_for(cf.leaf_rules[j], cf.leaf_max_decimal[j], raw)
                                )
                            except RuleInputError as exc:
                                problems.append(Problem(name, reader.line_num, "value", str(exc)))
                                continue
                        else:
                            try:
                                micro = parse_micro(text)
                            except ValueError as exc:
                                problems.append(
                                    Problem(name, reader.line_num, "points", f"điểm {exc}")
                                )
                                continue
                            if micro < 0:
                                problems.append(
                                    Problem(
                                        name,
                                        reader.line_num,
                                        "points",
                                        f"điểm {text.strip()} âm (điểm nằm trong [0, tối đa])",
                                    )
                                )
                                continue
                            cache[text] = micro
                    if values[k] != MISSING:
                        duplicates.append((k, reader.line_num))
                        continue
                    if micro > leaf_max[j]:
                        problems.append(
                            Problem(
                                name,
                                reader.line_num,
                                "points",
                                f"điểm {text.strip()} nằm ngoài khoảng "
                                f"[0, {cf.leaf_max_decimal[j]}] của tiêu chí {cf.leaf_codes[j]}",
                            )
                        )
                        continue
                    values[k] = micro
            except csv.Error as exc:
                problems.append(Problem(name, reader.line_num, None, f"CSV hỏng: {exc}"))
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                name, None, None, f"tệp không phải UTF-8 (byte {exc.start}): lưu lại dạng UTF-8"
            )
        )
    except OSError as exc:
        problems.append(Problem(name, None, None, f"không mở được tệp: {exc.strerror}"))
    if duplicates:
        problems.extend(_duplicate_problems(name, path, cf, units, duplicates))
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise FormatError(problems)
    return ScoreTable(cf.leaf_codes, units, values)


def _read_scores_fast(
    path: str | Path,
    cf: CompiledFramework,
    known_units: set[str] | dict[str, Any] | None,
) -> ScoreTable | None:
    """Whole-column fast path for a clean scores file; ``None`` means "use the row reader".

    A file qualifies when it has no quotes, no blank or ragged lines, only known codes and
    units, points that parse (no value column needed), no duplicates and no out-of-range
    points. All checks run column-wise in C (``str.split``, slicing, ``map``, list
    equality); any doubt sends the file to the careful row-by-row reader, which then names
    each problem's line and column.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    head, _, body = text.partition("\n")
    del text
    return scores_from_text(head, body, cf, known_units)


def scores_from_text(
    head: str,
    body: str,
    cf: CompiledFramework,
    known_units: set[str] | dict[str, Any] | None,
) -> ScoreTable | None:
    """The fast path on text already read: ``head`` = header line, ``body`` = data lines.

    ``None`` when the text does not qualify (see :func:`_read_scores_fast`); then the
    caller must fall back to :func:`read_scores`.
    """
    if '"' in body or "\r" in body or "\r" in head or '"' in head:
        return None
    cols = [c.strip().lower() for c in head.split(",")]
    if len(set(cols)) != len(cols) or not {"unit", "code", "points"} <= set(cols):
        return None
    n = len(cols)
    if body.endswith("\n"):
        body = body[:-1]
    if not body:
        return None
    n_lines = body.count("\n") + 1
    cells = body.replace("\n", ",").split(",")
    if len(cells) != n_lines * n:
        return None
    unit_col = cells[cols.index("unit") :: n]
    code_col = cells[cols.index("code") :: n]
    text_col = cells[cols.index("points") :: n]
    del cells
    L = cf.n_leaves
    cache: dict[str, int] = {}
    for t in set(text_col):
        if t in NA_TEXT:
            cache[t] = NOT_APPLICABLE
            continue
        try:
            micro = parse_micro(t)
        except ValueError:
            return None
        if micro < 0:
            return None
        cache[t] = micro
    micros = list(map(cache.__getitem__, text_col))
    U, rest = divmod(n_lines, L)
    if not rest and code_col == list(cf.leaf_codes) * U:
        # The usual layout: one block per unit, leaves in framework order. Every line has
        # exactly the expected code, so the columns cannot have shifted, and the points
        # column already is the table.
        order = unit_col[::L]
        repeated = list(
            itertools.chain.from_iterable(map(itertools.repeat, order, itertools.repeat(L, U)))
        )
        if unit_col != repeated or len(set(order)) != U:
            return None
        # each leaf's column is a slice: its largest value against the leaf's maximum
        if any(max(micros[j::L]) > top for j, top in enumerate(cf.leaf_max)):
            return None
    else:
        lines = body.split("\n")
        if set(map(str.count, lines, itertools.repeat(",", len(lines)))) != {n - 1}:
            return None
        js = list(map(cf.leaf_index.get, code_col))
        if None in js:
            return None
        if any(map(operator.gt, micros, map(cf.leaf_max.__getitem__, js))):  # type: ignore[arg-type]
            return None
        order = list(dict.fromkeys(unit_col))
        U = len(order)
        base = {u: i * L for i, u in enumerate(order)}
        slots = list(map(operator.add, map(base.__getitem__, unit_col), js))  # type: ignore[arg-type]
        values = [MISSING] * (L * U)
        collections.deque(map(values.__setitem__, slots, micros), maxlen=0)
        if len(values) - values.count(MISSING) != len(slots):
            return None  # a unit + code given twice
        micros = values
    if any(not u or u != u.strip() for u in order):
        return None
    if known_units is not None and not all(u in known_units for u in order):
        return None
    return ScoreTable(cf.leaf_codes, order, micros)


def _duplicate_problems(
    name: str,
    path: str | Path,
    cf: CompiledFramework,
    units: list[str],
    duplicates: list[tuple[int, int]],
) -> list[Problem]:
    """Name the first line of each duplicated unit + code (a second, rare pass)."""
    L = cf.n_leaves
    wanted = {(units[k // L], cf.leaf_codes[k % L]) for k, _ in duplicates}
    first: dict[tuple[str, str], int] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        head = [h.strip().lower() for h in next(reader)]
        iu, ic = head.index("unit"), head.index("code")
        for row in reader:
            if len(row) > max(iu, ic):
                key = (row[iu].strip(), row[ic].strip())
                if key in wanted and key not in first:
                    first[key] = reader.line_num
    out = []
    for k, line in duplicates:
        unit, code = units[k // L], cf.leaf_codes[k % L]
        out.append(
            Problem(
                name,
                line,
                "code",
                f"trùng đơn vị {unit!r} + mã {code!r} "
                f"(đã có ở dòng {first.get((unit, code), '?')})",
            )
        )
    return out


def _width_reason(got: int, expected: int) -> str:
    reason = f"dòng có {got} cột, dòng tiêu đề có {expected} cột"
    if got > expected:
        reason += ' (số có dấu phẩy thập phân phải đặt trong ngoặc kép, ví dụ "12,5")'
    return reason


def read_units(path: str | Path) -> dict[str, UnitInfo]:
    """Units CSV ``unit,name,group`` → ``{unit: UnitInfo}`` (file order)."""
    name = str(path)
    problems: list[Problem] = []
    rows = _rows(path, problems)
    pos = _header(name, rows, ("unit",), ("name", "group"), problems)
    if pos is None:
        raise FormatError(problems)
    iu, iname, igroup, _ = pos
    out: dict[str, UnitInfo] = {}
    seen: dict[str, int] = {}
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        unit = row[iu].strip() if len(row) > iu else ""
        if not unit:
            problems.append(Problem(name, line, "unit", "thiếu mã đơn vị"))
            continue
        if unit in seen:
            problems.append(
                Problem(name, line, "unit", f"đơn vị {unit!r} bị trùng (dòng {seen[unit]})")
            )
            continue
        seen[unit] = line

        out[unit] = UnitInfo(_cell(row, iname), _cell(row, igroup))
    if problems:
        raise FormatError(problems)
    return out


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if 0 <= i < len(row) else ""


def read_metrics(
    path: str | Path, known_units: set[str] | None = None, warnings: list[str] | None = None
) -> dict[str, dict[str, Decimal]]:
    """Metrics CSV ``unit,metric,value`` → ``{unit: {metric: value}}``, values 0–100.

    With ``known_units``, rows of other units are skipped and counted in ``warnings``.
    """
    name = str(path)
    problems: list[Problem] = []
    rows = _rows(path, problems)
    pos = _header(name, rows, ("unit", "metric", "value"), (), problems)
    if pos is None:
        raise FormatError(problems)
    iu, im, iv, _ = pos
    width = max(pos[:-1]) + 1
    out: dict[str, dict[str, Decimal]] = {}
    seen: dict[tuple[str, str], int] = {}
    skipped: set[str] = set()
    parsed: dict[str, Decimal] = {}
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(row) < width:
            problems.append(Problem(name, line, None, _width_reason(len(row), width)))
            continue
        unit, metric, text = row[iu].strip(), row[im].strip(), row[iv]
        if not unit:
            problems.append(Problem(name, line, "unit", "thiếu mã đơn vị"))
            continue
        if not metric:
            problems.append(Problem(name, line, "metric", "thiếu tên chỉ số"))
            continue
        value = parsed.get(text)
        if value is None:
            try:
                value = parsed[text] = parse_decimal(text)
            except ValueError as exc:
                problems.append(Problem(name, line, "value", f"giá trị {exc}"))
                continue
        if value < 0 or value > 100:
            problems.append(
                Problem(
                    name, line, "value", f"giá trị {text.strip()} nằm ngoài khoảng [0, 100] (%)"
                )
            )
            continue
        key = (unit, metric)
        if key in seen:
            problems.append(
                Problem(
                    name,
                    line,
                    "metric",
                    f"trùng đơn vị {unit!r} + chỉ số {metric!r} (dòng {seen[key]})",
                )
            )
            continue
        seen[key] = line
        if known_units is not None and unit not in known_units:
            skipped.add(unit)
            continue
        out.setdefault(unit, {})[metric] = value
    if problems:
        raise FormatError(problems)
    if skipped and warnings is not None:
        sample = ", ".join(sorted(skipped)[:5])
        warnings.append(
            f"{name}: bỏ qua số liệu của {len(skipped)} đơn vị không có trong bảng điểm ({sample}…)"
        )
    return out


def read_previous(path: str | Path) -> dict[str, PreviousResult]:
    """A previous results file (CSV or JSON) → ``{unit: PreviousResult(index, rank)}``."""
    name = str(path)
    problems: list[Problem] = []
    records: list[tuple[int | None, dict[str, str]]] = []
    if str(path).lower().endswith(".json"):
        import json

        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise FormatError([Problem(name, None, None, f"không đọc được JSON: {exc}")]) from exc
        if not isinstance(data, list):
            raise FormatError([Problem(name, None, None, "JSON phải là danh sách kết quả")])
        for i, rec in enumerate(data, 1):
            if not isinstance(rec, dict):
                problems.append(Problem(name, None, f"mục {i}", "không phải đối tượng"))
                continue
            records.append((None, {k: "" if v is None else str(v) for k, v in rec.items()}))
    else:
        rows = _rows(path, problems)
        pos = _header(name, rows, ("unit", "index", "rank"), (), problems)
        if pos is None:
            raise FormatError(problems)
        iu, ii, ir, _ = pos
        for line, row in rows:
            if not any(c.strip() for c in row):
                continue
            if len(row) <= max(pos[:-1]):
                problems.append(Problem(name, line, None, f"dòng có {len(row)} cột"))
                continue
            records.append((line, {"unit": row[iu], "index": row[ii], "rank": row[ir]}))
    out: dict[str, PreviousResult] = {}
    for line, rec in records:
        unit = rec.get("unit", "").strip()
        if not unit:
            problems.append(Problem(name, line, "unit", "thiếu mã đơn vị"))
            continue
        index: Decimal | None = None
        rank: int | None = None
        text = rec.get("index", "").strip()
        if text:
            try:
                index = parse_decimal(text)
            except ValueError as exc:
                problems.append(Problem(name, line, "index", f"chỉ số {exc}"))
        text = rec.get("rank", "").strip()
        if text:
            if text.isdigit() and int(text) > 0:
                rank = int(text)
            else:
                problems.append(Problem(name, line, "rank", f"thứ hạng không hợp lệ: {text!r}"))
        if unit in out:
            problems.append(Problem(name, line, "unit", f"đơn vị {unit!r} bị trùng"))
        out[unit] = PreviousResult(index, rank)
    if problems:
        raise FormatError(problems)
    return out


def read_rating(path: str | Path) -> RatingScheme:
    """Rating YAML (DESIGN §5) → :class:`RatingScheme`, every problem with its line."""
    import yaml  # only when a rating file is given

    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise FormatError(
            [Problem(name, None, None, f"không mở được tệp: {exc.strerror}")]
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FormatError([Problem(name, line, None, f"YAML không hợp lệ: {detail}")]) from exc
    problems: list[Problem] = []

    def line_of(node: Any) -> int:
        return int(node.start_mark.line) + 1

    if not isinstance(root, yaml.MappingNode):
        raise FormatError([Problem(name, 1, None, "cần khóa classes (và conditions)")])
    top = {k.value: v for k, v in root.value}
    classes: list[tuple[str, Decimal]] = []
    conditions: list[Condition] = []

    def items(key: str) -> list[tuple[int, dict[str, str]]]:
        node = top.get(key)
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            problems.append(Problem(name, line_of(node), key, f"{key} phải là danh sách"))
            return []
        out = []
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                problems.append(Problem(name, line_of(item), key, "mỗi mục phải có các khóa"))
                continue
            out.append(
                (
                    line_of(item),
                    {
                        k.value: str(v.value)
                        for k, v in item.value
                        if isinstance(v, yaml.ScalarNode)
                    },
                )
            )
        return out

    if "classes" not in top:
        problems.append(Problem(name, 1, "classes", "thiếu danh sách classes"))
    for line, item in items("classes"):
        if not item.get("name") or "min" not in item:
            problems.append(Problem(name, line, "classes", "mỗi mức cần name và min"))
            continue
        try:
            classes.append((item["name"], parse_decimal(item["min"])))
        except ValueError as exc:
            problems.append(Problem(name, line, "min", f"ngưỡng {exc}"))
    for line, item in items("conditions"):
        absent = [k for k in ("metric", "op", "value", "cap") if not item.get(k)]
        if absent:
            problems.append(
                Problem(name, line, "conditions", f"điều kiện thiếu {', '.join(absent)}")
            )
            continue
        try:
            value = parse_decimal(item["value"])
        except ValueError as exc:
            problems.append(Problem(name, line, "value", f"giá trị {exc}"))
            continue
        cond = Condition(item["metric"], item["op"], value, item["cap"], item.get("reason", ""))
        conditions.append(cond)
    if problems:
        raise FormatError(problems)
    try:
        return RatingScheme(tuple(classes), tuple(conditions))
    except ValueError as exc:
        raise FormatError([Problem(name, None, None, r) for r in str(exc).split("; ")]) from exc


# --- writers -------------------------------------------------------------------------


def round_ratio(num: int, den: int, decimals: int) -> str:
    """``num / den`` (``den`` > 0) rounded half away from zero to ``decimals`` places."""
    scale = 10**decimals
    neg = num < 0
    q = (2 * abs(num) * scale + den) // (2 * den)
    digits = str(q)
    if decimals:
        digits = digits.rjust(decimals + 1, "0")
        digits = f"{digits[:-decimals]}.{digits[-decimals:]}"
    return f"-{digits}" if neg and q else digits


def round_fraction(x: Fraction, decimals: int) -> str:
    """``x`` rounded half away from zero to ``decimals`` places, dot decimal."""
    return round_ratio(x.numerator, x.denominator, decimals)


def round_micro(micro: int, decimals: int) -> str:
    return round_ratio(micro, 1_000_000, decimals)


def result_columns(cf: CompiledFramework, with_change: bool) -> list[str]:
    cols = ["unit", "group", "points", "max_points", "index", "rank", "rating"]
    for code in cf.area_codes:
        cols += [f"area_{code}_points", f"area_{code}_index"]
    if with_change:
        cols += ["index_change", "rank_change"]
    cols.append("rating_reasons")
    return cols


def result_rows(
    results: Sequence[UnitResult], cf: CompiledFramework, decimals: int, with_change: bool
) -> Iterator[list[str]]:
    """Display rows (strings) in :func:`result_columns` order."""
    scale = 10**decimals
    point_fmt = f"%d.%0{decimals}d" if decimals else "%d"
    div = 10 ** (6 - decimals)
    half = div // 2

    def pts(micro: int) -> str:  # micro ≥ 0, rounded half-up
        q = (micro + half) // div
        return point_fmt % divmod(q, scale) if decimals else point_fmt % q

    def ratio(num: int, den: int) -> str:  # num ≥ 0, den > 0, rounded half-up
        q = (2 * num * scale + den) // (2 * den)
        return point_fmt % divmod(q, scale) if decimals else point_fmt % q

    micro_den = 2 * div  # points: (2 × micro + div) // (2 × div), i.e. half-up
    seen: dict[tuple[int, int], tuple[str, str]] = {}
    for r in results:
        m = r.max_micro
        p = r.points_micro
        rating = r.rating
        row = [
            r.unit,
            r.group,
            pts(p),
            "" if m is None else pts(m),
            "" if not m else ratio(p * 100, m),
            "" if r.rank is None else str(r.rank),
            "" if rating is None or rating.name is None else rating.name,
        ]
        for ap, am in zip(r.area_points_micro, r.area_max_micro, strict=True):
            if am:
                # Area values repeat a lot across units: format each distinct one once.
                shown = seen.get((ap, am))
                if shown is None:
                    q = (2 * ap + div) // micro_den
                    q2 = (200 * ap * scale + am) // (2 * am)
                    if decimals:
                        shown = (point_fmt % divmod(q, scale), point_fmt % divmod(q2, scale))
                    else:
                        shown = (point_fmt % q, point_fmt % q2)
                    seen[ap, am] = shown
                row += shown
            elif am is None:
                row += ("", "")
            else:
                row += (pts(ap), "")
        if with_change:
            row.append("" if r.index_change is None else round_fraction(r.index_change, decimals))
            row.append("" if r.rank_change is None else str(r.rank_change))
        row.append("" if rating is None else "; ".join(rating.reasons()))
        yield row


def write_results(
    results: Sequence[UnitResult],
    cf: CompiledFramework,
    out: IO[str],
    fmt: str = "csv",
    decimals: int = 2,
    with_change: bool = False,
) -> None:
    """Write results as CSV or JSON (see the module docstring for the columns)."""
    cols = result_columns(cf, with_change)
    rows = result_rows(results, cf, decimals, with_change)
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)
        return
    import json

    text_cols = {"unit", "group", "rating", "rating_reasons"}
    out.write("[")
    for n, row in enumerate(rows):
        fields = []
        for c, v in zip(cols, row, strict=True):
            # display-rounded digits are written as JSON numbers, exactly as shown
            value = json.dumps(v, ensure_ascii=False) if c in text_cols else v or "null"
            fields.append(f'"{c}": {value}')
        out.write(("\n " if n == 0 else ",\n ") + "{" + ", ".join(fields) + "}")
    out.write("\n]\n")


def results_to_string(
    results: Sequence[UnitResult],
    cf: CompiledFramework,
    fmt: str = "csv",
    decimals: int = 2,
    with_change: bool = False,
) -> str:
    buf = io.StringIO()
    write_results(results, cf, buf, fmt, decimals, with_change)
    return buf.getvalue()
