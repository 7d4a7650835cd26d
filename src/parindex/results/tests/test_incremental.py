"""The incremental recompute (issue 9, part 10): one changed unit is rescored and its
group re-ranked, and the stored rows are the ones the full recompute stores, row for row,
after random sequences of changes (points, not applicable, external points, metrics,
approval) on one or two units at a time."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from parindex.assessments.models import Assessment, LeafScore
from parindex.audit.models import AuditEvent
from parindex.results.models import (
    DirtyUnit,
    NodeResult,
    RecomputeRequest,
    UnitMetric,
    UnitResult,
)
from parindex.results.services import results_recompute, results_recompute_units
from parindex.results.services.background import _enqueue_recompute
from parindex.results.tasks import recompute_cycle
from parindex.results.tests.conftest import approve_all, open_cycle, set_points
from parindex.testing import make_group, make_unit

KEYS = {"id", "result_set", "result_set_id"}


def snapshot(cycle: Any) -> tuple[dict[int, dict[str, Any]], dict[tuple[int, str], Any]]:
    """Every stored unit row and node row of the cycle, without their ids."""
    units = {
        row["unit_id"]: {k: v for k, v in row.items() if k not in KEYS}
        for row in UnitResult.objects.filter(result_set__cycle=cycle).values()
    }
    nodes = {
        (unit_id, code): rest
        for unit_id, code, *rest in NodeResult.objects.filter(
            unit_result__result_set__cycle=cycle
        ).values_list(
            "unit_result__unit_id",
            "code",
            "depth",
            "position",
            "points",
            "max_points",
            "index",
            "rank",
        )
    }
    return units, nodes


def full_snapshot(cycle: Any) -> Any:
    """What the full recompute stores now (rolled back afterwards)."""
    sid = transaction.savepoint_create()
    try:
        results_recompute(cycle=cycle)
        return snapshot(cycle)
    finally:
        transaction.savepoint_rollback(sid)


@pytest.fixture
def province(fw):
    """Two groups of six units, last year's final results for most of them (rank and index
    changes), points everywhere."""
    g, h = make_group("so", "Sở"), make_group("xa", "Xã", kind="commune")
    units = [make_unit(f"so-{i}", group=g) for i in range(6)]
    units += [make_unit(f"xa-{i}", group=h) for i in range(6)]
    old = open_cycle(2024, fw, {g: units[:6], h: units[6:10]})
    rnd = random.Random(2024)
    for u in units[:10]:
        set_points(old, u, {"1.1": rnd.choice([0, 1, 2]), "1.2.1": 2, "1.2.2": 1, "2.1": 3})
    approve_all(old)
    results_recompute(cycle=old)
    cycle = open_cycle(2025, fw, {g: units[:6], h: units[6:]})
    for u in units:
        set_points(cycle, u, {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": rnd.choice([1, 2, 4])})
    results_recompute(cycle=cycle)
    return cycle, units


def change(rnd: random.Random, cycle: Any, unit: Any) -> None:
    """One random change of the unit's inputs."""
    leaf = LeafScore.objects.select_related("criterion").get(
        assessment__cycle=cycle,
        assessment__unit=unit,
        criterion__code=rnd.choice(["1.1", "1.2.1", "1.2.2", "2.1"]),
    )
    mx = leaf.criterion.max_points
    steps = int(mx * 4)
    points = Decimal(rnd.randint(0, steps)) / 4
    kind = rnd.choice(["round1", "self", "na", "none", "metric", "approve", "external"])
    qs = LeafScore.objects.filter(pk=leaf.pk)
    if kind == "metric":
        UnitMetric.objects.update_or_create(
            cycle=cycle,
            unit=unit,
            metric="late_dossier_rate",
            defaults={"value": Decimal(rnd.randint(0, 30))},
        )
    elif kind == "approve":
        a = Assessment.objects.filter(cycle=cycle, unit=unit)
        a.update(status=rnd.choice(["approved", "round1"]))
        qs.update(final_points=points)
    elif kind == "na":
        qs.update(not_applicable=not leaf.not_applicable)
    elif kind == "none":
        qs.update(round1_points=None, self_points=None)
    elif kind == "external":
        qs.update(final_points=points)
    else:
        qs.update(**{f"{kind}_points": points})


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_after_random_changes_the_incremental_rows_equal_the_full_recompute(province, seed):
    cycle, units = province
    # The default rating caps units with 5% late dossiers or more: metrics move ratings.
    rnd = random.Random(seed)
    for _step in range(20):
        changed = rnd.sample(units, rnd.choice([1, 1, 1, 2]))
        for unit in changed:
            change(rnd, cycle, unit)
        results_recompute_units(cycle=cycle, unit_ids={u.pk for u in changed})
        assert (
            AuditEvent.objects.filter(action="results.recompute")
            .latest("pk")
            .after.get("incremental")
        ), "the incremental path ran"
        assert snapshot(cycle) == full_snapshot(cycle)


def test_one_change_rewrites_only_that_unit_and_the_ranks_that_moved(province):
    cycle, units = province
    before = snapshot(cycle)
    top = units[0]
    set_points(cycle, top, {"2.1": 0}, "final_points")
    rs = results_recompute_units(cycle=cycle, unit_ids={top.pk})
    after = snapshot(cycle)
    assert after == full_snapshot(cycle)
    moved = {u for u in after[0] if after[0][u] != before[0][u]}
    assert top.pk in moved
    # nothing of the other group changed
    assert not moved & {u.pk for u in units[6:]}
    assert rs.input_hash == ""  # the next full recompute recomputes
    event = AuditEvent.objects.filter(action="results.recompute").latest("pk")
    assert event.after["incremental"] is True and event.after["units"] == 1


def test_a_unit_change_queues_the_unit_and_the_task_recomputes_it_alone(province):
    cycle, units = province
    set_points(cycle, units[7], {"2.1": 0}, "final_points")
    _enqueue_recompute(cycle.pk, [units[7].pk])
    assert list(DirtyUnit.objects.values_list("unit_id", flat=True)) == [units[7].pk]
    recompute_cycle.call(cycle.pk)
    assert not DirtyUnit.objects.exists()
    assert RecomputeRequest.objects.get(cycle=cycle).pending is False
    assert (
        AuditEvent.objects.filter(action="results.recompute").latest("pk").after.get("incremental")
    )
    assert snapshot(cycle) == full_snapshot(cycle)


def test_a_change_that_is_not_one_units_recomputes_everything(province):
    cycle, units = province
    _enqueue_recompute(cycle.pk, [units[1].pk])
    _enqueue_recompute(cycle.pk)  # e.g. the rating configuration or "Tính lại"
    assert RecomputeRequest.objects.get(cycle=cycle).full is True
    recompute_cycle.call(cycle.pk)
    event = AuditEvent.objects.filter(action="results.recompute").latest("pk")
    assert "incremental" not in event.after
    assert RecomputeRequest.objects.get(cycle=cycle).full is False


def test_a_unit_without_a_stored_row_falls_back_to_the_full_recompute(province):
    cycle, units = province
    UnitResult.objects.filter(result_set__cycle=cycle, unit=units[2]).delete()
    results_recompute_units(cycle=cycle, unit_ids={units[2].pk})
    assert UnitResult.objects.filter(result_set__cycle=cycle, unit=units[2]).exists()
    assert (
        "incremental"
        not in AuditEvent.objects.filter(action="results.recompute").latest("pk").after
    )


def test_the_columnar_core_stores_the_rows_of_the_reference_evaluator(province, monkeypatch):
    # Issue 14: a national-size cycle is scored column-wise; forced here on a small one,
    # after changes that bring N/A, missing points, metrics and external points.
    from parindex.engine import columnar
    from parindex.engine import compute as engine

    cycle, units = province
    rnd = random.Random(14)
    for _step in range(12):
        change(rnd, cycle, rnd.choice(units))
    reference = full_snapshot(cycle)
    calls = []
    real = columnar.score_columns
    monkeypatch.setattr(columnar, "score_columns", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(engine, "COLUMNAR_MIN_UNITS", 0)
    assert full_snapshot(cycle) == reference
    assert len(calls) >= 2, "scores (every node) and own scores went through the columns"
    assert len(reference[0]) == len(units)
