"""Small frameworks built directly from the engine dataclasses, for the engine tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from parindex.engine.framework import Framework, Node, Rule


def D(x: object) -> Decimal:
    return Decimal(str(x))


def leaf(
    code: str, max_points: object, source: str = "self", rule: Rule | None = None, **kw: Any
) -> Node:
    return Node(code, f"Tiêu chí {code}", D(max_points), source=source, rule=rule, **kw)


def parent(code: str, max_points: object, *children: Node, **kw: Any) -> Node:
    return Node(code, f"Nhóm {code}", D(max_points), children=children, **kw)


def framework(*areas: Node, total: object | None = None) -> Framework:
    tot = None if total is None else D(total)
    return Framework("test", "Bộ tiêu chí thử", total=tot, nodes=areas)


def small() -> Framework:
    """Two areas of 6 and 4 points; area 1 has a bonus leaf, area 2 a penalty leaf.

    1 (6): 1.1 (3), 1.2 (3), 1.3 bonus (1)
    2 (4): 2.1 (2), 2.2 (2), 2.3 penalty (1)
    """
    return framework(
        parent("1", 6, leaf("1.1", 3), leaf("1.2", 3), leaf("1.3", 1, source="bonus")),
        parent("2", 4, leaf("2.1", 2), leaf("2.2", 2), leaf("2.3", 1, source="penalty")),
        total=10,
    )
