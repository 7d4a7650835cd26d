"""Everything an export shows, read once (a fixed number of queries) through the results
selectors and the documented models (docs/results.md), as plain data for the writers.

Numbers stay ``Decimal`` here; each writer formats them (dot for CSV/JSON, Vietnamese for
Excel/Word/PDF, see DESIGN §5).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from parindex.assessments.models import LeafScore
from parindex.cycles.models import Cycle
from parindex.engine.compare import describe_rank_change
from parindex.engine.lost_points import LeafPoints, losses_by_criterion
from parindex.frameworks.models import Criterion
from parindex.results.explain import Note, downgrade_lines, notes, rank_change_hidden
from parindex.results.models import NodeResult, ResultSet
from parindex.results.selectors import ranking, rating_config_for, result_set_for
from parindex.units.models import Unit

#: Marks a provisional export on every page: PDF @page header, Word header (the template
#: variable ``tieu_de_trang``), Excel page header and title cell (issue 8).
PROVISIONAL_MARK = "TẠM TÍNH"
#: The rank change of a provisional result while units of the group lack points.
RANK_CHANGE_HIDDEN = "chưa so sánh thứ hạng (tạm tính, còn đơn vị chưa có điểm)"


@dataclass(slots=True)
class Area:
    code: str
    name: str


@dataclass(slots=True)
class AreaCell:
    points: Decimal | None
    max_points: Decimal | None
    index: Decimal | None


@dataclass(slots=True)
class Row:
    """One unit in the ranking."""

    unit: str
    unit_code: str
    group: str
    group_code: str
    points: Decimal
    max_points: Decimal | None
    index: Decimal | None
    rank: int | None
    rating: str
    index_change: Decimal | None
    rank_change: int | None
    rank_change_text: str
    reasons: str
    areas: dict[str, AreaCell] = field(default_factory=dict)
    #: "Hạ xếp loại: tỷ lệ hồ sơ trễ hạn 6,5% ≥ 5%" per applied condition (results.explain)
    downgrades: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Leaf:
    """One leaf criterion of one unit (the "Chi tiết" sheet)."""

    unit: str
    group: str
    code: str
    name: str
    max_points: Decimal | None
    self_points: Decimal | None
    round1: Decimal | None
    round2: Decimal | None
    final: Decimal | None
    not_applicable: bool
    reasons: str
    counted: Decimal | None
    #: The criterion's points source (``self``, ``external``, ``bonus``, ``penalty``…).
    source: str = "self"


@dataclass(slots=True)
class NotFull:
    """A criterion (second level of the framework, e.g. 1.2; its leaves' losses summed)
    on which some units of a group lost points."""

    code: str
    name: str
    max_points: Decimal
    units: int
    lost_total: Decimal
    lost_average: Decimal
    worst: list[str]


@dataclass(slots=True)
class Group:
    name: str
    framework_code: str
    areas: list[Area]
    rows: list[Row]
    not_full: list[NotFull] = field(default_factory=list)


@dataclass(slots=True)
class ReportData:
    cycle: Cycle
    result_set: ResultSet
    decimals: int
    groups: list[Group]
    leaves: list[Leaf]
    province: str
    place: str
    issued: dt.date
    previous_year: int | None
    #: the legal source of each applied condition, once (results.explain.notes)
    notes: list[Note] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return [r for g in self.groups for r in g.rows]

    @property
    def is_final(self) -> bool:
        return self.result_set.is_final


def province_name() -> str:
    """The province named on the reports and the public page: the setting
    ``PARINDEX_PROVINCE_NAME``, else the province unit's name without "Tỉnh "."""
    name = getattr(settings, "PARINDEX_PROVINCE_NAME", "")
    if name:
        return name

    unit = Unit.objects.filter(kind="province").order_by("pk").values_list("name", flat=True)
    found = unit.first() or ""
    for prefix in ("Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "):
        if found.startswith(prefix):
            return found[len(prefix) :]
    return found


METRIC_LABELS = {
    "late_dossier_rate": "tỷ lệ hồ sơ trễ hạn",
    "satisfaction_index": "chỉ số hài lòng",
}


def _reasons(applied: list[dict[str, Any]], missing: list[str]) -> str:
    parts = [str(c.get("reason") or c.get("metric") or "") for c in applied or []]
    parts += [f"chưa có số liệu {METRIC_LABELS.get(m, m)}" for m in missing or []]
    return "; ".join(p for p in parts if p)


def collect(cycle: Cycle, user: Any = None, *, with_leaves: bool = True) -> ReportData:
    """Read a cycle's results for an export. ``user`` ``None`` = the public: only a
    published cycle, and without the appraisers' reasons (internal notes).
    ``ValidationError`` when there is nothing (visible) to export."""

    public = user is None  # the public page: no appraisers' reasons (internal notes)
    rs = result_set_for(user if user is not None else AnonymousUser(), cycle)
    if rs is None:
        raise ValidationError("Kỳ đánh giá chưa có kết quả để xuất.")
    results = ranking(rs)
    conditions = rating_config_for(cycle).conditions
    hidden = rank_change_hidden(rs.is_final, results)  # docs/results.md, provisional ranks
    nodes: dict[int, dict[str, AreaCell]] = defaultdict(dict)
    for ur_id, code, pts, mx, idx in (
        NodeResult.objects.filter(unit_result__result_set=rs, depth=1)
        .order_by("position")
        .values_list("unit_result_id", "code", "points", "max_points", "index")
    ):
        nodes[ur_id][code] = AreaCell(pts, mx, idx)
    frameworks = sorted({r.framework_code for r in results})
    names: dict[tuple[str, str], tuple[str, Decimal | None]] = {}
    areas_of: dict[str, list[Area]] = defaultdict(list)
    for fw, code, name, depth, mx in (
        Criterion.objects.filter(framework__code__in=frameworks)
        .order_by("framework__code", "position")
        .values_list("framework__code", "code", "name", "depth", "max_points")
    ):
        names[(fw, code)] = (name, mx)
        if depth == 1:
            areas_of[fw].append(Area(code, name))
    groups: dict[int, Group] = {}
    unit_group: dict[int, Group] = {}
    for r in results:
        g = groups.get(r.group_id)
        if g is None:
            g = groups[r.group_id] = Group(
                r.group.name, r.framework_code, list(areas_of.get(r.framework_code, [])), []
            )
        unit_group[r.unit_id] = g
        g.rows.append(
            Row(
                unit=r.unit.name,
                unit_code=r.unit.code,
                group=r.group.name,
                group_code=r.group.code,
                points=r.points,
                max_points=r.max_points,
                index=r.index,
                rank=r.rank,
                rating=r.rating,
                index_change=r.index_change,
                rank_change=None if r.group_id in hidden else r.rank_change,
                rank_change_text=(
                    RANK_CHANGE_HIDDEN
                    if r.group_id in hidden and r.rank_change is not None
                    else describe_rank_change(r.rank_change) or (r.comparison_note or "")
                ),
                reasons=_reasons(r.applied_conditions, r.missing_metrics),
                areas=nodes.get(r.pk, {}),
                downgrades=downgrade_lines(r.applied_conditions, conditions),
            )
        )
    leaves: list[Leaf] = []
    if with_leaves:
        unit_names = {r.unit_id: r.unit.name for r in results}
        order = {r.unit_id: n for n, r in enumerate(results)}
        rows = LeafScore.objects.filter(
            assessment__cycle=cycle, assessment__unit_id__in=list(unit_names)
        ).values_list(
            "assessment__unit_id",
            "criterion__code",
            "criterion__name",
            "criterion__max_points",
            "criterion__position",
            "self_points",
            "round1_points",
            "round2_points",
            "final_points",
            "not_applicable",
            "round1_reason",
            "round2_reason",
            "adjustment_reason",
            "criterion__source",
        )
        keyed = []
        for (
            unit_id,
            code,
            name,
            mx,
            pos,
            selfp,
            r1,
            r2,
            final,
            na,
            why1,
            why2,
            why3,
            source,
        ) in rows.iterator(chunk_size=5000):
            counted = (
                None if na else next((v for v in (final, r2, r1, selfp) if v is not None), None)
            )
            reasons = (
                ""
                if public
                else "; ".join(
                    t
                    for t in (
                        f"Vòng 1: {why1}" if why1 else "",
                        f"Vòng 2: {why2}" if why2 else "",
                        why3,
                    )
                    if t
                )
            )
            g = unit_group[unit_id]
            keyed.append(
                (
                    order[unit_id],
                    pos,
                    Leaf(
                        unit_names[unit_id],
                        g.name,
                        code,
                        name,
                        mx,
                        selfp,
                        r1,
                        r2,
                        final,
                        na,
                        reasons,
                        counted,
                        source,
                    ),
                )
            )
        keyed.sort(key=lambda t: (t[0], t[1]))
        leaves = [t[2] for t in keyed]
        _not_full(leaves, groups, names)
    place = getattr(settings, "PARINDEX_REPORT_PLACE", "") or province_name()
    return ReportData(
        cycle=cycle,
        result_set=rs,
        decimals=rs.decimals,
        groups=list(groups.values()),
        leaves=leaves,
        province=province_name(),
        place=place,
        issued=timezone.localdate(),
        previous_year=None,
        notes=notes((r.applied_conditions for r in results), conditions),
    )


def _not_full(
    leaves: list[Leaf],
    groups: dict[int, Group],
    names: dict[tuple[str, str], tuple[str, Decimal | None]],
) -> None:
    """Per group, the criteria (``a.b``: a leaf's first two code levels) on which units
    lost points: how many units, the average loss, the three units that lost most."""
    by_group = {g.name: g for g in groups.values()}
    lost = losses_by_criterion(
        LeafPoints(
            lf.group, lf.unit, lf.code, lf.max_points, lf.counted, lf.not_applicable, lf.source
        )
        for lf in leaves
    )
    for (group, code), per_unit in lost.items():
        g = by_group[group]
        name, mx = names.get((g.framework_code, code), ("", None))
        total = sum(per_unit.values(), Decimal(0))
        worst = sorted(per_unit.items(), key=lambda t: (-t[1], t[0]))
        g.not_full.append(
            NotFull(
                code,
                name,
                mx or Decimal(0),
                len(per_unit),
                total,
                total / len(per_unit),
                [u for u, _ in worst[:3]],
            )
        )
    for g in by_group.values():
        g.not_full.sort(key=lambda n: (-n.units, -n.lost_total, _code_key(n.code)))


def _code_key(code: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in code.split("."))
