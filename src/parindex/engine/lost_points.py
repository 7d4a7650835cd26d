"""Lost points (DESIGN §5 ``unit,code,name,level,max_points,points,lost``): the nodes of a
unit's scores below their maximum, largest loss first.

One rule (issue 12, :func:`loss`): a node loses its applicable maximum minus its points; a
penalty node loses the points deducted; an unearned bonus is not a loss; N/A nodes are left
out. Rows are ordered by loss (largest first), then code in natural order (1.2 < 1.10).

Pure: plain data in, plain data out. ``parindex lost-points`` feeds it every node of the
computed scores, the unit page the stored node results, the reports their leaves
(:func:`losses_by_criterion`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "LeafPoints",
    "LostRow",
    "NodePoints",
    "loss",
    "losses_by_criterion",
    "lost_points",
    "natural_key",
]


@dataclass(frozen=True, slots=True)
class NodePoints:
    """One node of a unit's scores: ``max_points`` is ``None`` when not applicable."""

    code: str
    name: str
    level: int
    max_points: Decimal | None
    points: Decimal | None
    #: The node's points source: ``"penalty"`` and ``"bonus"`` follow their own rule.
    source: str = "self"


@dataclass(frozen=True, slots=True)
class LeafPoints:
    """One unit's points on one leaf (``points`` ``None``: not scored, counts 0)."""

    group: str
    unit: str
    code: str
    max_points: Decimal | None
    points: Decimal | None
    not_applicable: bool = False
    source: str = "self"


@dataclass(frozen=True, slots=True)
class LostRow:
    code: str
    name: str
    #: Depth in the framework: 1 = area, 2 = criterion, 3+ = sub-criterion.
    level: int
    max_points: Decimal
    points: Decimal
    lost: Decimal

    @property
    def depth(self) -> int:
        """The framework's name for :attr:`level`."""
        return self.level


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of codes and names with their numbers compared as numbers (1.2 < 1.10)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def loss(
    max_points: Decimal | None, points: Decimal | None, source: str = "self"
) -> Decimal | None:
    """Points lost on one node; ``None`` when it is not applicable, has no points or is a
    bonus (an unearned bonus is not a loss). A penalty node loses the points deducted."""
    if max_points is None or points is None or source == "bonus":
        return None
    return points if source == "penalty" else max_points - points


def lost_points(nodes: Iterable[NodePoints]) -> list[LostRow]:
    """The nodes that lost points (:func:`loss` > 0), largest loss first, then by code in
    natural order; N/A nodes, bonus nodes and nodes at their maximum are left out."""
    rows = []
    for n in nodes:
        if n.max_points is None or n.points is None:
            continue  # not applicable, or not scored
        lost = loss(n.max_points, n.points, n.source)
        if lost is not None and lost > 0:
            rows.append(LostRow(n.code, n.name, n.level, n.max_points, n.points, lost))
    return sorted(rows, key=lambda r: (-r.lost, natural_key(r.code)))


def losses_by_criterion(
    leaves: Iterable[LeafPoints], *, levels: int = 2
) -> dict[tuple[str, str], dict[str, Decimal]]:
    """Per (group, criterion), the points each unit lost on the leaves below it (the
    criterion is the first ``levels`` parts of a leaf's code: ``1.2`` for ``1.2.3``);
    a leaf not scored counts 0; N/A leaves and leaves without a positive maximum are left
    out, and so are units that lost nothing there. Each leaf's loss is :func:`loss`."""
    lost: dict[tuple[str, str], dict[str, Decimal]] = {}
    for leaf in leaves:
        if leaf.not_applicable or leaf.max_points is None or leaf.max_points <= 0:
            continue
        got = loss(leaf.max_points, leaf.points or Decimal(0), leaf.source)
        if got is not None and got > 0:
            crit = ".".join(leaf.code.split(".")[:levels])
            per_unit = lost.setdefault((leaf.group, crit), {})
            per_unit[leaf.unit] = per_unit.get(leaf.unit, Decimal(0)) + got
    return lost
