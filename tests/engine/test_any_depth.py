"""Frameworks of any depth (issue 8, part 5): the generated scoring paths agree with the
general evaluator on random trees of depth 1–5 with leaf areas and mixed depths; deeper
than :data:`MAX_DEPTH` is refused with its message."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import random_scores

from parindex.engine.aggregate import NA, aggregate, compile_framework
from parindex.engine.compute import compute
from parindex.engine.framework import MAX_DEPTH, Framework, Node, depth_of, validate_framework

quarter = st.integers(min_value=1, max_value=16).map(lambda q: Decimal(q) / 4)


@st.composite
def subtree(draw: Any, code: str, levels_left: int) -> Node:
    """A node ``code``: a leaf, or (while levels are left) a parent of 1–3 subtrees, maybe
    capped below its children (with a note), maybe with a bonus/penalty leaf."""
    if levels_left == 0 or draw(st.integers(0, 3)) == 0:
        source = draw(st.sampled_from(["self", "self", "self", "survey"]))
        return Node(code, code, draw(quarter), source=source)
    kids = [
        draw(subtree(f"{code}.{i}", levels_left - 1)) for i in range(1, draw(st.integers(1, 3)) + 1)
    ]
    total = sum((k.max_points for k in kids), Decimal(0))  # type: ignore[misc]
    note = ""
    if draw(st.booleans()):
        total = max(Decimal("0.25"), total - draw(quarter))
        note = "trần"
    if draw(st.integers(0, 3)) == 0:
        src = draw(st.sampled_from(["bonus", "penalty"]))
        kids.append(Node(f"{code}.b", "adj", draw(quarter), source=src))
    return Node(code, code, total, note=note, children=tuple(kids))


@st.composite
def deep_trees(draw: Any) -> Framework:
    """Random valid frameworks of depth 1 to 5: areas may be leaves, depths mix."""
    depth = draw(st.integers(1, 5))
    areas = [draw(subtree(str(a), depth - 1)) for a in range(1, draw(st.integers(1, 4)) + 1)]
    if draw(st.booleans()):
        areas.append(Node("9", "thưởng", draw(quarter), source="bonus"))
    total = sum(
        (a.max_points for a in areas if a.source != "bonus"),
        Decimal(0),  # type: ignore[misc]
    )
    return Framework("p", "p", total=total, nodes=tuple(areas))


@settings(max_examples=200)
@given(fw=deep_trees(), seed=st.integers(0, 2**32))
def test_generated_paths_agree_with_the_general_evaluator(fw: Framework, seed: int) -> None:
    assert validate_framework(fw) == []
    assert 1 <= depth_of(fw) <= 5
    rnd = random.Random(seed)
    # Units without N/A take the generated fast path, those with N/A the generated
    # general one; aggregate() is the plain evaluator.
    scores = {f"u{i}": random_scores(fw, rnd, rnd.choice([0, 0, 0.3, 0.6])) for i in range(8)}
    cf = compile_framework(fw)
    for r in compute(cf, scores):
        ref = aggregate(cf, scores[r.unit])
        assert (r.points, r.max_points, r.index) == (ref.points, ref.max_points, ref.index)
        assert set(r.areas) == {a.code for a in fw.nodes}
        for code, area in r.areas.items():
            node = ref.nodes[code]
            assert (area.points, area.max_points, area.index) == (
                node.points,
                node.max_points,
                node.index,
            )


def _chain(depth: int) -> Framework:
    node = Node("1" + ".1" * (depth - 1), "lá", Decimal(1))
    for d in range(depth - 1, 0, -1):
        node = Node("1" + ".1" * (d - 1), "cấp", Decimal(1), children=(node,))
    return Framework("sau", "sâu", total=Decimal(1), nodes=(node,))


def test_depth_six_computes_and_seven_is_refused() -> None:
    assert MAX_DEPTH == 6
    six = _chain(6)
    assert validate_framework(six) == []
    (r,) = compute(six, {"u": {"1.1.1.1.1.1": Decimal("0.5")}})
    assert r.index == 50
    issues = validate_framework(_chain(7))
    assert [str(i) for i in issues] == [
        "1.1.1.1.1.1.1: Bộ tiêu chí sâu quá 6 cấp: mục '1.1.1.1.1.1.1' ở cấp 7 (tối đa 6 cấp)"
    ]


def test_a_300_level_tree_is_refused_without_recursing() -> None:
    issues = validate_framework(_chain(300))
    assert len(issues) == 1 and "sâu quá 6 cấp" in issues[0].message


def test_leaf_area_maximum_and_na_leaf_area() -> None:
    # Regression: a leaf area took a parent's maximum (negative index), and an N/A leaf
    # area raised NameError in the generated code.
    fw = Framework(
        "p",
        "p",
        total=Decimal(10),
        nodes=(
            Node("1", "lá", Decimal(4)),
            Node("2", "cha", Decimal(6), children=(Node("2.1", "x", Decimal(6)),)),
        ),
    )
    full, na = compute(fw, {"a": {"1": Decimal(2), "2.1": Decimal(6)}, "b": {"1": NA}})
    assert full.areas["1"].max_points == 4 and full.points == 8 and full.max_points == 10
    assert na.areas["1"].max_points is None and na.max_points == 6
