"""Lost points (DESIGN §5 ``unit,code,name,level,max_points,points,lost``): the nodes of a
unit's scores below their maximum, largest loss first.

Pure: plain data in, plain data out. The unit page feeds it the stored node results, the
reports their leaves (:func:`losses_by_criterion`).
"""

from __future__ import annotations

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
]


@dataclass(frozen=True, slots=True)
class NodePoints:
    """One node of a unit's scores: ``max_points`` is ``None`` when not applicable."""

    code: str
    name: str
    level: int
    max_points: Decimal | None
    points: Decimal | None


@dataclass(frozen=True, slots=True)
class LeafPoints:
    """One unit's points on one leaf (``points`` ``None``: not scored, counts 0)."""

    group: str
    unit: str
    code: str
    max_points: Decimal | None
    points: Decimal | None
    not_applicable: bool = False


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


def loss(max_points: Decimal | None, points: Decimal | None) -> Decimal | None:
    """Points lost on one node; ``None`` when it is not applicable or has no points."""
    if max_points is None or points is None:
        return None
    return max_points - points


def lost_points(nodes: Iterable[NodePoints]) -> list[LostRow]:
    """The nodes that lost points, largest loss first, then by code; N/A nodes (no
    maximum) and nodes at their maximum are left out."""
    rows = [
        LostRow(n.code, n.name, n.level, n.max_points, n.points, n.max_points - n.points)
        for n in nodes
        if n.max_points is not None and n.points is not None and n.max_points > n.points
    ]
    return sorted(rows, key=lambda r: (-r.lost, r.code))


def losses_by_criterion(
    leaves: Iterable[LeafPoints], *, levels: int = 2
) -> dict[tuple[str, str], dict[str, Decimal]]:
    """Per (group, criterion), the points each unit lost on the leaves below it (the
    criterion is the first ``levels`` parts of a leaf's code: ``1.2`` for ``1.2.3``);
    a leaf not scored counts 0; N/A leaves and leaves without a positive maximum are left
    out, and so are units that lost nothing there."""
    lost: dict[tuple[str, str], dict[str, Decimal]] = {}
    for leaf in leaves:
        if leaf.not_applicable or leaf.max_points is None or leaf.max_points <= 0:
            continue
        got = leaf.points or Decimal(0)
        if got < leaf.max_points:
            crit = ".".join(leaf.code.split(".")[:levels])
            per_unit = lost.setdefault((leaf.group, crit), {})
            per_unit[leaf.unit] = per_unit.get(leaf.unit, Decimal(0)) + leaf.max_points - got
    return lost
