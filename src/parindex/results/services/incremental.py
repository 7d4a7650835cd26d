"""The incremental recompute: rescore the units whose inputs changed, re-rank their groups
from the stored results, write only the rows that change (docs/results.md).

A unit's points, index, rating (its own index and its own metrics: no rating condition
looks at other units) and change against last year depend on that unit alone; its rank
and its areas' ranks depend on its group. So the dirty units go through the engine as in
the full recompute (:func:`.recompute._load` restricted to them, :func:`.recompute._score`,
:func:`.recompute._unit_rows`), and the ranks of their groups are recomputed with the
engine's :func:`~parindex.engine.ranking.rank_ratios` on the totals read back from the
stored rows, one query per group set (and one per changed area).

Anything else falls back to the full :func:`.recompute.results_recompute`: no result set
yet, a final one, a cycle at the approved/published stage (the status may change), a
dirty unit without a stored row (or no longer taking part, or in another group), a
changed number of decimals.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from parindex.accounts.models import User
from parindex.audit.services import record_row
from parindex.cycles.models import Cycle, CycleStatus
from parindex.engine.compute import PreviousResult
from parindex.engine.ranking import rank_ratios
from parindex.prepared import update_row
from parindex.results.models import NodeResult, ResultSet, ResultStatus, UnitResult
from parindex.results.services.recompute import (
    _area_ranks_of,
    _column,
    _insert_nodes,
    _load,
    _micro,
    _node_rows,
    _raw_rows,
    _score,
    _unit_rows,
    results_recompute,
)

__all__ = ["results_recompute_units"]

#: The UnitResult fields the recompute computes (all but the keys).
_UNIT_FIELDS = [
    "framework_code",
    "assessment_status",
    "points",
    "max_points",
    "index",
    "rank",
    "rating",
    "base_rating",
    "applied_conditions",
    "missing_metrics",
    "missing_leaves",
    "index_change",
    "rank_change",
    "previous_unit_id",
    "previous_index",
    "previous_rank",
    "comparison_note",
    "self_points",
    "self_index",
    "gap",
]


def results_recompute_units(
    *, cycle: Cycle, unit_ids: Iterable[int], actor: User | None = None
) -> ResultSet:
    """Recompute the results of the units ``unit_ids`` of ``cycle`` and re-rank their
    groups; the same rows as :func:`results_recompute` would store (a test compares
    them after random changes). Falls back to the full recompute when it must."""
    started = time.perf_counter()
    dirty = set(unit_ids)
    with transaction.atomic():
        # Serialise with other recomputes of the cycle, then read: the ranks are read
        # and written under one lock.
        # One statement: under READ COMMITTED a locking read returns the row as the
        # lock holder committed it.
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        rs = ResultSet.objects.filter(cycle=cycle).first()
        done = None if rs is None else _incremental(cycle, rs, dirty, actor, started)
    if done is None:
        # The stored rows do not fit the dirty units: recompute, whatever the fingerprint.
        ResultSet.objects.filter(cycle=cycle).update(input_hash="")
        return results_recompute(cycle=cycle, actor=actor)
    return done


def _incremental(
    cycle: Cycle, rs: ResultSet, dirty: set[int], actor: User | None, started: float
) -> ResultSet | None:
    if rs.status != ResultStatus.PROVISIONAL or cycle.status in (
        CycleStatus.APPROVED,
        CycleStatus.PUBLISHED,
    ):
        return None
    if not dirty:
        return rs
    data = _load(cycle, only=dirty)
    stored = {
        row[1]: row
        for row in UnitResult.objects.filter(result_set=rs, unit_id__in=dirty).values_list(
            "pk",
            "unit_id",
            "group_id",
            "previous_unit_id",
            "previous_index",
            "previous_rank",
            "comparison_note",
        )
    }
    if (
        rs.decimals != data.config.decimals
        or set(data.participants) != dirty
        or set(stored) != dirty
        or set(data.fw_of_unit) != dirty
        or any(stored[u][2] != p[2] for u, p in data.participants.items())
    ):
        return None
    # Last year's comparison is the stored one (it depends on last year and the lineage,
    # not on this cycle's points).
    for unit_id, (_pk, _u, _g, prev_unit, prev_index, prev_rank, note) in stored.items():
        data.links[unit_id] = (prev_unit, note)
        if prev_unit is not None:
            data.previous[data.participants[unit_id][0]] = PreviousResult(prev_index, prev_rank)
    scored = _score(data)
    code_to_id = {p[0]: u for u, p in data.participants.items()}
    groups = {p[2] for p in data.participants.values()}
    others = _rerank_units(rs, groups, scored, code_to_id)
    area_rank, area_updates = _rerank_areas(rs, groups, scored, code_to_id, stored)
    unit_rows = _unit_rows(data, scored)
    for row in unit_rows:
        row.pk = stored[row.unit_id][0]
        row.result_set = rs
    node_rows = _node_rows(scored, area_rank)
    NodeResult.objects.filter(unit_result_id__in=[r.pk for r in unit_rows]).delete()
    _insert_nodes(
        [(ur.pk, *row) for ur, rows in zip(unit_rows, node_rows, strict=True) for row in rows]
    )
    for row in unit_rows:  # one or a few rows: no CASE expression of bulk_update
        update_row(UnitResult, {f: getattr(row, f) for f in _UNIT_FIELDS}, {"id": row.pk})
    _update_ints(UnitResult, ["rank", "rank_change"], others)
    _update_ints(NodeResult, ["rank"], area_updates)
    duration_ms = int((time.perf_counter() - started) * 1000)
    # No fingerprint: the next full recompute compares nothing and recomputes.
    # The row was read under the cycle's lock: these are its only changes (no re-read).
    rs.computed_at, rs.input_hash, rs.duration_ms = timezone.now(), "", duration_ms
    update_row(
        ResultSet,
        {"computed_at": rs.computed_at, "input_hash": "", "duration_ms": duration_ms},
        {"id": rs.pk},
    )
    record_row(
        actor=actor,
        action="results.recompute",
        obj=cycle,
        after={"status": rs.status, "units": len(unit_rows), "incremental": True},
        context={"duration_ms": duration_ms},
    )
    return rs


def _update_ints(model: Any, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """``UPDATE … SET <names> WHERE id`` for ``rows`` of ``(*values, pk)``: integers (or
    none) only, so the parameters need no conversion (a ``bulk_update`` builds a CASE
    expression per row, slow for the hundreds of rank changes one score can cause). One
    ``UPDATE … FROM unnest(…)`` on PostgreSQL, one ``executemany`` on SQLite (in-process:
    no round trips to save)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # One statement for all the rows (hundreds when a unit moves far in its group):
        # the columns as arrays, joined back by id — one round trip and one plan
        # instead of one per row.
        cols = ", ".join(f"c{i}" for i in range(len(names)))
        arrays = ", ".join(["%s::bigint[]"] * (len(names) + 1))
        sets = ", ".join(f"{qn(_column(model, n))} = v.c{i}" for i, n in enumerate(names))
        pk = qn(model._meta.pk.column)
        sql = (
            f"UPDATE {qn(model._meta.db_table)} AS t SET {sets} "
            f"FROM unnest({arrays}) AS v({cols}, id) WHERE t.{pk} = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
        return
    sets = ", ".join(f"{qn(_column(model, n))} = %s" for n in names)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _rerank_units(
    rs: ResultSet, groups: set[int], scored: Any, code_to_id: dict[str, int]
) -> list[tuple[int | None, int | None, int]]:
    """Ranks in the dirty units' groups, from the stored totals with the dirty units'
    new ones. Sets the dirty units' rank and rank change on the engine results; returns
    the other units whose rank changed as ``(rank, rank change, pk)``."""
    rows = _raw_rows(
        UnitResult.objects.filter(result_set=rs, group_id__in=groups)
        .order_by()
        .values_list(
            "pk",
            "unit_id",
            "group_id",
            _micro("points"),
            _micro("max_points"),
            "rank",
            "previous_rank",
            "previous_unit_id",
        )
    )
    fresh = {code_to_id[r.unit]: r for r in scored.results}
    nums = [fresh[u].points_micro if u in fresh else p for _pk, u, _g, p, *_ in rows]
    dens = [fresh[u].max_micro if u in fresh else m for _pk, u, _g, _p, m, *_ in rows]
    ranks = rank_ratios(nums, dens, [g for _pk, _u, g, *_ in rows])
    others: list[tuple[int | None, int | None, int]] = []
    for (pk, unit_id, _g, _p, _m, old, prev_rank, prev_unit), rk in zip(rows, ranks, strict=True):
        change = None if rk is None or prev_rank is None or prev_unit is None else prev_rank - rk
        r = fresh.get(unit_id)
        if r is not None:
            r.rank, r.rank_change = (
                rk,
                (
                    None
                    if rk is None or r.previous is None or r.previous.rank is None
                    else r.previous.rank - rk
                ),
            )
        elif rk != old:
            others.append((rk, change, pk))
    return others


def _rerank_areas(
    rs: ResultSet,
    groups: set[int],
    scored: Any,
    code_to_id: dict[str, int],
    stored: dict[int, tuple[Any, ...]],
) -> tuple[dict[tuple[str, str], int | None], list[tuple[int | None, int]]]:
    """Area ranks of the dirty units (for their new node rows) and the other units' area
    rows whose rank changed, as ``(rank, pk)``. Only the areas whose points or maximum
    changed for a dirty unit are re-ranked; the others keep their stored ranks."""
    dirty_results = [stored[u][0] for u in stored]
    old = {
        (ur_id, code): (p, m, rk)
        for ur_id, code, p, m, rk in _raw_rows(
            NodeResult.objects.filter(unit_result_id__in=dirty_results, depth=1)
            .order_by()
            .values_list("unit_result_id", "code", _micro("points"), _micro("max_points"), "rank")
        )
    }
    new = _area_ranks_of(scored)  # (unit code, area) → (points, max, group) of dirty units
    area_rank: dict[tuple[str, str], int | None] = {}
    changed: set[str] = set()
    for (unit_code, area), (p, m, _group) in new.items():
        before = old.get((stored[code_to_id[unit_code]][0], area))
        if before is None or before[:2] != (p, m):
            changed.add(area)
        else:
            area_rank[(unit_code, area)] = before[2]
    updates: list[tuple[int | None, int]] = []
    ur_to_code = {stored[u][0]: code for code, u in code_to_id.items()}
    for area in sorted(changed):
        rows = _raw_rows(
            NodeResult.objects.filter(
                unit_result__result_set=rs,
                unit_result__group_id__in=groups,
                depth=1,
                code=area,
            )
            .order_by()
            .values_list(
                "pk",
                "unit_result_id",
                "unit_result__group_id",
                _micro("points"),
                _micro("max_points"),
                "rank",
            )
        )
        present = {ur for _pk, ur, *_ in rows}
        # The dirty units' rows as they will be (a new area for a unit has no row yet).
        entries = [
            (None, ur, g, *new[(ur_to_code[ur], area)][:2], None)
            if ur in ur_to_code
            else (pk, ur, g, p, m, rk)
            for pk, ur, g, p, m, rk in rows
        ]
        for ur, code in ur_to_code.items():
            if ur not in present and (code, area) in new:
                g = stored[code_to_id[code]][2]
                entries.append((None, ur, g, *new[(code, area)][:2], None))
        ranks = rank_ratios(
            [e[3] for e in entries], [e[4] for e in entries], [e[2] for e in entries]
        )
        for (pk, ur, _g, _p, _m, rk_old), rk in zip(entries, ranks, strict=True):
            if ur in ur_to_code:
                area_rank[(ur_to_code[ur], area)] = rk
            elif rk != rk_old:
                assert pk is not None  # only the dirty units' entries have none
                updates.append((rk, pk))
    return area_rank, updates
