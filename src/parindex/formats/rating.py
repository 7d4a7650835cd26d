"""Rating classes file (DESIGN §5): YAML ``classes: [{name, min}]`` highest first and
optional ``conditions: [{metric, op, value, cap, reason}]``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from parindex.engine.rating import Condition, RatingScheme
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import parse_decimal
from parindex.formats.text import SafeLoader, Source, read_text_file, text_of

__all__ = ["rating_from_text", "read_rating"]


def read_rating(path: str | Path) -> RatingScheme:
    """A rating YAML file → :class:`RatingScheme`, every problem with its line."""
    return rating_from_text(read_text_file(path), name=str(path))


def rating_from_text(source: Source, *, name: str) -> RatingScheme:
    """Rating YAML text → :class:`RatingScheme`; :class:`FormatError` with every problem."""
    try:
        root = yaml.compose(text_of(source), Loader=SafeLoader)
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
