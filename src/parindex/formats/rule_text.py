"""The compact rule text of the Excel ``Cách chấm`` column and of the pages.

``Cách chấm`` syntax (numbers with decimal comma or dot; ``;`` separates items; a ``;``,
``=`` or ``\\`` inside a label is written ``\\;``, ``\\=``, ``\\\\``)::

    (empty)                                   no rule: points are given directly
    manual                                    the appraiser sets any value in [0, max]
    binary                                    done = max, not done = 0
    binary: points=1                          done = 1
    tiers: Kịp thời=1; Không kịp thời=0,5; Không ban hành=0
    bands: (90..100]=2; [70..90]=1; [0..70)=0 percentages; [ ] inclusive, ( ) exclusive
                                              bound; the bands tile [0..100]
    proportional: scale=100; floor=0; cap=2; threshold=50
    count: per=0,5; cap=2
    deduction: per=0,25; floor=0
    survey: scale_min=1; scale_max=5
    metric: metric=sipas_index; scale=100
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from parindex.engine.framework import RULE_TYPES, Rule
from parindex.formats.framework_yaml import BAND_KEYS, RULE_PARAMS, decimal_text, finish_rule
from parindex.formats.numbers import parse_grouped

__all__ = ["RULE_TYPE_LABELS", "describe_rule", "format_rule", "num_text", "parse_rule"]

#: How the pages name each rule type (one mapping for every page; a test keeps it complete).
RULE_TYPE_LABELS: dict[str, str] = {
    "manual": "Chấm trực tiếp",
    "binary": "Có/Không",
    "tiers": "Theo mức",
    "bands": "Theo khoảng tỷ lệ %",
    "proportional": "Tỷ lệ %",
    "count": "Theo số lượng",
    "deduction": "Trừ điểm theo số lần",
    "survey": "Điểm khảo sát",
    "metric": "Theo chỉ số",
}
#: The words of the rule parameters on the pages.
_PARAM_WORDS: dict[str, str] = {
    "points": "đạt được",
    "scale": "thang",
    "floor": "tối thiểu",
    "cap": "tối đa",
    "threshold": "ngưỡng",
    "per": "mỗi lần",
    "scale_min": "thang từ",
    "scale_max": "đến",
    "metric": "chỉ số",
}


def num_text(value: Decimal) -> str:
    """A number as written in the table: decimal comma, no trailing zeros."""
    return decimal_text(value).replace(".", ",")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace("=", "\\=")


def _split(text: str, sep: str) -> list[str]:
    """Split on unescaped ``sep``; escapes are kept for a later :func:`_unescape`."""
    parts, buf, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def _rsplit_eq(text: str) -> tuple[str, str] | None:
    parts = _split(text, "=")
    if len(parts) < 2:
        return None
    return "=".join(parts[:-1]), parts[-1]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def describe_rule(rule: Rule | None) -> str:
    """Rule → words for the pages: ``Theo mức: Kịp thời = 1; Không kịp thời = 0,5``,
    ``Có/Không (đạt được 1)``, ``Tỷ lệ %: thang 100; ngưỡng 50``; ``""`` for no rule."""
    if rule is None:
        return ""
    label = RULE_TYPE_LABELS.get(rule.type, rule.type)
    p = rule.params
    if rule.type == "tiers":
        items = [f"{t['label']} = {num_text(t['points'])}" for t in p.get("tiers", [])]
    elif rule.type == "bands":
        items = [
            f"{'[' if b.get('min_inclusive', True) else '('}{num_text(b['min'])}–"
            f"{num_text(b['max'])}{']' if b.get('max_inclusive', False) else ')'}% = "
            f"{num_text(b['points'])}"
            for b in p.get("bands", [])
        ]
    else:
        # In the order the type lists them (a jsonb column returns its keys sorted).
        keys = [k for k in RULE_PARAMS.get(rule.type, {}) if k in p]
        keys += [k for k in p if k not in keys]
        items = [
            f"{_PARAM_WORDS.get(k, k)} {num_text(p[k]) if isinstance(p[k], Decimal) else p[k]}"
            for k in keys
        ]
    if not items:
        return label
    if rule.type == "binary":
        return f"{label} ({'; '.join(items)})"
    return f"{label}: " + "; ".join(items)


def format_rule(rule: Rule | None) -> str:
    """Rule → the compact ``Cách chấm`` text (see the module docstring)."""
    if rule is None:
        return ""
    p = rule.params
    if rule.type == "tiers":
        items = [f"{_escape(str(t['label']))}={num_text(t['points'])}" for t in p.get("tiers", [])]
    elif rule.type == "bands":
        items = []
        for b in p.get("bands", []):
            lo = "[" if b.get("min_inclusive", True) else "("
            hi = "]" if b.get("max_inclusive", False) else ")"
            lo_v, hi_v = num_text(b["min"]), num_text(b["max"])
            items.append(f"{lo}{lo_v}..{hi_v}{hi}={num_text(b['points'])}")
    else:
        items = []
        for key, value in p.items():
            text = num_text(value) if isinstance(value, Decimal) else _escape(str(value))
            items.append(f"{key}={text}")
    if not items:
        return rule.type
    return f"{rule.type}: " + "; ".join(items)


_BAND_RE = re.compile(r"^([\[(])\s*([^\s]+?)\s*\.\.\s*([^\s\])]+)\s*([\])])$")


def parse_rule(text: str) -> tuple[Rule | None, list[str]]:
    """``Cách chấm`` text → (rule, reasons). Reasons are empty when the text is valid."""
    text = text.strip()
    if not text:
        return None, []
    head, _, body = text.partition(":")
    rtype = head.strip().lower()
    if rtype not in RULE_TYPES:
        return None, [f"cách chấm '{head.strip()}' không hợp lệ (dùng: {', '.join(RULE_TYPES)})"]
    errors: list[str] = []
    params: dict[str, Any] = {}
    items = [i.strip() for i in _split(body, ";")] if body.strip() else []
    items = [i for i in items if i]
    if rtype == "tiers":
        tiers = []
        for item in items:
            pair = _rsplit_eq(item)
            points = parse_grouped(_unescape(pair[1])) if pair else None
            if pair is None or points is None or not pair[0].strip():
                errors.append(f"mức '{item}' phải có dạng 'Tên mức=điểm'")
                continue
            tiers.append({"label": _unescape(pair[0]).strip(), "points": points})
        if not items:
            errors.append("tiers cần ít nhất một mức 'Tên mức=điểm'")
        params["tiers"] = tiers
    elif rtype == "bands":
        bands = []
        for item in items:
            pair = _rsplit_eq(item)
            m = _BAND_RE.match(pair[0].strip()) if pair else None
            points = parse_grouped(pair[1]) if pair else None
            if pair is None or m is None or points is None:
                errors.append(f"khoảng '{item}' phải có dạng '[70..90)=1'")
                continue
            band: dict[str, Any] = {}
            for raw, key, flag, bracket in (
                (m.group(2), "min", "min_inclusive", m.group(1)),
                (m.group(3), "max", "max_inclusive", m.group(4)),
            ):
                value = parse_grouped(raw)
                if value is None:
                    errors.append(f"cận '{raw}' trong '{item}' không phải là số")
                    continue
                band[key] = value
                band[flag] = bracket in "[]"
            band["points"] = points
            bands.append({k: band[k] for k in BAND_KEYS if k in band})
        if not items:
            errors.append("bands cần ít nhất một khoảng '[70..90)=1'")
        params["bands"] = bands
    else:
        spec = RULE_PARAMS[rtype]
        for item in items:
            pair = _rsplit_eq(item)
            if pair is None:
                errors.append(f"tham số '{item}' phải có dạng 'tên=giá trị'")
                continue
            key, raw = pair[0].strip(), _unescape(pair[1]).strip()
            if key not in spec:
                known = ", ".join(spec) or "không có tham số"
                errors.append(f"cách chấm '{rtype}' không có tham số '{key}' ({known})")
                continue
            if spec[key] == "number":
                value = parse_grouped(raw)
                if value is None:
                    errors.append(f"tham số '{key}' phải là số, không phải '{raw}'")
                    continue
                params[key] = value
            else:
                params[key] = raw
        if rtype == "metric" and "metric" not in params:
            errors.append("metric cần tham số 'metric=<tên chỉ số>'")
    return finish_rule(rtype, params), errors
