"""Scoring rules: how a leaf turns an input value into points (DESIGN §4).

This docstring is the contract that framework files (YAML ``rule: {type, ...params}``)
follow. Every result is an exact :class:`~decimal.Decimal` with at most
:data:`POINT_DECIMALS` (6) decimals, never negative and never above the leaf's maximum.
A result whose exact value needs more than 6 decimals (e.g. 10 × 1/3) is rounded half-even
to 6 decimals — the engine's fixed precision; every input with up to 6 decimals is exact.
An input outside the rule's domain raises :class:`RuleInputError` (a ``ValueError``)
whose message says why, in Vietnamese.

Rule types and their parameters (``max`` = the leaf's ``max_points``):

``manual`` (or no rule)
    The value is the points themselves, a number in ``[0, max]`` with at most 6 decimals.

``binary``
    Done / not done. Truthy values ``1, co, có, x, yes, true, đạt`` (any case) or
    ``True`` give ``points`` (default ``max``); falsy values ``0, khong, không, no, false,
    chưa đạt`` or an empty string or ``False`` give 0. Anything else is an error.
    Params: ``points`` (optional, 0 ≤ points ≤ max).

``tiers``
    Categorical. Params: ``tiers: [{label, points}, …]`` (labels unique, 0 ≤ points ≤ max).
    The value is a label (exact, case- and diacritic-sensitive match) or its 1-based
    position in the list (``2`` = second tier) when no label equals the value.

``bands``
    Percentage bands. Params: ``bands: [{min, max, points, min_inclusive, max_inclusive}]``.
    ``min_inclusive`` defaults to true; ``max_inclusive`` defaults to false, except for the
    band with the highest ``max`` where it defaults to true. The bands must cover
    ``[0, 100]`` exactly, without overlap or gap ("trên 90%" is ``min: 90,
    min_inclusive: false``). The value is a percentage in ``[0, 100]``.

``proportional``
    Params: ``scale`` (default 100), ``threshold`` (optional), ``floor`` (default 0),
    ``cap`` (default max; ≤ max). The value is in ``[0, scale]``. A value below
    ``threshold`` gives 0 points; otherwise points = max × value / scale, then clamped to
    ``[floor, cap]``.

``count``
    Params: ``per`` (> 0, points per item), ``cap`` (default max; ≤ max). The value is a
    non-negative whole number of items; points = min(count × per, cap).

``deduction``
    Params: ``per`` (> 0, points lost per violation), ``floor`` (default 0; ≤ max). The
    value is a non-negative whole number of violations; points = max(max − count × per,
    floor).

``survey``
    Params: ``scale_min`` (default 1), ``scale_max`` (default 5; > scale_min). The value is
    the mean answer, in ``[scale_min, scale_max]``; points = max × (mean − scale_min) /
    (scale_max − scale_min).

``metric``
    External metric conversion (SIPAS, satisfaction index, statistics). Params: ``metric``
    (the metric's name in the metrics file, e.g. ``sipas``), ``scale`` (default 100). The
    value must be ≥ 0; points = max × value / scale, clamped to ``[0, max]``. The default
    SIPAS conversion "10 × SIPAS% / 100" is ``{type: metric, metric: sipas}`` on a leaf of
    max 10. When a leaf with a ``metric`` rule has no score, ``parindex compute`` takes its
    value from the metrics file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from parindex.engine.framework import RULE_TYPES, Rule
from parindex.engine.numtext import range_text, vn_number

#: Points keep this many decimals (the engine's fixed-point precision).
POINT_DECIMALS = 6
_QUANTUM = Decimal(1).scaleb(-POINT_DECIMALS)

TRUTHY: frozenset[str] = frozenset({"1", "co", "có", "x", "yes", "true", "đạt"})
FALSY: frozenset[str] = frozenset({"0", "khong", "không", "no", "false", "chưa đạt", ""})

#: The one grammar of a number typed as text: optional sign, digits, then a dot or a
#: decimal comma and digits; surrounding spaces allowed. ``parindex.formats.numbers``
#: reads every file's numbers with it (the engine may not import formats).
NUMBER_RE = re.compile(r"\s*([+-]?)(\d+)(?:[.,](\d+))?\s*")


class RuleInputError(ValueError):
    """The value given to a rule is outside its domain. ``str(e)`` is the reason."""


def parse_number(value: object) -> Decimal:
    """Parse a number given as Decimal, int, float or text (dot or decimal comma).

    Raises :class:`RuleInputError` for anything else (including NaN and infinities).
    """
    if isinstance(value, bool):
        raise RuleInputError(f"giá trị không phải là số: {value!r}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise RuleInputError(f"giá trị không phải là số hữu hạn: {value}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise RuleInputError(f"giá trị không phải là số hữu hạn: {value}")
        return Decimal(repr(value))
    if isinstance(value, Fraction):
        return _to_decimal(value)
    if isinstance(value, str):
        m = NUMBER_RE.fullmatch(value)
        if m is None:
            raise RuleInputError(f"giá trị không phải là số: {value!r}")
        sign, whole, frac = m.groups()
        try:
            return Decimal(f"{sign}{whole}.{frac or '0'}")
        except InvalidOperation as exc:  # pragma: no cover - regex guarantees digits
            raise RuleInputError(f"giá trị không phải là số: {value!r}") from exc
    raise RuleInputError(f"giá trị không phải là số: {value!r}")


def _to_decimal(x: Fraction) -> Decimal:
    """Exact when the fraction has ≤ 6 decimals, otherwise rounded half-even to 6."""
    scaled = x * 10**POINT_DECIMALS
    if scaled.denominator == 1:
        return Decimal(scaled.numerator).scaleb(-POINT_DECIMALS).normalize() + 0
    q = Decimal(scaled.numerator) / Decimal(scaled.denominator)
    return q.quantize(Decimal(1), rounding=ROUND_HALF_EVEN).scaleb(-POINT_DECIMALS)


def _finish(points: Fraction, maximum: Fraction) -> Decimal:
    if points < 0:
        points = Fraction(0)
    if points > maximum:
        points = maximum
    return _fmt(_to_decimal(points))


def _fmt(d: Decimal) -> Decimal:
    """Drop trailing zeros but never use exponent notation for integers (5, not 5E+0)."""
    if d == 0:
        return Decimal(0)
    n = d.normalize()
    if n.as_tuple().exponent > 0:  # type: ignore[operator]
        return n.quantize(Decimal(1))
    return n


def _param(params: Mapping[str, Any], name: str, default: Fraction | None) -> Fraction | None:
    raw = params.get(name)
    if raw is None:
        return default
    return Fraction(parse_number(raw))


def _req(params: Mapping[str, Any], name: str, default: Fraction) -> Fraction:
    v = _param(params, name, default)
    assert v is not None
    return v


def _whole(value: object, what: str) -> int:
    n = parse_number(value)
    if n != n.to_integral_value() or n < 0:
        raise RuleInputError(f"{what} phải là số nguyên không âm, nhận được {value!r}")
    return int(n)


def _truth(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUTHY:
        return True
    if text in FALSY:
        return False
    raise RuleInputError(
        f"giá trị {value!r} không hiểu được là đạt/không đạt (dùng 1/0, có/không, x, đạt)"
    )


def band_bounds(
    bands: list[Mapping[str, Any]],
) -> list[tuple[Fraction, bool, Fraction, bool, Fraction]]:
    """Bands as ``(min, min_inclusive, max, max_inclusive, points)`` with defaults applied."""
    raw = [(Fraction(parse_number(b["min"])), Fraction(parse_number(b["max"]))) for b in bands]
    top = max(hi for _, hi in raw) if raw else Fraction(0)
    out = []
    for b, (lo, hi) in zip(bands, raw, strict=True):
        lo_inc = bool(b.get("min_inclusive", True))
        hi_inc = bool(b.get("max_inclusive", hi == top))
        out.append((lo, lo_inc, hi, hi_inc, Fraction(parse_number(b["points"]))))
    return out


def points_for(rule: Rule | None, max_points: Decimal, value: object) -> Decimal:
    """Points a leaf of maximum ``max_points`` earns for ``value`` under ``rule``.

    See the module docstring for each rule type. Raises :class:`RuleInputError` when
    the value is outside the rule's domain, ``ValueError`` when the rule itself is invalid.
    """
    mx = Fraction(max_points)
    kind = "manual" if rule is None else rule.type
    params: Mapping[str, Any] = {} if rule is None else rule.params
    if kind == "manual":
        given = parse_number(value)
        if given < 0 or given > max_points:
            raise RuleInputError(
                f"điểm {vn_number(given)} nằm ngoài khoảng {_range(0, max_points)}"
            )
        if given != given.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN):
            raise RuleInputError(
                f"điểm {vn_number(given)} có quá {POINT_DECIMALS} chữ số thập phân"
            )
        return _fmt(given)
    if kind == "binary":
        pts = _req(params, "points", mx)
        return _finish(pts if _truth(value) else Fraction(0), mx)
    if kind == "tiers":
        tiers = list(params.get("tiers") or [])
        for tier in tiers:
            if str(tier.get("label")) == (value if isinstance(value, str) else str(value)):
                return _finish(Fraction(parse_number(tier["points"])), mx)
        try:
            idx = _whole(value, "thứ tự mức")
        except RuleInputError:
            idx = 0
        if 1 <= idx <= len(tiers):
            return _finish(Fraction(parse_number(tiers[idx - 1]["points"])), mx)
        labels = ", ".join(str(t.get("label")) for t in tiers)
        raise RuleInputError(f"mức {value!r} không có trong danh sách: {labels}")
    if kind == "bands":
        pct = Fraction(parse_number(value))
        if pct < 0 or pct > 100:
            raise RuleInputError(f"tỷ lệ {vn_number(value)} nằm ngoài khoảng [0, 100]")
        for lo, lo_inc, hi, hi_inc, pts in band_bounds(list(params.get("bands") or [])):
            above = pct >= lo if lo_inc else pct > lo
            below = pct <= hi if hi_inc else pct < hi
            if above and below:
                return _finish(pts, mx)
        raise RuleInputError(f"tỷ lệ {vn_number(value)} không thuộc khoảng điểm nào")
    if kind in ("proportional", "metric"):
        scale = _req(params, "scale", Fraction(100))
        v = Fraction(parse_number(value))
        if v < 0:
            raise RuleInputError(f"giá trị {vn_number(value)} âm")
        if kind == "metric":
            return _finish(mx * v / scale, mx)
        if v > scale:
            raise RuleInputError(f"giá trị {vn_number(value)} lớn hơn thang {vn_number(scale)}")
        threshold = _param(params, "threshold", None)
        if threshold is not None and v < threshold:
            return Decimal(0)
        pts = mx * v / scale
        floor = _req(params, "floor", Fraction(0))
        cap = _req(params, "cap", mx)
        pts = max(floor, min(pts, cap))
        return _finish(pts, mx)
    if kind == "count":
        n = _whole(value, "số lượng")
        per = _req(params, "per", Fraction(0))
        cap = _req(params, "cap", mx)
        return _finish(min(n * per, cap), mx)
    if kind == "deduction":
        n = _whole(value, "số vi phạm")
        per = _req(params, "per", Fraction(0))
        floor = _req(params, "floor", Fraction(0))
        return _finish(max(mx - n * per, floor), mx)
    if kind == "survey":
        lo = _req(params, "scale_min", Fraction(1))
        hi = _req(params, "scale_max", Fraction(5))
        v = Fraction(parse_number(value))
        if v < lo or v > hi:
            raise RuleInputError(
                f"điểm trung bình {vn_number(value)} nằm ngoài thang {_range(lo, hi)}"
            )
        return _finish(mx * (v - lo) / (hi - lo), mx)
    raise ValueError(f"loại cách chấm không hợp lệ: {kind!r}")


def rule_problems(rule: Rule, max_points: Decimal | None) -> list[str]:
    """Reasons (Vietnamese) why ``rule``'s parameters are invalid; empty when valid."""
    if rule.type not in RULE_TYPES:
        return [f"loại cách chấm không hợp lệ: {rule.type!r} (hợp lệ: {', '.join(RULE_TYPES)})"]
    p = rule.params
    out: list[str] = []
    mx = None if max_points is None else Fraction(max_points)

    def num(name: str) -> Fraction | None:
        if p.get(name) is None:
            return None
        try:
            return Fraction(parse_number(p[name]))
        except RuleInputError:
            out.append(f"tham số {name} không phải là số: {p[name]!r}")
            return None

    def at_most_max(name: str, v: Fraction | None) -> None:
        if v is not None and v < 0:
            out.append(f"tham số {name} = {_show(v)} âm")
        if v is not None and mx is not None and v > mx:
            out.append(f"tham số {name} = {_show(v)} lớn hơn điểm tối đa {_show(max_points)}")

    def positive(name: str, v: Fraction | None, required: bool) -> None:
        if v is None:
            if required:
                out.append(f"thiếu tham số {name}")
        elif v <= 0:
            out.append(f"tham số {name} phải lớn hơn 0")

    if rule.type == "binary":
        at_most_max("points", num("points"))
    elif rule.type == "tiers":
        tiers = p.get("tiers")
        if not isinstance(tiers, list | tuple) or not tiers:
            return ["cách chấm theo mức cần danh sách tiers: [{label, points}]"]
        seen: set[str] = set()
        for i, t in enumerate(tiers, 1):
            if not isinstance(t, Mapping) or "label" not in t or "points" not in t:
                out.append(f"mức thứ {i} cần label và points")
                continue
            label = str(t["label"])
            if label in seen:
                out.append(f"mức {label!r} bị trùng")
            seen.add(label)
            try:
                at_most_max(f"points của mức {label!r}", Fraction(parse_number(t["points"])))
            except RuleInputError:
                out.append(f"điểm của mức {label!r} không phải là số")
    elif rule.type == "bands":
        out.extend(_band_problems(p.get("bands"), max_points))
    elif rule.type == "proportional":
        scale = num("scale")
        positive("scale", scale, False)
        floor, cap = num("floor"), num("cap")
        at_most_max("floor", floor)
        at_most_max("cap", cap)
        if floor is not None and cap is not None and floor > cap:
            out.append(f"floor {_show(floor)} lớn hơn cap {_show(cap)}")
        thr = num("threshold")
        if thr is not None and thr < 0:
            out.append("tham số threshold âm")
    elif rule.type == "count":
        positive("per", num("per"), True)
        at_most_max("cap", num("cap"))
    elif rule.type == "deduction":
        positive("per", num("per"), True)
        at_most_max("floor", num("floor"))
    elif rule.type == "survey":
        lo, hi = num("scale_min"), num("scale_max")
        lo = Fraction(1) if lo is None else lo
        hi = Fraction(5) if hi is None else hi
        if hi <= lo:
            out.append(f"scale_max {_show(hi)} phải lớn hơn scale_min {_show(lo)}")
    elif rule.type == "metric":
        if not p.get("metric"):
            out.append("thiếu tham số metric (tên chỉ số, ví dụ sipas)")
        positive("scale", num("scale"), False)
    return out


def _show(x: Fraction | Decimal | None) -> str:
    return vn_number(_fmt(_to_decimal(x)) if isinstance(x, Fraction) else x)


def _range(lo: object, hi: object) -> str:
    """:func:`~parindex.engine.numtext.range_text` of the rule's bounds (fractions shown as
    the rule shows them)."""
    return range_text(
        _show(lo) if isinstance(lo, Fraction | Decimal) else lo,
        _show(hi) if isinstance(hi, Fraction | Decimal) else hi,
    )


def _band_problems(bands: object, max_points: Decimal | None) -> list[str]:
    if not isinstance(bands, list | tuple) or not bands:
        return ["cách chấm theo khoảng cần danh sách bands: [{min, max, points}]"]
    out: list[str] = []
    for i, b in enumerate(bands, 1):
        if not isinstance(b, Mapping) or not all(k in b for k in ("min", "max", "points")):
            return [f"khoảng thứ {i} cần min, max và points"]
    try:
        parsed = band_bounds(list(bands))
    except RuleInputError as exc:
        return [f"khoảng điểm không hợp lệ: {exc}"]
    for lo, _, hi, _, pts in parsed:
        if lo > hi:
            out.append(f"khoảng {_show(lo)}–{_show(hi)}: min lớn hơn max")
        if pts < 0 or (max_points is not None and pts > Fraction(max_points)):
            out.append(
                f"khoảng {_show(lo)}–{_show(hi)}: điểm {_show(pts)} nằm ngoài "
                f"{_range(0, max_points)}"
            )
    if out:
        return out
    # Walk the bands in order and check they tile [0, 100] exactly.
    ordered = sorted(parsed, key=lambda b: (b[0], not b[1]))
    pos, pos_covered = Fraction(0), False  # everything below pos covered; pos itself?
    first = ordered[0]
    if first[0] != 0 or not first[1]:
        out.append("các khoảng không bắt đầu từ 0% (kể cả 0)")
    for k, (lo, lo_inc, hi, hi_inc, _) in enumerate(ordered):
        if k > 0:
            if lo < pos or (lo == pos and pos_covered and lo_inc):
                out.append(f"khoảng {_show(lo)}–{_show(hi)} chồng lên khoảng trước")
            elif lo > pos or (lo == pos and not pos_covered and not lo_inc):
                out.append(f"có khoảng trống giữa {_show(pos)} và {_show(lo)}")
        pos, pos_covered = hi, hi_inc
    if pos != 100 or not pos_covered:
        out.append("các khoảng không phủ đến 100% (kể cả 100)")
    return out
