"""Monte Carlo rank bands over area weights (engine/rank_bands.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.engine.aggregate import NA, compile_framework
from parindex.engine.compute import UnitInfo, compute
from parindex.engine.framework import Framework, Node
from parindex.engine.rank_bands import competition_ranks, draw_ranks, rank_bands


def fw(*maxima: int, penalty: int | None = None) -> Framework:
    """Areas ``1``, ``2``… with one leaf each (``1.1``, ``2.1``…), optional penalty area P."""

    def area(code: str, m: int, source: str = "self") -> Node:
        kid = Node(f"{code}.1", "x", Decimal(m))  # the area's source decides its sign
        return Node(code, f"Lĩnh vực {code}", Decimal(m), source=source, children=(kid,))

    nodes = [area(str(i + 1), m) for i, m in enumerate(maxima)]
    if penalty is not None:
        nodes.append(area("P", penalty, "penalty"))
    return Framework("t", "t", nodes=tuple(nodes))


def leaves(**points: Any) -> dict[str, Any]:
    """``leaves(a1=9, a2=3, P=5)`` → leaf points ``{"1.1": 9, "2.1": 3, "P.1": 5}``."""
    return {f"{k.removeprefix('a')}.1": v for k, v in points.items()}


FW = compile_framework(fw(10, 10))
# A strong in area 1, B in area 2 (equal totals), C behind both in each area, D in another
# group.
SCORES: dict[str, dict[str, Any]] = {
    "A": leaves(a1=9, a2=3),
    "B": leaves(a1=3, a2=9),
    "C": leaves(a1=2, a2=2),
    "D": leaves(a1=1, a2=1),
}
UNITS = {u: UnitInfo(u, "so" if u != "D" else "xa") for u in SCORES}


def bands(**kw: Any) -> dict[str, tuple[int | None, ...]]:
    results = compute(FW, SCORES, UNITS)
    return {
        b.unit: (b.rank, b.p05, b.p50, b.p95)
        for b in rank_bands(FW, results, **{"draws": 400, "seed": 7, **kw})
    }


def test_competition_ranks_share_the_best_rank_row_by_row() -> None:
    v = np.array([[3.0, 5.0, 5.0, 1.0], [1.0, 1.0, 1.0, 2.0]])
    assert competition_ranks(v).tolist() == [[3, 1, 1, 4], [2, 2, 2, 1]]


def test_zero_spread_gives_the_computed_rank_three_times() -> None:
    assert bands(spread=0.0) == {
        "A": (1, 1, 1, 1),
        "B": (1, 1, 1, 1),
        "C": (3, 3, 3, 3),
        "D": (1, 1, 1, 1),
    }


def test_equal_totals_split_by_the_weights_and_a_dominated_unit_stays_behind() -> None:
    b = bands(spread=0.3)
    # A and B tie at 60; any weight change favours one of them → each is 1st about half
    # of the time, 2nd otherwise.
    assert b["A"] == (1, 1, b["A"][2], 2) and b["B"] == (1, 1, b["B"][2], 2)
    assert b["C"] == (3, 3, 3, 3)  # lower in every area: third in every draw
    assert b["D"] == (1, 1, 1, 1)  # alone in its group


def test_a_fixed_seed_repeats_exactly_and_another_seed_draws_again() -> None:
    results = compute(FW, SCORES, UNITS)
    one = draw_ranks(FW, results, draws=300, spread=0.4, seed=11)
    two = draw_ranks(FW, results, draws=300, spread=0.4, seed=11)
    other = draw_ranks(FW, results, draws=300, spread=0.4, seed=12)
    assert (one == two).all() and not (one == other).all()
    assert bands(spread=0.4) == bands(spread=0.4)


def test_percentiles_are_the_inverted_cdf_of_the_draws() -> None:
    results = compute(FW, SCORES, UNITS)
    ranks = draw_ranks(FW, results, draws=333, spread=0.5, seed=3)
    expected = np.percentile(ranks, [5, 50, 95], axis=0, method="inverted_cdf")
    got = rank_bands(FW, results, draws=333, spread=0.5, seed=3)
    for u, b in enumerate(got):
        assert (b.p05, b.p50, b.p95) == tuple(int(x) for x in expected[:, u])


def test_the_index_in_a_draw_weights_areas_and_clamps_penalties() -> None:
    # factors (f1, f2): index = (f1 p1 + f2 p2 − f3 pen) / (f1 m1 + f2 m2); the penalty
    # area's factor scales the deduction only.
    cf = compile_framework(fw(10, 10, penalty=5))
    results = compute(cf, {"A": leaves(a1=10, a2=0, P=5), "B": leaves(a1=0, a2=6, P=0)})
    assert {r.unit: r.index for r in results} == {"A": 25, "B": 30}  # (10 − 5) / 20, 6 / 20
    ranks = draw_ranks(cf, results, draws=2000, spread=1.0, seed=5)
    rng = np.random.default_rng(5)
    f = rng.uniform(0.0, 2.0, size=(2000, 3))
    a = np.clip(10 * f[:, 0] - 5 * f[:, 2], 0, None) / (10 * f[:, 0] + 10 * f[:, 1])
    b = 6 * f[:, 1] / (10 * f[:, 0] + 10 * f[:, 1])
    order = {r.unit: i for i, r in enumerate(results)}
    assert (ranks[:, order["A"]] == np.where(a >= b, 1, 2)).all()
    assert (ranks[:, order["B"]] == np.where(b >= a, 1, 2)).all()


def test_na_areas_leave_the_weights_and_units_without_index_get_no_band() -> None:
    cf = compile_framework(fw(10, 10))
    results = compute(
        cf, {"A": leaves(a1=8, a2=NA), "B": leaves(a1=7, a2=7), "Z": leaves(a1=NA, a2=NA)}
    )
    got = {b.unit: b for b in rank_bands(cf, results, draws=200, spread=0.5, seed=1)}
    assert (got["A"].rank, got["A"].p05, got["A"].p95) == (1, 1, 1)  # 80 whatever the weights
    assert (got["B"].p05, got["B"].p95) == (2, 2)
    assert (got["Z"].rank, got["Z"].p05, got["Z"].p50, got["Z"].p95) == (None,) * 4


def test_known_intervals_widen_the_band() -> None:
    results = compute(FW, {"A": leaves(a1=6, a2=6), "B": leaves(a1=5, a2=6)}, None)
    plain = {b.unit: b for b in rank_bands(FW, results, draws=500, spread=0.0, seed=2)}
    assert (plain["A"].p05, plain["A"].p95, plain["B"].p05, plain["B"].p95) == (1, 1, 2, 2)
    noisy = rank_bands(
        FW,
        results,
        draws=500,
        spread=0.0,
        seed=2,
        intervals={("B", "1"): (Decimal(3), Decimal(7))},  # σ ≈ 1.02: B beats A ~16%
    )
    got = {b.unit: b for b in noisy}
    assert (got["A"].p05, got["A"].p50, got["A"].p95) == (1, 1, 2)
    assert (got["B"].p05, got["B"].p50, got["B"].p95) == (1, 2, 2)


def test_bad_parameters_are_refused() -> None:
    results = compute(FW, SCORES, UNITS)
    with pytest.raises(ValueError, match="số lượt"):
        rank_bands(FW, results, draws=0, spread=0.1, seed=1)
    with pytest.raises(ValueError, match="độ dao động"):
        rank_bands(FW, results, draws=10, spread=1.5, seed=1)
    with pytest.raises(ValueError) as exc:
        rank_bands(
            FW,
            results,
            draws=10,
            spread=0.1,
            seed=1,
            intervals={("Q", "1"): (Decimal(1), Decimal(2)), ("A", "9"): (Decimal(1), Decimal(2))},
        )
    assert "đơn vị Q" in str(exc.value) and "mã 9" in str(exc.value)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=2, max_size=6),
    st.floats(0.0, 1.0),
    st.integers(0, 2**32),
)
def test_a_unit_ahead_in_every_area_never_ranks_behind(
    points: list[tuple[int, int]], spread: float, seed: int
) -> None:
    scores = {f"U{i}": leaves(a1=p1, a2=p2) for i, (p1, p2) in enumerate(points)}
    results = compute(FW, scores)
    ranks = draw_ranks(FW, results, draws=50, spread=spread, seed=seed)
    for i, a in enumerate(results):
        for j, b in enumerate(results):
            ahead = all(
                x >= y for x, y in zip(a.area_points_micro, b.area_points_micro, strict=True)
            )
            if ahead:
                assert (ranks[:, i] <= ranks[:, j]).all()
    lo = [b.p05 for b in rank_bands(FW, results, draws=50, spread=spread, seed=seed)]
    assert all(x is not None and 1 <= x <= len(points) for x in lo)
