"""Lost points and head-of-unit accountability: the engine's pure rules."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from parindex.engine.accountability import AccountabilityRule, accountability, rating_history
from parindex.engine.lost_points import (
    LeafPoints,
    NodePoints,
    loss,
    losses_by_criterion,
    lost_points,
)

CLASSES = ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
SEED_002 = AccountabilityRule.from_config(
    {
        "consecutive": {"class": "Trung bình", "years": 2},
        "once": ["Yếu"],
        "head_not_good_at_or_below": "Trung bình",
    }
)


def test_lost_points_are_largest_first_then_by_code_leaving_out_na_and_full_nodes():
    rows = lost_points(
        [
            NodePoints("1.2", "B", 2, D("4"), D("3")),
            NodePoints("1.1", "A", 2, D("2"), D("1")),
            NodePoints("2.1", "C", 2, D("3"), D("0.5")),
            NodePoints("2.2", "N/A", 2, None, D("0")),
            NodePoints("3", "Đủ", 1, D("5"), D("5")),
        ]
    )
    assert [(r.code, r.lost) for r in rows] == [("2.1", D("2.5")), ("1.1", 1), ("1.2", 1)]
    assert rows[0].depth == rows[0].level == 2


def test_a_node_not_applicable_or_unscored_has_no_loss():
    assert loss(None, D("1")) is None and loss(D("1"), None) is None
    assert loss(D("4"), D("1.5")) == D("2.5")


def test_a_penalty_loses_the_points_deducted_an_unearned_bonus_is_no_loss_codes_sort_naturally():
    rows = lost_points(
        [
            NodePoints("1.10", "J", 2, D("2"), D("1")),
            NodePoints("1.2", "B", 2, D("2"), D("1")),
            NodePoints("4.1", "Trừ", 2, D("3"), D("2"), "penalty"),
            NodePoints("4.2", "Thưởng", 2, D("3"), D("0"), "bonus"),
        ]
    )
    assert [(r.code, r.lost) for r in rows] == [("4.1", 2), ("1.2", 1), ("1.10", 1)]
    by_crit = losses_by_criterion(
        [
            LeafPoints("G", "A", "4.1.1", D("3"), D("2"), source="penalty"),
            LeafPoints("G", "A", "4.2.1", D("3"), None, source="bonus"),
        ]
    )
    assert by_crit == {("G", "4.1"): {"A": D("2")}}


points = st.decimals(min_value=0, max_value=10, places=2)


@given(st.lists(st.tuples(points, points), max_size=20))
def test_every_lost_row_lost_exactly_max_minus_points_and_rows_never_increase(pairs):
    nodes = [NodePoints(f"{i}", "", 1, max(a, b), min(a, b)) for i, (a, b) in enumerate(pairs)]
    rows = lost_points(nodes)
    assert all(r.lost == r.max_points - r.points > 0 for r in rows)
    assert [r.lost for r in rows] == sorted((r.lost for r in rows), reverse=True)
    assert len(rows) == sum(1 for n in nodes if n.max_points > n.points)


def test_a_weak_unit_is_caught_once_and_its_head_too():
    reasons = accountability([(2025, "Yếu")], SEED_002, CLASSES)
    assert reasons[0] == "Năm 2025 xếp loại Yếu."
    assert "người đứng đầu không được xếp loại" in reasons[-1]


def test_two_average_years_in_a_row_are_caught_and_one_is_not_enough():
    two = accountability([(2025, "Trung bình"), (2024, "Trung bình")], SEED_002, CLASSES)
    assert "2 năm liên tục (2024, 2025) xếp loại Trung bình." in two
    one = accountability([(2025, "Trung bình"), (2024, "Khá")], SEED_002, CLASSES)
    assert not any("liên tục" in r for r in one)
    assert accountability([(2025, "Tốt"), (2024, "Yếu")], SEED_002, CLASSES) == []


def test_history_follows_the_comparison_links_back_and_stops_at_a_gap():
    past = {7: {2024: ("Khá", 3)}, 3: {2023: ("Yếu", None)}, 9: {2022: ("Tốt", None)}}
    assert rating_history(2025, "Tốt", 7, past) == [(2025, "Tốt"), (2024, "Khá"), (2023, "Yếu")]
    assert rating_history(2025, "Tốt", None, past) == [(2025, "Tốt")]


def test_losses_by_criterion_sum_each_units_leaves_and_leave_out_na_and_full_ones():
    leaves = [
        LeafPoints("Sở", "a", "1.2.1", D("2"), D("1.5")),
        LeafPoints("Sở", "a", "1.2.2", D("2"), None),  # not scored: counts 0
        LeafPoints("Sở", "b", "1.2.1", D("2"), D("2")),  # full: nothing lost
        LeafPoints("Sở", "b", "1.2.2", D("2"), D("0"), not_applicable=True),
        LeafPoints("Xã", "c", "2.1", D("0"), D("0")),  # no positive maximum
        LeafPoints("Xã", "c", "1.1", D("3"), D("1")),
    ]
    assert losses_by_criterion(leaves) == {("Sở", "1.2"): {"a": D("2.5")}, ("Xã", "1.1"): {"c": 2}}
