"""Aggregation: caps, N/A, bonus and penalty, component indices (DESIGN §4)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from engine_helpers import D, framework, leaf, parent, small

from parindex.engine.aggregate import NA, FrameworkRefused, aggregate, compile_framework
from parindex.engine.framework import Node


def test_full_marks() -> None:
    s = aggregate(small(), {"1.1": D(3), "1.2": D(3), "2.1": D(2), "2.2": D(2)})
    assert s.points == 10 and s.max_points == 10 and s.index == 100


def test_parent_is_sum_of_children_and_index_is_percent() -> None:
    s = aggregate(small(), {"1.1": D("2.5"), "1.2": D(1), "2.1": D("0.5"), "2.2": D(2)})
    assert s.nodes["1"].points == D("3.5")
    assert s.nodes["2"].points == D("2.5")
    assert s.points == 6
    assert s.index == 60
    # component index of area 1 = 3.5 / 6
    assert s.nodes["1"].index == Fraction(350, 6)


def test_bonus_adds_but_parent_is_capped_at_its_max() -> None:
    s = aggregate(small(), {"1.1": D(3), "1.2": D("2.5"), "1.3": D(1)})
    assert s.nodes["1"].points == 6  # 3 + 2.5 + 1 = 6.5, capped at 6
    assert s.nodes["1"].max_points == 6  # bonus max does not count


def test_penalty_subtracts_and_parent_never_negative() -> None:
    s = aggregate(small(), {"2.1": D("0.5"), "2.2": D(0), "2.3": D(1)})
    assert s.nodes["2"].points == 0  # 0.5 − 1 clamped to 0
    s = aggregate(small(), {"2.1": D(2), "2.2": D(1), "2.3": D("0.5")})
    assert s.nodes["2"].points == D("2.5")


def test_na_removes_points_and_max() -> None:
    s = aggregate(small(), {"1.1": D(3), "1.2": NA, "2.1": D(2), "2.2": D(1)})
    assert s.nodes["1"].max_points == 3
    assert s.max_points == 7
    assert s.points == 6
    assert s.index == Fraction(600, 7)
    assert s.nodes["1.2"].max_points is None and not s.nodes["1.2"].applicable


def test_parent_with_all_children_na_is_na() -> None:
    s = aggregate(small(), {"1.1": D(3), "1.2": D(3), "2.1": NA, "2.2": NA, "2.3": D(1)})
    assert s.nodes["2"].max_points is None
    assert s.nodes["2"].index is None
    assert s.max_points == 6 and s.points == 6 and s.index == 100


def test_everything_na_gives_no_index() -> None:
    s = aggregate(small(), dict.fromkeys(("1.1", "1.2", "2.1", "2.2"), NA))
    assert s.index is None


def test_missing_leaves_count_zero_and_are_reported() -> None:
    s = aggregate(small(), {"1.1": D(3)})
    assert s.points == 3
    assert set(s.missing) >= {"1.2", "2.1", "2.2"}


def test_capped_parent_with_declared_note_and_na() -> None:
    # 1 (2 points, note): children 1.5 + 1 over-fill the parent; capped at 2.
    fw = framework(
        parent("1", 2, leaf("1.1", "1.5"), leaf("1.2", 1), note="tối đa 2 điểm"), total=2
    )
    assert aggregate(fw, {"1.1": D("1.5"), "1.2": D(1)}).points == 2
    # 1.1 N/A: what is left can give at most 1 point, so the applicable max is 1.
    s = aggregate(fw, {"1.1": NA, "1.2": D(1)})
    assert s.max_points == 1 and s.index == 100


def test_exact_arithmetic_with_six_decimals() -> None:
    fw = framework(parent("1", 3, leaf("1.1", 1), leaf("1.2", 1), leaf("1.3", 1)), total=3)
    s = aggregate(fw, {"1.1": D("0.1"), "1.2": D("0.2"), "1.3": D("0.000001")})
    assert s.points == D("0.300001")


def test_unknown_code_and_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match=r"9\.9"):
        aggregate(small(), {"9.9": D(1)})
    with pytest.raises(ValueError, match="ngoài"):
        aggregate(small(), {"1.1": D("3.5")})


def test_framework_with_unknown_max_is_refused() -> None:
    fw = framework(parent("1", 1, Node("1.1", "x", None)), total=1)
    with pytest.raises(FrameworkRefused, match="chưa rõ điểm tối đa"):
        compile_framework(fw)
