"""Reads of the national results (user first, scoped): the datasets, the comparison of a
province with the country, its region and last year, its lost points, the what-if and
the rank bands. National data is read by the Sở Nội vụ admin, the council and the
leaders; everyone else gets 404 (it is not published by us)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from parindex.accounts.models import Role
from parindex.engine.aggregate import aggregate
from parindex.engine.compare import describe_rank_change
from parindex.engine.lost_points import LostRow, NodePoints, lost_points
from parindex.formats.national import TOTAL
from parindex.frameworks.models import Framework
from parindex.frameworks.shape import framework_shape
from parindex.national.analysis import NodeInfo, Province, Table, combine, framework_nodes
from parindex.national.models import IndexKind, NationalDataset
from parindex.results.selectors import lineage_ids

NATIONAL_ROLES = (Role.ADMIN, Role.COUNCIL, Role.LEADER)


def reads_national(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_superuser", False) or getattr(user, "role", "") in NATIONAL_ROLES
    )


def datasets_for(user: Any) -> QuerySet[NationalDataset]:
    qs = NationalDataset.objects.select_related("framework", "home").order_by("-year", "kind")
    return qs if reads_national(user) else qs.none()


def dataset_get(user: Any, pk: int) -> NationalDataset:
    ds = datasets_for(user).filter(pk=pk).first()
    if ds is None:
        raise Http404("Không có bộ số liệu.")
    return ds


def latest_dataset(user: Any, kind: str = IndexKind.PAR) -> NationalDataset | None:
    return datasets_for(user).filter(kind=kind).first()


def node_maxima(framework: Framework) -> dict[str, Decimal | None]:
    """Every node code of the framework → its maximum; ``""`` (the total) → the total
    (the framework's, else the sum of its areas)."""
    nodes = framework_nodes(framework_shape(framework).engine_fw.nodes)
    total = framework.total
    areas = [n.max_points for n in nodes if n.level == 1]
    if total is None and areas and all(m is not None for m in areas):
        total = sum((m for m in areas if m is not None), Decimal(0))
    return {TOTAL: total, **{n.code: n.max_points for n in nodes}}


def load_table(ds: NationalDataset) -> Table:
    """The dataset's provinces and the framework's nodes. Two queries (one more on a
    framework cache miss)."""
    shape = framework_shape(ds.framework)
    provinces: dict[int, Province] = {}
    rows = ds.scores.values_list(
        "unit_id", "unit__code", "unit__name", "code", "points", "region"
    ).order_by("unit__name", "code")
    for unit_id, code, name, node, points, region in rows:
        p = provinces.get(unit_id)
        if p is None:
            p = provinces[unit_id] = Province(unit_id, code, name)
        p.points[node] = points
        p.region = p.region or region
    return Table(
        framework_nodes(shape.engine_fw.nodes),
        provinces,
        node_maxima(ds.framework)[TOTAL],
        shape.compiled,
    )


def previous_dataset(ds: NationalDataset) -> NationalDataset | None:
    return (
        NationalDataset.objects.select_related("framework")
        .filter(kind=ds.kind, year__lt=ds.year)
        .order_by("-year")
        .first()
    )


def province_of(ds: NationalDataset, table: Table, code: str | None = None) -> Province:
    """The province asked for (its unit code), else the dataset's home province; 404 when
    it has no result in the dataset."""
    if code:
        found = next((p for p in table.provinces.values() if p.code == code), None)
    else:
        found = table.provinces.get(ds.home_id) if ds.home_id else None
    if found is None:
        raise Http404("Tỉnh không có trong bộ số liệu.")
    return found


def counterpart(table: Table, p: Province) -> tuple[Province | None, set[int]]:
    """``p`` in an earlier ``table``: itself, or its predecessors (``UnitLineage``)
    combined and labelled; with the ids of the rows it stands for."""
    ids = lineage_ids(p.unit_id)
    members = [table.provinces[i] for i in ids if i in table.provinces]
    if not members:
        return None, set()
    used = {m.unit_id for m in members}
    if len(members) == 1 and members[0].unit_id == p.unit_id:
        return members[0], used
    if len(members) == 1:
        m = members[0]
        return Province(
            p.unit_id, p.code, p.name, m.region, m.points, f"{m.name} trước sáp nhập"
        ), used
    return combine(members, unit_id=p.unit_id, code=p.code, name=p.name), used


# --------------------------------------------------------------------------- comparison


@dataclass(slots=True)
class CompareRow:
    code: str
    name: str
    max_points: Decimal | None
    points: Decimal | None
    rank: int | None
    average: Decimal | None
    best: Province | None
    best_points: Decimal | None
    region_average: Decimal | None
    previous: Decimal | None
    previous_rank: int | None

    @property
    def change(self) -> Decimal | None:
        if self.points is None or self.previous is None:
            return None
        return self.points - self.previous

    @property
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def rank_change_text(self) -> str:
        return describe_rank_change(self.rank_change)

    def index(self, value: Decimal | None) -> Decimal | None:
        if value is None or not self.max_points:
            return None
        return value / self.max_points * 100


@dataclass(slots=True)
class Comparison:
    dataset: NationalDataset
    table: Table
    province: Province
    previous_dataset: NationalDataset | None
    previous: Province | None
    #: The total first, then the areas.
    rows: list[CompareRow]
    ranked: int
    previous_ranked: int


def comparison(user: Any, ds: NationalDataset, province: str | None = None) -> Comparison:
    """The province against the national average, the best province, its region's average
    and itself (or its predecessors) last year, on the total and every area."""
    ds = dataset_get(user, ds.pk)
    table = load_table(ds)
    p = province_of(ds, table, province)
    prev_ds = previous_dataset(ds)
    prev_table = load_table(prev_ds) if prev_ds is not None else None
    prev, used = counterpart(prev_table, p) if prev_table is not None else (None, set())
    region = [q for q in table.provinces.values() if p.region and q.region == p.region]
    rows = []
    for code, name in [(TOTAL, "Tổng điểm"), *((a.code, a.name) for a in table.areas)]:
        best = table.best(code)
        prev_rank = None
        if prev_table is not None and prev is not None and table.value(prev, code) is not None:
            pool = [q for q in prev_table.provinces.values() if q.unit_id not in used]
            prev_rank = prev_table.ranks(code, [*pool, prev]).get(prev.unit_id)
        rows.append(
            CompareRow(
                code,
                name,
                table.maximum(code),
                table.value(p, code),
                table.ranks(code).get(p.unit_id),
                table.average(code),
                best[0] if best else None,
                best[1] if best else None,
                table.average(code, region) if region else None,
                None if prev is None or prev_table is None else prev_table.value(prev, code),
                prev_rank,
            )
        )
    prev_count = 0
    if prev_table is not None:
        others = [q for q in prev_table.provinces.values() if q.unit_id not in used]
        prev_count = len(prev_table.ranks(TOTAL, others)) + (prev is not None)
    return Comparison(ds, table, p, prev_ds, prev, rows, len(table.ranks()), prev_count)


# --------------------------------------------------------------------------- lost points


def node_points(table: Table, p: Province) -> list[NodePoints]:
    """Every node of ``p`` with points: its own rows, and the parents whose leaves it has
    all (aggregated by the engine, caps included)."""
    leaves = table.leaf_points(p)
    score = None
    if table.compiled is not None and leaves:
        score = aggregate(table.compiled, leaves)
    out = []
    for n in table.nodes:
        points = p.points.get(n.code)
        if points is None and score is not None and _covered(table, n, leaves):
            points = score.nodes[n.code].points
        if points is not None:
            out.append(NodePoints(n.code, n.name, n.level, n.max_points, points, n.source))
    return out


def _covered(table: Table, node: NodeInfo, leaves: dict[str, Decimal]) -> bool:
    below = [n for n in table.nodes if n.is_leaf and n.code.startswith(node.code + ".")]
    return bool(below) and all(n.code in leaves for n in below)


def province_lost_points(
    user: Any, *, dataset: NationalDataset, province: str | None = None
) -> list[LostRow]:
    """The points the province lost nationally on every area, criterion and leaf against
    the maximum, largest first (the engine's :func:`lost_points` rule). ``province`` is a
    unit code (default: the dataset's home province). For the improvement plan's draft."""
    ds = dataset_get(user, dataset.pk)
    table = load_table(ds)
    return lost_points(node_points(table, province_of(ds, table, province)))


@dataclass(slots=True)
class LostLine:
    row: LostRow
    average: Decimal | None
    best: Decimal | None
    best_name: str
    #: Lost points on this node last year too (itself or its predecessors).
    repeated: bool

    @property
    def below_average(self) -> Decimal | None:
        if self.average is None or self.row.points >= self.average:
            return None
        return self.average - self.row.points


@dataclass(slots=True)
class LostPage:
    dataset: NationalDataset
    province: Province
    previous_dataset: NationalDataset | None
    lines: list[LostLine]


def national_lost_page(user: Any, ds: NationalDataset, province: str | None = None) -> LostPage:
    ds = dataset_get(user, ds.pk)
    table = load_table(ds)
    p = province_of(ds, table, province)
    rows = lost_points(node_points(table, p))
    prev_ds = previous_dataset(ds)
    lost_before: set[str] = set()
    if prev_ds is not None:
        prev_table = load_table(prev_ds)
        _, used = counterpart(prev_table, p)
        for uid in used:  # itself or any predecessor lost there
            member = prev_table.provinces[uid]
            lost_before |= {r.code for r in lost_points(node_points(prev_table, member))}
    lines = []
    for r in rows:
        # no comparison where only the province itself has the node (per-criterion points
        # are published for the home province alone)
        others = any(
            q.unit_id != p.unit_id and r.code in q.points for q in table.provinces.values()
        )
        best = table.best(r.code) if others else None
        lines.append(
            LostLine(
                r,
                table.average(r.code) if others else None,
                best[1] if best else None,
                best[0].name if best else "",
                r.code in lost_before,
            )
        )
    return LostPage(ds, p, prev_ds, lines)
