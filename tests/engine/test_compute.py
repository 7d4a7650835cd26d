"""compute(): many units, groups, metrics-fed leaves, rating, previous results."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from engine_helpers import D, framework, leaf, parent, small

from parindex.engine.aggregate import NA, FrameworkRefused
from parindex.engine.compute import ComputeError, PreviousResult, UnitInfo, compute
from parindex.engine.framework import Node, Rule
from parindex.engine.rating import Condition, RatingScheme

SCHEME = RatingScheme(
    (("Xuất sắc", D(90)), ("Tốt", D(80)), ("Khá", D(70)), ("Yếu", D(0))),
    (Condition("late_dossier_rate", ">=", D(5), "Khá", "trễ hạn ≥ 5%"),),
)


def full(**over: object) -> dict[str, object]:
    base: dict[str, object] = {"1.1": D(3), "1.2": D(3), "2.1": D(2), "2.2": D(2)}
    base.update(over)
    return base


def test_groups_ranks_rating_and_changes() -> None:
    scores = {
        "so1": full(),  # 100
        "so2": full(**{"1.1": D(0)}),  # 70
        "so3": full(**{"1.2": D(0)}),  # 70 (tie)
        "xa1": full(**{"2.1": D(0), "2.2": D(0)}),  # 60
        "xa2": full(**{"2.1": NA, "2.2": NA}),  # 6/6 = 100
    }
    units = {u: UnitInfo(f"Đơn vị {u}", u[:2]) for u in scores}
    metrics = {"so1": {"late_dossier_rate": D(8)}, "xa2": {"late_dossier_rate": D(1)}}
    previous = {"so2": PreviousResult(D("65.5"), 3), "xa1": PreviousResult(D(61), 1)}
    res = {r.unit: r for r in compute(small(), scores, units, metrics, SCHEME, previous)}  # type: ignore[arg-type]
    assert [res[u].rank for u in ("so1", "so2", "so3", "xa1", "xa2")] == [1, 2, 2, 2, 1]
    assert res["xa2"].max_points == 6 and res["xa2"].index == 100
    assert res["so1"].rating is not None and res["so1"].rating.name == "Khá"
    assert res["so1"].rating.base_name == "Xuất sắc"
    assert res["so2"].rank_change == 1 and res["so2"].index_change == Fraction(9, 2)
    assert res["xa1"].rank_change == -1 and res["xa1"].index_change == -1
    assert res["so3"].rank_change is None
    assert res["so3"].rating is not None
    assert [c.metric for c in res["so3"].rating.missing] == ["late_dossier_rate"]


def test_results_are_ordered_by_group_then_rank() -> None:
    scores = {"b": full(**{"1.1": D(1)}), "a": full(), "c": full(**{"1.1": D(1)})}
    assert [r.unit for r in compute(small(), scores)] == ["a", "b", "c"]  # type: ignore[arg-type]


def test_metric_leaf_takes_its_value_from_the_metrics() -> None:
    fw = framework(
        parent(
            "1",
            20,
            leaf("1.1", 10),
            leaf("1.2", 10, source="sipas", rule=Rule("metric", {"metric": "sipas"})),
        ),
        total=20,
    )
    res = {
        r.unit: r
        for r in compute(
            fw,
            {"a": {"1.1": D(10)}, "b": {"1.1": D(10), "1.2": D(5)}, "c": {"1.1": D(10)}},
            metrics={"a": {"sipas": D("83.4")}, "b": {"sipas": D(10)}},
        )
    }
    assert res["a"].points == D("18.34")  # 10 + 10 × 83.4 / 100
    assert res["b"].points == 15  # a given score wins over the metric
    assert res["c"].points == 10 and res["c"].missing == ("1.2",)


def test_listed_units_without_scores_are_included_as_missing() -> None:
    res = compute(small(), {"a": full()}, units={"a": UnitInfo(), "b": UnitInfo()})  # type: ignore[arg-type]
    b = next(r for r in res if r.unit == "b")
    assert b.points == 0 and b.index == 0 and len(b.missing) == 4


def test_scored_unit_absent_from_units_is_an_error() -> None:
    with pytest.raises(ComputeError, match="zz"):
        compute(small(), {"zz": full()}, units={"a": UnitInfo()})  # type: ignore[arg-type]


def test_out_of_range_and_unknown_codes_all_reported() -> None:
    with pytest.raises(ComputeError) as exc:
        compute(small(), {"a": {"1.1": D(4), "9": D(1), "1": D(1)}})
    assert len(exc.value.problems) == 3


def test_refuses_unknown_max_and_invalid_frameworks() -> None:
    unknown = framework(parent("1", 1, Node("1.1", "x", None)), total=1)
    with pytest.raises(FrameworkRefused):
        compute(unknown, {"a": {}})
    wrong = framework(parent("1", 2, leaf("1.1", 1)), total=2)
    with pytest.raises(FrameworkRefused, match="1"):
        compute(wrong, {"a": {}})


def test_area_components() -> None:
    (r,) = compute(small(), {"a": full(**{"1.1": D("1.5"), "2.1": NA})})  # type: ignore[arg-type]
    areas = r.areas
    assert areas["1"].points == D("4.5") and areas["1"].index == 75
    assert areas["2"].max_points == 2 and areas["2"].index == 100
    assert r.index == Fraction(650, 8)
    assert r.index_decimal == Decimal("81.25")
