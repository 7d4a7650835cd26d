"""The recompute: load a cycle's scores in a few ``values_list`` queries, score every unit
with the engine (:mod:`parindex.engine.compute`) and replace the cycle's result set.

``results_recompute`` reads as its steps: :func:`_load` → :func:`_fingerprint` →
:func:`_score` → :func:`_area_ranks` → :func:`_unit_rows` → :func:`_store`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Cast, Round
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user
from parindex.assessments.models import Assessment, AssessmentStatus, LeafScore
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleFramework, CycleStatus, CycleUnit
from parindex.engine.aggregate import NA, _NAType, from_micro
from parindex.engine.compute import (
    MISSING,
    NOT_APPLICABLE,
    PreviousResult,
    ScoreTable,
    UnitInfo,
    finish,
    score_units,
)
from parindex.engine.ranking import rank_ratios
from parindex.frameworks.models import Framework
from parindex.frameworks.shape import FrameworkShape, framework_shape
from parindex.results.models import NodeResult, ResultSet, ResultStatus, UnitMetric, UnitResult
from parindex.results.selectors import predecessors, rating_config_for, scheme_of
from parindex.units.models import UnitLineage

if TYPE_CHECKING:
    from parindex.engine.compute import UnitResult as EngineResult
    from parindex.results.models import RatingConfig

__all__ = ["counted_leaf_points", "results_recompute"]

SIX = Decimal("0.000001")

#: unit id → (code, name, group id, group code)
Participants = dict[int, tuple[str, str, int, str]]


@dataclass(slots=True)
class _Table:
    """One framework's units and their leaf points (flat, ``n_leaves`` per unit)."""

    members: list[int]
    appraised: list[int]
    own: list[int]
    pos: dict[int, int]


@dataclass(slots=True)
class _Inputs:
    """Everything the recompute reads, before any scoring."""

    participants: Participants
    #: assessment id → (unit id, framework id, status)
    assessments: dict[int, tuple[int, int, str]]
    fw_of_unit: dict[int, int]
    shapes: dict[int, FrameworkShape]
    tables: dict[int, _Table]
    metrics: dict[str, dict[str, Decimal]]
    config: RatingConfig
    previous: dict[str, PreviousResult]
    links: dict[int, tuple[int | None, str]]
    assessment_of_unit: dict[int, tuple[int, int, str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Scored:
    results: list[EngineResult]
    own_totals: dict[str, tuple[int, int | None]]
    #: unit code → (shape, points per node, applicable max per node)
    nodes_of: dict[str, tuple[FrameworkShape, list[int], list[int | None]]]


def results_recompute(*, cycle: Cycle, actor: User | None = None) -> ResultSet:
    """Recompute every result of ``cycle`` with the engine and replace its result set.

    Points per leaf: ``final_points`` once the assessment is approved; otherwise the
    latest appraised round, else the self points (external leaves: ``final_points``).
    Missing leaves count 0 and are listed. Status ``final`` when every participant's
    assessment is approved and the cycle is approved or published.
    """
    started = time.perf_counter()
    cycle = Cycle.objects.get(pk=cycle.pk)
    data = _load(cycle)
    input_hash = _fingerprint(cycle, data)
    status = _status(cycle, data)
    current = ResultSet.objects.filter(cycle=cycle).first()
    if current is not None and current.input_hash == input_hash and current.status == status:
        return current
    scored = _score(data)
    unit_rows = _unit_rows(data, scored)
    node_rows = _node_rows(scored, _area_ranks(scored))
    return _store(cycle, data, unit_rows, node_rows, status, input_hash, actor, started)


def counted_leaf_points(
    cycle: Cycle, unit_ids: set[int]
) -> dict[int, dict[str, Decimal | _NAType]]:
    """Each unit's leaf points by code as the recompute counts them (the rule above), for
    the analyses that rescore units (what-if, lost points); N/A leaves as ``NA``, leaves
    without points left out."""
    data = _load(cycle, only=unit_ids)
    out: dict[int, dict[str, Decimal | _NAType]] = {}
    for fw_id, t in data.tables.items():
        codes = data.shapes[fw_id].require_compiled().leaf_codes
        for unit_id in t.members:
            row = t.appraised[t.pos[unit_id] * len(codes) :][: len(codes)]
            out[unit_id] = {
                code: NA if x == NOT_APPLICABLE else from_micro(x)
                for code, x in zip(codes, row, strict=True)
                if x != MISSING
            }
    return out


# --------------------------------------------------------------------------- load


def _load(cycle: Cycle, only: set[int] | None = None) -> _Inputs:
    """The cycle's inputs; with ``only`` (unit ids), those units' alone and no previous
    results (the incremental recompute keeps the stored ones)."""
    members = CycleUnit.objects.filter(cycle=cycle)
    assessment_qs = Assessment.objects.filter(cycle=cycle)
    metric_qs = UnitMetric.objects.filter(cycle=cycle)
    if only is not None:
        members = members.filter(unit_id__in=only)
        assessment_qs = assessment_qs.filter(unit_id__in=only)
        metric_qs = metric_qs.filter(unit_id__in=only)
    participants: Participants = {
        unit_id: (code, name, gid, gcode)
        for unit_id, code, name, gid, gcode in members.values_list(
            "unit_id", "unit__code", "unit__name", "group_id", "group__code"
        )
    }
    fw_of_group = dict(
        CycleFramework.objects.filter(cycle=cycle).values_list("group_id", "framework_id")
    )
    assessments = {
        aid: (unit_id, fw_id, status)
        for aid, unit_id, fw_id, status in assessment_qs.values_list(
            "pk", "unit_id", "framework_id", "status"
        )
    }
    assessment_of_unit = {a[0]: (aid, a[1], a[2]) for aid, a in assessments.items()}
    # Framework per unit: its assessment's, else its group's.
    fw_of_unit: dict[int, int] = {}
    for unit_id, (_c, _n, gid, _g) in participants.items():
        a = assessment_of_unit.get(unit_id)
        fw_id = a[1] if a is not None else fw_of_group.get(gid)
        if fw_id is not None:
            fw_of_unit[unit_id] = fw_id
    shapes = {
        fw.pk: framework_shape(fw)
        for fw in Framework.objects.filter(pk__in=set(fw_of_unit.values()))
    }
    tables = _tables(cycle, participants, assessments, fw_of_unit, shapes, only is not None)
    metrics: dict[str, dict[str, Decimal]] = {}
    for unit_id, metric, value in metric_qs.values_list("unit_id", "metric", "value"):
        if unit_id in participants:
            metrics.setdefault(participants[unit_id][0], {})[metric] = value
    previous, links = ({}, {}) if only is not None else _previous(cycle, participants)
    return _Inputs(
        participants=participants,
        assessments=assessments,
        fw_of_unit=fw_of_unit,
        shapes=shapes,
        tables=tables,
        metrics=metrics,
        config=rating_config_for(cycle),
        previous=previous,
        links=links,
        assessment_of_unit=assessment_of_unit,
    )


def _tables(
    cycle: Cycle,
    participants: Participants,
    assessments: dict[int, tuple[int, int, str]],
    fw_of_unit: dict[int, int],
    shapes: dict[int, FrameworkShape],
    some: bool = False,
) -> dict[int, _Table]:
    """Two flat tables per framework (appraised and self), filled from the scores (of
    the ``assessments`` alone when ``some``)."""
    tables: dict[int, _Table] = {}
    for fw_id, shape in shapes.items():
        members = [u for u in participants if fw_of_unit.get(u) == fw_id]
        size = shape.require_compiled().n_leaves * len(members)
        tables[fw_id] = _Table(
            members, [MISSING] * size, [MISSING] * size, {u: i for i, u in enumerate(members)}
        )
    score_qs = LeafScore.objects.filter(assessment__cycle=cycle)
    if some:
        score_qs = LeafScore.objects.filter(assessment_id__in=list(assessments))
    scores = _raw_rows(
        score_qs.order_by().values_list(
            "assessment_id",
            "criterion_id",
            _micro("self_points"),
            _micro("round1_points"),
            _micro("round2_points"),
            _micro("final_points"),
            "not_applicable",
        )
    )
    approved = AssessmentStatus.APPROVED
    for aid, crit_id, self_p, r1, r2, final, na in scores:
        unit_id = assessments[aid][0]
        unit_fw = fw_of_unit.get(unit_id)
        if unit_fw is None:
            continue
        shape = shapes[unit_fw]
        j = shape.leaf_of_criterion.get(crit_id)
        if j is None:
            continue
        t = tables[unit_fw]
        k = t.pos[unit_id] * shape.require_compiled().n_leaves + j
        if na:
            t.appraised[k] = t.own[k] = NOT_APPLICABLE
            continue
        if j in shape.external:
            value = final
            self_value = final
        else:
            if assessments[aid][2] == approved and final is not None:
                value = final
            else:
                value = r2 if r2 is not None else (r1 if r1 is not None else self_p)
            # "Tổng điểm tự chấm" (assessments.selectors.self_assessed_points): bonus and
            # penalty leaves count the points set for the unit, else what it entered
            self_value = (
                (final if final is not None else self_p) if j in shape.adjustment else self_p
            )
        if value is not None:
            t.appraised[k] = value
        if self_value is not None:
            t.own[k] = self_value
    return tables


def _raw_rows(qs: Any) -> list[tuple[Any, ...]]:
    """Rows of a ``values_list`` queryset straight from the cursor: the values are
    integers (see :func:`_micro`) and flags, so Django's per-value converters are skipped."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _micro(field: str) -> Cast:
    """Points in millionths as an integer, computed by the database (no Decimal
    conversion of thousands of values in Python)."""
    return Cast(Round(F(field) * Value(1_000_000)), BigIntegerField())


def _previous(
    cycle: Cycle, participants: Participants
) -> tuple[dict[str, PreviousResult], dict[int, tuple[int | None, str]]]:
    """Previous results keyed by current unit code, following lineage (docs/results.md).

    Returns the engine's ``previous`` mapping and, per current unit id, the unit compared
    with (or ``None``) and a note.
    """
    prev_set = (
        ResultSet.objects.filter(status=ResultStatus.FINAL, cycle__year__lt=cycle.year)
        .order_by("-cycle__year", "-cycle_id")
        .first()
    )
    if prev_set is None:
        return {}, {}
    prev = {
        unit_id: (index, rank, group_code)
        for unit_id, index, rank, group_code in UnitResult.objects.filter(
            result_set=prev_set
        ).values_list("unit_id", "index", "rank", "group__code")
    }
    back: dict[int, list[int]] = {}
    for pred, succ in UnitLineage.objects.values_list("predecessor_id", "successor_id"):
        back.setdefault(succ, []).append(pred)
    engine_prev: dict[str, PreviousResult] = {}
    links: dict[int, tuple[int | None, str]] = {}
    for unit_id, (code, _name, _gid, group_code) in participants.items():
        if unit_id in prev:
            chosen: list[int] = [unit_id]
        else:
            found = [p for p in predecessors(unit_id, back) if p in prev]
            chosen = [p for p in found if prev[p][2] == group_code]
            if len(chosen) > 1:
                links[unit_id] = (
                    None,
                    f"Sáp nhập từ {len(chosen)} đơn vị cùng nhóm đã xếp hạng năm trước: "
                    "không so sánh với năm trước.",
                )
                continue
            if not chosen:
                if found:
                    links[unit_id] = (
                        None,
                        "Đơn vị tiền thân thuộc nhóm xếp hạng khác: không so sánh.",
                    )
                continue
        p = chosen[0]
        index, rank, _g = prev[p]
        engine_prev[code] = PreviousResult(index, rank)
        note = "" if p == unit_id else "So sánh với đơn vị tiền thân."
        links[unit_id] = (p, note)
    return engine_prev, links


# --------------------------------------------------------------------------- decide


def _fingerprint(cycle: Cycle, data: _Inputs) -> str:
    """A hash of every input: an unchanged cycle is not recomputed."""
    config = data.config
    fingerprint = hashlib.sha256()
    fingerprint.update(repr((cycle.status, sorted(data.assessments.items()))).encode())
    for fw_id in sorted(data.tables):
        t = data.tables[fw_id]
        revision = data.shapes[fw_id].revision
        fingerprint.update(repr((fw_id, revision, t.members, t.appraised, t.own)).encode())
    fingerprint.update(
        json.dumps(
            [config.classes, config.conditions, config.decimals], sort_keys=True, default=str
        ).encode()
    )
    fingerprint.update(
        repr(sorted((k, sorted(v.items())) for k, v in data.metrics.items())).encode()
    )
    fingerprint.update(repr(sorted(data.previous.items())).encode())
    fingerprint.update(repr(sorted(data.links.items())).encode())
    return fingerprint.hexdigest()


def _status(cycle: Cycle, data: _Inputs) -> str:
    approved = AssessmentStatus.APPROVED
    all_approved = bool(data.participants) and all(
        (a := data.assessment_of_unit.get(u)) is not None and a[2] == approved
        for u in data.participants
    )
    final_stage = cycle.status in (CycleStatus.APPROVED, CycleStatus.PUBLISHED)
    return ResultStatus.FINAL if all_approved and final_stage else ResultStatus.PROVISIONAL


# --------------------------------------------------------------------------- score


def _score(data: _Inputs) -> _Scored:
    """Engine: points per unit (per framework), then ranks, ratings and changes at once."""
    results: list[EngineResult] = []
    own_totals: dict[str, tuple[int, int | None]] = {}
    nodes_of: dict[str, tuple[FrameworkShape, list[int], list[int | None]]] = {}
    infos = {code: UnitInfo(name, gcode) for code, name, _gid, gcode in data.participants.values()}
    for fw_id, shape in data.shapes.items():
        t = data.tables[fw_id]
        codes = [data.participants[u][0] for u in t.members]
        cf = shape.require_compiled()
        table = ScoreTable(cf.leaf_codes, codes, t.appraised)
        # Every node (for the node rows and the area ranks) from the evaluation that gives
        # the total, so that a metric-fed leaf counts in the nodes above it too.
        for r in score_units(cf, table, infos, data.metrics, False, every_node=True):
            assert r.nodes is not None
            nodes_of[r.unit] = (shape, list(r.nodes[0]), list(r.nodes[1]))
            results.append(r)
        own = ScoreTable(cf.leaf_codes, codes, t.own)
        for r in score_units(cf, own, infos, data.metrics, False):
            own_totals[r.unit] = (r.points_micro, r.max_micro)
    results = finish(results, data.metrics, scheme_of(data.config), data.previous)
    return _Scored(results, own_totals, nodes_of)


def _area_ranks_of(scored: _Scored) -> dict[tuple[str, str], tuple[int, int | None, str]]:
    """(unit code, area code) → the area's points, applicable max and the unit's group."""
    out: dict[tuple[str, str], tuple[int, int | None, str]] = {}
    for r in scored.results:
        shape, pts, app = scored.nodes_of[r.unit]
        codes = shape.require_compiled().codes
        for n in shape.area_numbers:
            out[(r.unit, codes[n])] = (pts[n], app[n], r.group)
    return out


def _area_ranks(scored: _Scored) -> dict[tuple[str, str], int | None]:
    """Area ranks within groups (engine ranking on exact ratios)."""
    area_rank: dict[tuple[str, str], int | None] = {}
    by_area: dict[str, list[tuple[str, int, int | None, str]]] = {}
    for (unit, area), (p, m, group) in _area_ranks_of(scored).items():
        by_area.setdefault(area, []).append((unit, p, m, group))
    for area, rows in by_area.items():
        ranks = rank_ratios(
            [p for _, p, _, _ in rows], [a for _, _, a, _ in rows], [g for *_, g in rows]
        )
        for (unit_code, *_rest), rk in zip(rows, ranks, strict=True):
            area_rank[(unit_code, area)] = rk
    return area_rank


def _unit_rows(data: _Inputs, scored: _Scored) -> list[UnitResult]:
    participants = data.participants
    code_to_id = {p[0]: u for u, p in participants.items()}
    group_ids = {gcode: gid for _c, _n, gid, gcode in participants.values()}
    fw_codes = {fw_id: shape.engine_fw.code for fw_id, shape in data.shapes.items()}
    unit_rows: list[UnitResult] = []
    for r in scored.results:
        unit_id = code_to_id[r.unit]
        a = data.assessment_of_unit.get(unit_id)
        rating = r.rating
        applied = []
        missing_metrics: list[str] = []
        if rating is not None:
            um = data.metrics.get(r.unit, {})
            applied = [
                {
                    "metric": c.metric,
                    "value": _plain(um.get(c.metric)),
                    "cap": c.cap,
                    "reason": c.describe(),
                }
                for c, _text in rating.applied
            ]
            missing_metrics = [c.metric for c in rating.missing]
        own_p, _own_max = scored.own_totals.get(r.unit, (0, None))
        self_points = _d(own_p)
        self_index = None if not r.max_micro else _q(Fraction(own_p * 100, r.max_micro))
        link = data.links.get(unit_id, (None, ""))
        unit_rows.append(
            UnitResult(
                unit_id=unit_id,
                group_id=group_ids[r.group],
                framework_code=fw_codes.get(data.fw_of_unit.get(unit_id, -1), ""),
                assessment_status="" if a is None else a[2],
                points=_d(r.points_micro),
                max_points=_m(r.max_micro),
                index=_q(r.index),
                rank=r.rank,
                rating="" if rating is None or rating.name is None else rating.name,
                base_rating="" if rating is None or rating.base_name is None else rating.base_name,
                applied_conditions=applied,
                missing_metrics=missing_metrics,
                missing_leaves=list(r.missing),
                index_change=_q(r.index_change),
                rank_change=r.rank_change,
                previous_unit_id=link[0],
                previous_index=None if r.previous is None else _q(r.previous.index),
                previous_rank=None if r.previous is None else r.previous.rank,
                comparison_note=link[1],
                self_points=self_points,
                self_index=self_index,
                gap=self_points - _d(r.points_micro),
            )
        )
    return unit_rows


def _node_rows(
    scored: _Scored, area_rank: dict[tuple[str, str], int | None]
) -> list[list[tuple[Any, ...]]]:
    """Per unit result (same order), its NodeResult rows without the unit result id."""
    out = []
    for r in scored.results:
        shape, pts, app = scored.nodes_of[r.unit]
        rows = []
        for n, code, depth, position in (*shape.parents, *shape.leaf_areas):
            mx = app[n]
            rows.append(
                (
                    code,
                    depth,
                    position,
                    _d(pts[n]),
                    _m(mx),
                    None if not mx else _q(Fraction(pts[n] * 100, mx)),
                    area_rank.get((r.unit, code)) if depth == 1 else None,
                )
            )
        out.append(rows)
    return out


# --------------------------------------------------------------------------- store


def _store(
    cycle: Cycle,
    data: _Inputs,
    unit_rows: list[UnitResult],
    node_rows: list[list[tuple[Any, ...]]],
    status: str,
    input_hash: str,
    actor: User | None,
    started: float,
) -> ResultSet:
    # Plain atomic, not durable: the publication and the demo loader recompute inside
    # their own transaction.
    with transaction.atomic():
        # Serialise concurrent recomputes of one cycle (PostgreSQL; SQLite is IMMEDIATE).
        Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk").first()
        # Delete bottom-up so each step is one DELETE (no per-row collection): node rows,
        # then unit rows, then the set. Database-level cascades (DB_CASCADE) would do the
        # same, but Django refuses to mix them with the PROTECT on Unit and UnitGroup.
        NodeResult.objects.filter(unit_result__result_set__cycle=cycle).delete()
        UnitResult.objects.filter(result_set__cycle=cycle).delete()
        ResultSet.objects.filter(cycle=cycle).delete()
        rs = ResultSet.objects.create(
            cycle=cycle,
            status=status,
            computed_at=timezone.now(),
            computed_by=actor_user(actor),
            input_hash=input_hash,
            decimals=data.config.decimals,
        )
        for row in unit_rows:
            row.result_set = rs
        UnitResult.objects.bulk_create(unit_rows)
        _insert_nodes(
            [(ur.pk, *row) for ur, rows in zip(unit_rows, node_rows, strict=True) for row in rows]
        )
        rs.duration_ms = int((time.perf_counter() - started) * 1000)
        ResultSet.objects.filter(pk=rs.pk).update(duration_ms=rs.duration_ms)
        record(
            actor=actor,
            action="results.recompute",
            obj=cycle,
            after={"status": status, "units": len(unit_rows), "input_hash": input_hash},
            context={"duration_ms": rs.duration_ms},
        )
    return rs


def _insert_nodes(rows: list[tuple[Any, ...]]) -> None:
    """Insert NodeResult rows without model instances (thousands of rows: building them
    for ``bulk_create`` would dominate the recompute time): ``executemany``, or on
    PostgreSQL for the few rows of an incremental recompute one multi-row ``INSERT …
    VALUES`` (one round trip; for thousands of rows the client-side binding of one huge
    statement costs more CPU than the pipelined ``executemany``)."""
    meta = NodeResult._meta
    names = ["unit_result", "code", "depth", "position", "points", "max_points", "index", "rank"]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(_column(NodeResult, n)) for n in names)
    one = f"({', '.join(['%s'] * len(names))})"
    head = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) <= 500:
            cursor.execute(head + ", ".join([one] * len(rows)), [v for r in rows for v in r])
            return
        for start in range(0, len(rows), 5000):
            cursor.executemany(head + one, rows[start : start + 5000])


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column is not None
    return field.column


def _q(x: Fraction | Decimal | None) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, Fraction):
        x = Decimal(x.numerator) / Decimal(x.denominator)
    return x.quantize(SIX, rounding=ROUND_HALF_EVEN)


def _plain(d: Decimal | None) -> str:
    """``6.0000`` → ``6``, ``60.50`` → ``60.5`` (machine-readable, no exponent)."""
    return "" if d is None else format(d.normalize(), "f")


def _m(micro: int | None) -> Decimal | None:
    return None if micro is None else _d(micro)


def _d(micro: int) -> Decimal:
    """Millionths → points."""
    return Decimal(micro).scaleb(-6)
