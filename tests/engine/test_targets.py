"""Points of a statistic leaf from its target-register rows (engine.targets)."""

from decimal import Decimal as D

import pytest

from parindex.engine.targets import TargetRow, target_points


def test_full_points_once_the_actual_reaches_the_target():
    assert target_points(D("2"), [TargetRow(D("95"), D("96.4"))]) == D("2.000")
    assert target_points(D("2"), [TargetRow(D("95"), D("95"))]) == D("2.000")


def test_below_the_target_the_points_are_in_proportion_rounded_half_even():
    # 2 × 90/95 = 1.894736… → 1.895
    assert target_points(D("2"), [TargetRow(D("95"), D("90"))]) == D("1.895")
    # 1 × 1/8 = 0.125 exactly; 1 × 1/16 = 0.0625 → half-even 0.062
    assert target_points(D("1"), [TargetRow(D("16"), D("1"))]) == D("0.062")


def test_threshold_is_all_or_nothing():
    assert target_points(D("3"), [TargetRow(D("10"), D("9.99"), "threshold")]) == D("0.000")
    assert target_points(D("3"), [TargetRow(D("10"), D("10"), "threshold")]) == D("3.000")


def test_several_rows_give_the_mean_of_their_shares_and_unknown_actuals_wait():
    rows = [
        TargetRow(D("5"), D("5")),  # 1
        TargetRow(D("4"), D("2")),  # 0.5
        TargetRow(D("3"), None),  # not reported yet: left out
    ]
    assert target_points(D("4"), rows) == D("3.000")
    assert target_points(D("4"), [TargetRow(D("3"), None)]) is None


def test_an_unknown_formula_is_refused():
    with pytest.raises(ValueError, match="cách tính"):
        target_points(D("1"), [TargetRow(D("1"), D("1"), "magic")])


def test_a_rule_row_takes_the_points_the_leaf_rule_gave_it():
    # bands "80–95 %: 1 of 2 points": the caller scored 90 % as 1 point
    row = TargetRow(D("95"), D("90"), "rule", points=D("1"))
    assert target_points(D("2"), [row]) == D("1.000")
    with pytest.raises(ValueError, match="cách chấm"):
        target_points(D("2"), [TargetRow(D("95"), D("90"), "rule")])
