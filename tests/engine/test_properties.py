"""Hypothesis properties of the engine (rules, aggregation, ranking, compute)."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.engine.aggregate import NA, aggregate, compile_framework
from parindex.engine.compute import compute
from parindex.engine.framework import Framework, Node, Rule
from parindex.engine.rules import RuleInputError, points_for

quarter = st.integers(min_value=1, max_value=16).map(lambda q: Decimal(q) / 4)


@st.composite
def trees(draw: Any, adjustments: bool = True) -> Framework:
    """Random valid frameworks: areas → (leaf | criterion → leaves), optional bonus/penalty,
    some parents deliberately capped below their children's sum (with a note)."""
    counter = iter(range(1, 10_000))
    areas = []
    for a in range(1, draw(st.integers(1, 3)) + 1):
        kids = []
        for c in range(1, draw(st.integers(1, 3)) + 1):
            code = f"{a}.{c}"
            if draw(st.booleans()):
                kids.append(Node(code, code, draw(quarter)))
                continue
            leaves = [
                Node(f"{code}.{i}", "x", draw(quarter))
                for i in range(1, draw(st.integers(1, 3)) + 1)
            ]
            total = sum((n.max_points for n in leaves), Decimal(0))  # type: ignore[misc]
            note = ""
            if draw(st.booleans()):
                total = max(Decimal("0.25"), total - draw(quarter))
                note = "trần"
            if adjustments and draw(st.booleans()):
                src = draw(st.sampled_from(["bonus", "penalty"]))
                leaves.append(Node(f"{code}.b{next(counter)}", "adj", draw(quarter), source=src))
            kids.append(Node(code, code, total, note=note, children=tuple(leaves)))
        amax = sum((k.max_points for k in kids), Decimal(0))  # type: ignore[misc]
        areas.append(Node(str(a), str(a), amax, children=tuple(kids)))
    total = sum((n.max_points for n in areas), Decimal(0))  # type: ignore[misc]
    return Framework("p", "p", total=total, nodes=tuple(areas))


def random_scores(fw: Framework, rnd: random.Random, na_rate: float = 0.2) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for leaf in fw.leaves():
        r = rnd.random()
        if r < na_rate and leaf.source not in ("bonus", "penalty"):
            out[leaf.code] = NA
        elif r < 0.9:
            assert leaf.max_points is not None
            out[leaf.code] = leaf.max_points * rnd.randint(0, 100) / 100
    return out


@given(
    kind=st.sampled_from(["proportional", "metric", "count", "deduction", "survey", "binary"]),
    mx=quarter,
    per=quarter,
    value=st.decimals(min_value=-10, max_value=200, places=3),
)
def test_points_never_exceed_max_nor_go_negative(
    kind: str, mx: Decimal, per: Decimal, value: Decimal
) -> None:
    params: dict[str, object] = {"per": per, "metric": "m"} if kind != "binary" else {}
    if kind in ("count", "deduction"):
        value = abs(value).to_integral_value()
    try:
        pts = points_for(Rule(kind, params), mx, value)
    except RuleInputError:
        return
    assert 0 <= pts <= mx


@settings(max_examples=150)
@given(fw=trees(), seed=st.integers(0, 2**32))
def test_parent_is_capped_sum_and_index_in_0_100(fw: Framework, seed: int) -> None:
    scores = random_scores(fw, random.Random(seed), na_rate=0)
    s = aggregate(fw, scores)
    for node in fw.walk():
        if node.is_leaf:
            continue
        total = Decimal(0)
        for c in node.children:
            p = s.nodes[c.code].points
            total += -p if c.source == "penalty" else p
        assert node.max_points is not None
        assert s.nodes[node.code].points == min(max(total, Decimal(0)), node.max_points)
    assert s.index is not None and 0 <= s.index <= 100


@settings(max_examples=150)
@given(fw=trees(), seed=st.integers(0, 2**32))
def test_indices_bounded_with_na(fw: Framework, seed: int) -> None:
    s = aggregate(fw, random_scores(fw, random.Random(seed)))
    for ns in s.nodes.values():
        assert ns.index is None or 0 <= ns.index <= 100
        if ns.max_points is not None:
            assert 0 <= ns.points <= ns.max_points


@settings(max_examples=100)
@given(fw=trees(), seed=st.integers(0, 2**32))
def test_compute_fast_paths_agree_with_reference_evaluation(fw: Framework, seed: int) -> None:
    rnd = random.Random(seed)
    scores = {f"u{i}": random_scores(fw, rnd, na_rate=rnd.choice([0, 0.3])) for i in range(6)}
    for r in compute(fw, scores):
        ref = aggregate(fw, scores[r.unit])
        assert r.points == ref.points
        assert r.max_points == ref.max_points
        assert r.index == ref.index
        for code, area in r.areas.items():
            assert area.points == ref.nodes[code].points
            assert area.max_points == ref.nodes[code].max_points


@settings(max_examples=100)
@given(fw=trees(), seed=st.integers(0, 2**32))
def test_rank_order_agrees_with_index_and_unit_order_does_not_matter(
    fw: Framework, seed: int
) -> None:
    rnd = random.Random(seed)
    scores = {f"u{i}": random_scores(fw, rnd) for i in range(12)}
    # make ties likely: copy a few units
    for i in range(3):
        scores[f"t{i}"] = dict(scores[f"u{i}"])
    results = compute(fw, scores)
    for a in results:
        for b in results:
            if a.index is None or b.index is None:
                continue
            if a.index > b.index:
                assert a.rank is not None and b.rank is not None and a.rank < b.rank
            if a.index == b.index:
                assert a.rank == b.rank
    items = list(scores.items())
    rnd.shuffle(items)
    shuffled = {r.unit: (r.rank, r.index, r.points) for r in compute(fw, dict(items))}
    assert shuffled == {r.unit: (r.rank, r.index, r.points) for r in results}


@settings(max_examples=200)
@given(fw=trees(adjustments=False), seed=st.integers(0, 2**32), pick=st.integers(0, 10_000))
def test_na_never_lowers_an_index_compared_with_zero_points(
    fw: Framework, seed: int, pick: int
) -> None:
    """Precisely: without bonus/penalty leaves, marking a leaf N/A instead of scoring it
    0 points never lowers the unit's index nor any node's component index (it can lower
    an index against *full* points, and with a bonus absorbing a cap it can lower too)."""
    rnd = random.Random(seed)
    scores = random_scores(fw, rnd)
    leaves = [n.code for n in fw.leaves()]
    code = leaves[pick % len(leaves)]
    zero = dict(scores, **{code: Decimal(0)})
    na = dict(scores, **{code: NA})
    cf = compile_framework(fw)
    before, after = aggregate(cf, zero), aggregate(cf, na)
    for c, node in after.nodes.items():
        if node.index is not None and before.nodes[c].index is not None:
            assert node.index >= before.nodes[c].index  # type: ignore[operator]
    if after.index is not None:
        assert before.index is not None and after.index >= before.index


def test_marking_na_can_lower_the_index_against_full_points() -> None:
    # Why the property above compares against 0 points: a leaf with full marks helps.
    fw = Framework(
        "p",
        "p",
        total=Decimal(2),
        nodes=(
            Node(
                "1",
                "1",
                Decimal(2),
                children=(Node("1.1", "a", Decimal(1)), Node("1.2", "b", Decimal(1))),
            ),
        ),
    )
    full = aggregate(fw, {"1.1": Decimal(1), "1.2": Decimal(0)})
    na = aggregate(fw, {"1.1": NA, "1.2": Decimal(0)})
    assert full.index == 50 and na.index == 0
    assert Fraction(0) < full.index  # type: ignore[operator]


@given(
    st.lists(
        st.tuples(st.integers(0, 10**8), st.integers(0, 10**8), st.sampled_from("ab")),
        max_size=40,
    )
)
def test_ratio_ranking_equals_fraction_ranking(rows: list[tuple[int, int, str]]) -> None:
    from parindex.engine.ranking import rank_ratios, rank_within

    nums = [n for n, _, _ in rows]
    dens = [d for _, d, _ in rows]
    groups = [g for _, _, g in rows]
    values = [Fraction(n, d) if d else None for n, d in zip(nums, dens, strict=True)]
    assert rank_ratios(nums, dens, groups) == rank_within(values, groups)
