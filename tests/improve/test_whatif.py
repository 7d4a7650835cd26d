"""What-if: forward re-ranking and the least-effort path to rank K (engine/whatif.py)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.engine.aggregate import NA, aggregate, compile_framework
from parindex.engine.framework import Framework, Node
from parindex.engine.whatif import WhatIfError, cheapest_path, rank_among, what_if

M = 1_000_000


def D(x: object) -> Decimal:
    return Decimal(str(x))


def leaf(code: str, mx: object, source: str = "self") -> Node:
    return Node(code, code, D(mx), source=source)


def parent(code: str, mx: object, *kids: Node, note: str = "") -> Node:
    return Node(code, code, D(mx), children=kids, note=note)


def fw(*areas: Node) -> Framework:
    return Framework("t", "t", nodes=areas)


# 1 (6): 1.1 (3), 1.2 (3), 1.3 bonus (1)      2 (4): 2.1 (2), 2.2 (2), 2.3 penalty (1)
SMALL = compile_framework(
    fw(
        parent("1", 6, leaf("1.1", 3), leaf("1.2", 3), leaf("1.3", 1, "bonus")),
        parent("2", 4, leaf("2.1", 2), leaf("2.2", 2), leaf("2.3", 1, "penalty")),
    )
)
# X: area 1 = 1 + 3 = 4, area 2 = 1 + 0 − 1 = 0 → 4/10 = 40
X = {"1.1": D(1), "1.2": D(3), "2.1": D(1), "2.2": D(0), "2.3": D(1)}
OTHERS = [(8 * M, 10 * M), (6 * M, 10 * M), (5 * M, 10 * M)]  # 80, 60, 50


def changes(answer: Any) -> dict[str, tuple[Decimal, Decimal]]:
    return {c.code: (c.from_points, c.to_points) for c in answer.changes}


def test_rank_among_counts_only_strictly_higher_indices() -> None:
    assert rank_among(6 * M, 10 * M, OTHERS) == 2
    assert rank_among(3 * M, 5 * M, OTHERS) == 2  # 60 ties 60: shares rank 2
    assert rank_among(9 * M, 10 * M, OTHERS) == 1
    assert rank_among(0, 10 * M, OTHERS) == 4


def test_forward_what_if_gives_the_new_index_and_rank() -> None:
    a = what_if(SMALL, X, {"1.1": D(3), "2.3": D(0)}, OTHERS, unit="X")
    # area 1 = 3 + 3 = 6; area 2 = 1 + 0 − 0 = 1 → 7/10
    assert (a.from_index, a.from_rank, a.to_index, a.to_rank) == (40, 4, 70, 2)
    assert changes(a) == {"1.1": (D(1), D(3)), "2.3": (D(1), D(0))}
    assert a.effort == 3 and a.reached and a.target_rank is None


def test_forward_what_if_on_a_capped_parent_gains_nothing() -> None:
    # area 1 already 4 of 6; the bonus 1.3 adds 1 → 5; 1.1 to 3 would make 7 > 6 → 6
    a = what_if(SMALL, X, {"1.1": D(3), "1.3": D(1)}, OTHERS)
    assert a.to_index == 60 and a.to_rank == 2  # ties the unit at 60


def test_forward_what_if_refuses_bad_targets_all_at_once() -> None:
    with pytest.raises(WhatIfError) as exc:
        what_if(SMALL, {**X, "2.2": NA}, {"1.1": D(4), "9": D(1), "2.2": D(1)}, OTHERS)
    text = str(exc.value)
    assert "1.1: điểm 4 nằm ngoài khoảng [0, 3]" in text
    assert "mã 9: không phải tiêu chí lá" in text
    assert "2.2: tiêu chí không áp dụng" in text


def test_reverse_reaches_the_rank_exactly_with_default_effort() -> None:
    a = cheapest_path(SMALL, X, 1, OTHERS, unit="X")
    # needs 80: 4 more points. Leaves in framework order at equal effort: 1.1 (+2, area 1
    # headroom 2), then 2.1 (+1), 2.2 (+1). Bonus 1.3 comes after 1.1: area 1 is full.
    assert changes(a) == {"1.1": (D(1), D(3)), "2.1": (D(1), D(2)), "2.2": (D(0), D(1))}
    assert (a.to_index, a.to_rank, a.effort, a.reached) == (80, 1, 4, True)


def test_reverse_prefers_cheap_leaves_and_removing_a_penalty() -> None:
    effort = {"1.1": D(5), "2.3": D("0.5"), "2.2": D(2)}
    a = cheapest_path(SMALL, X, 1, OTHERS, effort=effort)
    # cheapest per point: 2.3 (0.5, +1 by dropping the penalty), then 1.2? full; 1.3 bonus
    # (1, +1 within area 1 headroom 2), 2.1 (1, +1), then 2.2 (2) for the last point
    # (1.1 costs 5).
    assert changes(a) == {
        "2.3": (D(1), D(0)),
        "1.3": (D(0), D(1)),
        "2.1": (D(1), D(2)),
        "2.2": (D(0), D(1)),
    }
    assert a.effort == D("4.5") and a.to_rank == 1


def test_reverse_is_continuous_within_a_leaf() -> None:
    others = [(5_250_000, 10 * M)]  # 52.5
    a = cheapest_path(SMALL, X, 1, others)
    assert changes(a) == {"1.1": (D(1), D("2.25"))}
    assert a.to_index == Fraction(525, 10) and a.effort == D("1.25")


def test_reaching_a_tie_with_the_unit_at_rank_k_counts() -> None:
    a = cheapest_path(SMALL, X, 2, OTHERS)
    assert a.to_index == 60 and a.to_rank == 2 and a.reached


def test_a_target_rank_already_held_changes_nothing() -> None:
    a = cheapest_path(SMALL, X, 4, OTHERS)
    assert a.changes == () and a.to_rank == a.from_rank == 4 and a.effort == 0


# area 1 (5) declares a gap: its children add up to 4 only, so it never gets full
GAP = compile_framework(
    fw(
        parent("1", 5, leaf("1.1", 2), leaf("1.2", 2), note="1 điểm dành cho năm sau"),
        parent("2", 5, leaf("2.1", 5)),
    )
)


def test_an_unreachable_rank_gives_the_cheapest_way_to_the_best_reachable() -> None:
    others = [(10 * M, 10 * M), (9_500_000, 10 * M), (8 * M, 10 * M)]  # 100, 95, 80
    a = cheapest_path(GAP, {"1.1": 0, "1.2": 0, "2.1": 5}, 1, others)
    # at best 4 + 5 = 9 → 90, third; third needs 80 = 8 points: 1.1 + 2, 1.2 + 1
    assert not a.reached and a.target_rank == 1
    assert (a.from_rank, a.to_index, a.to_rank, a.effort) == (4, 80, 3, 3)
    assert changes(a) == {"1.1": (D(0), D(2)), "1.2": (D(0), D(1))}


def test_an_unreachable_rank_with_nothing_to_gain_changes_nothing() -> None:
    others = [(10 * M, 10 * M), (9_500_000, 10 * M)]
    a = cheapest_path(GAP, {"1.1": 2, "1.2": 2, "2.1": 5}, 2, others)
    assert not a.reached and a.changes == () and a.to_rank == a.from_rank == 3


def test_a_deficit_parent_must_be_paid_before_it_gives_anything() -> None:
    # area 1 (4): 1.1 (4), 1.2 penalty (3); unit has 1.1 = 0, penalty 3 → s = −3, points 0.
    # area 2 (4): 2.1 (4) at 0. Gains in 1.1 first repay 3 points of penalty.
    f = compile_framework(
        fw(
            parent("1", 4, leaf("1.1", 4), leaf("1.2", 3, "penalty")),
            parent("2", 4, leaf("2.1", 4)),
        )
    )
    unit = {"1.1": 0, "1.2": 3, "2.1": 0}
    others = [(5 * M, 8 * M)]
    a = cheapest_path(f, unit, 1, others, effort={"1.1": D("0.1"), "2.1": 3})
    # option A: area 2 only: 4 points × 3 = 12 and 1 more from area 1 → too little alone;
    # cheapest: 1.1 to 4 (cost 0.4, area 1 = 1) and the penalty 1.2 to 0 (cost 3 × 1 = 3 →
    # area 1 = 4) and 2.1 + 1 (3) = 6.4; or 1.1 to 4 and 2.1 + 4 (12.4): the first wins.
    assert a.reached and a.to_index == Fraction(500, 8)
    assert a.effort == D("6.4")


@st.composite
def cases(draw: Any) -> tuple[Framework, dict[str, Any], dict[str, int], int]:
    """Tiny frameworks (≤ 6 leaves, integer points) with caps, bonus, penalty and N/A."""
    n = iter(range(1, 100))
    leaves: list[tuple[str, int]] = []

    def make_leaf(code: str, source: str = "self") -> Node:
        mx = draw(st.integers(1, 3))
        leaves.append((code, mx))
        return leaf(code, mx, source)

    areas = []
    for a in range(1, draw(st.integers(1, 2)) + 1):
        kids = []
        for c in range(1, draw(st.integers(1, 2)) + 1):
            code = f"{a}.{c}"
            if draw(st.booleans()):
                kids.append(make_leaf(code))
            else:
                sub = [make_leaf(f"{code}.{i}") for i in range(1, draw(st.integers(1, 2)) + 1)]
                s = sum(int(x.max_points or 0) for x in sub)
                cap = draw(st.integers(1, s))
                kids.append(parent(code, cap, *sub, note="" if cap == s else "cap"))
        regular = sum(int(k.max_points or 0) for k in kids)
        extra = draw(st.sampled_from(["", "bonus", "penalty"]))
        if extra:
            kids.append(make_leaf(f"{a}.{next(n) + 10}", extra))
        cap = draw(st.integers(1, regular))
        areas.append(parent(str(a), cap, *kids, note="" if cap == regular else "cap"))
    framework = fw(*areas)
    points: dict[str, Any] = {}
    for code, mx in leaves:
        points[code] = NA if draw(st.integers(0, 6)) == 0 else draw(st.integers(0, mx))
    effort = {code: draw(st.integers(0, 3)) for code, _ in leaves if draw(st.booleans())}
    return framework, points, effort, draw(st.integers(1, 3))


def brute_force(
    framework: Framework,
    points: dict[str, Any],
    others: list[tuple[int, int]],
    effort: dict[str, int],
    k: int,
) -> tuple[int, Fraction]:
    """(best reachable rank capped at k, least effort to it) over all integer gains."""
    cf = compile_framework(framework)
    nodes = framework.by_code()
    options = []
    for code, _ in points.items():
        x = points[code]
        if x is NA:
            options.append([x])
        elif nodes[code].source == "penalty":
            options.append(list(range(x, -1, -1)))
        else:
            options.append(list(range(x, int(nodes[code].max_points or 0) + 1)))
    best: tuple[int, Fraction] | None = None
    codes = list(points)
    for combo in itertools.product(*options):
        s = aggregate(cf, dict(zip(codes, combo, strict=True)))
        assert s.max_points is not None
        r = max(rank_among(int(s.points * M), int(s.max_points * M), others), k)
        cost = sum(
            (
                Fraction(effort.get(c, 1)) * abs(b - points[c])
                for c, b in zip(codes, combo, strict=True)
                if b is not NA
            ),
            Fraction(0),
        )
        if best is None or (r, cost) < best:
            best = (r, cost)
    assert best is not None
    return best


@settings(max_examples=400, deadline=None)
@given(cases(), st.data())
def test_the_greedy_matches_a_brute_force_search(case: Any, data: Any) -> None:
    framework, points, effort, k = case
    cf = compile_framework(framework)
    s = aggregate(cf, points)
    if s.max_points is None:
        return
    m = int(s.max_points)
    # others share the unit's maximum, so every target is a whole number of points
    others = [
        (data.draw(st.integers(0, m)) * M, m * M) for _ in range(data.draw(st.integers(1, 4)))
    ]
    rank, cost = brute_force(framework, points, others, effort, k)
    a = cheapest_path(cf, points, k, others, effort=effort)
    assert max(a.to_rank, k) == rank
    assert a.reached == (rank == k)
    assert Fraction(a.effort) == cost
