"""The survey formulas and the bulk computation, on hand-computed cases."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from survey_helpers import brute_force_variance, small_questionnaire

from parindex.engine.survey import (
    LeafMapping,
    QuestionnaireError,
    effective_weights,
    item_index,
    leaf_mappings,
    margin_for,
    points_for_units,
    round_half_up,
    sample_size,
    survey_points,
    survey_tree,
    wilson_interval,
)
from parindex.engine.survey_bulk import SurveyData, compute_survey, wilson_arrays


def test_item_index_is_exact_and_undefined_without_valid_answers() -> None:
    assert item_index(3, 4) == Fraction(75)
    assert item_index(1, 3) == Fraction(100, 3)
    assert item_index(0, 0) is None
    with pytest.raises(ValueError):
        item_index(5, 4)


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = wilson_interval(0.8, 10)
    assert round(low, 2) == 49.02 and round(high, 2) == 94.33
    assert wilson_interval(1.0, 5)[1] == 100.0
    assert wilson_interval(0.0, 5)[0] == 0.0
    assert all(math.isnan(x) for x in wilson_interval(0.5, 0))


def test_vectorised_wilson_equals_the_scalar_one() -> None:
    p, n = np.array([0.8, 0.0, 1.0, 0.37]), np.array([10.0, 7.0, 3.0, 211.0])
    low, high = wilson_arrays(p, n)
    for k in range(4):
        assert (low[k], high[k]) == pytest.approx(wilson_interval(p[k], n[k]))


def test_sample_size_is_n_over_one_plus_n_e_squared() -> None:
    assert sample_size(1000) == 286  # 1000 / 3.5 = 285.7
    assert sample_size(400) == 200
    assert sample_size(None) == 400  # the limit 1/e²
    assert sample_size(100_000, 0.03) == 1099
    assert margin_for(400) == pytest.approx(0.05)
    assert margin_for(286, 1000) == pytest.approx(0.04999, abs=1e-4)
    with pytest.raises(ValueError):
        sample_size(10, 0)


def test_survey_points_are_max_times_index_over_100() -> None:
    assert survey_points(Decimal(10), Fraction(819, 10)) == Decimal("8.190000")
    assert survey_points(Decimal(2), Fraction(200, 3)) == Decimal("1.333333")
    assert survey_points(Decimal(2), Fraction(85), full_at=Decimal(80)) == Decimal("2.000000")
    assert survey_points(Decimal(2), Fraction(40), full_at=Decimal(80)) == Decimal("1.000000")


def test_display_rounding_is_half_up_on_the_exact_value() -> None:
    assert str(round_half_up(Fraction(100 * 72, 256), 2)) == "28.13"  # 28.125
    assert str(round_half_up(Fraction(1, 3), 2)) == "0.33"


def test_the_tree_follows_aspects_parts_and_skips_unscored_aspects() -> None:
    tree = survey_tree(small_questionnaire())
    assert tree.items == ("Q1", "Q2", "Q3")
    assert [(n.level, n.code, n.children) for n in tree.nodes] == [
        ("aspect", "A1", (0, 1)),
        ("aspect", "A2", (2,)),
        ("part", "P", (0, 1)),
        ("overall", "overall", (2,)),
    ]


def test_mixing_aspects_with_and_without_a_part_is_refused() -> None:
    q = small_questionnaire()
    from dataclasses import replace

    q2 = replace(q, aspects=(q.aspects[0], replace(q.aspects[1], part=""), q.aspects[2]))
    with pytest.raises(QuestionnaireError, match="part"):
        survey_tree(q2)


def test_effective_weights_renormalise_over_items_with_an_index() -> None:
    tree = survey_tree(small_questionnaire(A1=3, A2=1))
    full = effective_weights(tree, [True, True, True])
    assert full[2] == {0: Fraction(3, 8), 1: Fraction(3, 8), 2: Fraction(1, 4)}
    part_only_a1 = effective_weights(tree, [True, True, False])
    assert part_only_a1[1] is None
    assert part_only_a1[3] == {0: Fraction(1, 2), 1: Fraction(1, 2)}
    assert effective_weights(tree, [False, False, False])[3] is None


def _data(units: list[str], unit_of: list[int], answers: list[list[int]], **choices):  # type: ignore[no-untyped-def]
    return SurveyData(
        tuple(units),
        np.array(unit_of, dtype=np.int64),
        np.array(answers, dtype=np.uint8).reshape(len(unit_of), -1),
        {k: np.array(v, dtype=np.uint64 if k == "M" else np.uint8) for k, v in choices.items()},
    )


def test_indices_counts_and_weights_on_a_hand_computed_case() -> None:
    # unit x: Q1 answers 5,4,2,KB → 2/3; Q2 3,3,4,5 → 2/4; Q3 1,5,blank,4 → 2/3
    answers = [[5, 3, 1], [4, 3, 5], [2, 4, 0], [0, 5, 4], [4, 4, 4]]
    data = _data(["x", "y"], [0, 0, 0, 0, 1], answers)
    tree = survey_tree(small_questionnaire(A1=1, A2=3))
    r = compute_survey(tree, data)
    assert r.valid[0].tolist() == [3, 4, 3] and r.satisfied[0].tolist() == [2, 2, 2]
    assert r.respondents.tolist() == [4, 1]
    a1 = (Fraction(200, 3) + Fraction(50)) / 2
    assert r.node_index[0, 0] == pytest.approx(float(a1))
    assert r.node_index[0, 1] == pytest.approx(200 / 3)
    part = (a1 * 1 + Fraction(200, 3) * 3) / 4
    assert r.node_index[0, 2] == pytest.approx(float(part))
    assert r.exact_node_index(0, 2) == part
    assert r.node_valid[0].tolist() == [7, 3, 10, 10]
    assert r.node_satisfied[0].tolist() == [4, 2, 6, 6]
    assert r.node_index[1].tolist() == [100.0, 100.0, 100.0, 100.0]


def test_a_one_item_aspect_has_the_item_wilson_interval() -> None:
    rng = np.random.default_rng(3)
    answers = rng.integers(0, 6, (60, 3))
    data = _data(["u"], [0] * 60, answers.tolist())
    r = compute_survey(survey_tree(small_questionnaire()), data)
    assert r.node_ci[0][0, 1] == pytest.approx(r.item_ci[0][0, 2])
    assert r.node_ci[1][0, 1] == pytest.approx(r.item_ci[1][0, 2])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 7), min_size=3, max_size=3), min_size=2, max_size=40),
    st.sampled_from([(1, 1), (2, 1), (1, 5)]),
)
def test_interval_variance_equals_the_respondent_linearisation(
    rows: list[list[int]], weights: tuple[int, int]
) -> None:
    answers = np.array(rows, dtype=np.uint8)
    answers[answers > 5] = 0  # KB / NA codes are "no answer"
    tree = survey_tree(small_questionnaire(A1=weights[0], A2=weights[1]))
    r = compute_survey(tree, _data(["u"], [0] * len(rows), answers.tolist()))
    eff = effective_weights(tree, [v > 0 for v in r.valid[0].tolist()])
    for k in range(len(tree.nodes)):
        if eff[k] is None:
            assert math.isnan(r.node_index[0, k])
            continue
        e = {j: float(w) for j, w in eff[k].items()}
        var = brute_force_variance(answers, e)
        idx = r.node_index[0, k]
        p = idx / 100
        n_eff = p * (1 - p) / (var / 10_000) if var > 1e-11 else r.respondents[0]
        low, high = wilson_interval(p, n_eff)
        assert r.node_ci[0][0, k] == pytest.approx(low, abs=1e-6)
        assert r.node_ci[1][0, k] == pytest.approx(high, abs=1e-6)
        assert r.node_ci[0][0, k] <= idx + 1e-9 <= r.node_ci[1][0, k] + 2e-9


def test_choice_shares_count_respondents_who_answered() -> None:
    data = _data(
        ["x"],
        [0, 0, 0, 0],
        [[0, 0, 0]] * 4,
        S=[1, 2, 2, 0],
        M=[0b011, 0b001, 0, 0b100],
    )
    r = compute_survey(survey_tree(small_questionnaire()), data)
    s, m = r.choices
    assert (s.item, s.multi, s.answered.tolist(), s.chosen.tolist()) == ("S", False, [3], [[1, 2]])
    assert (m.item, m.multi, m.answered.tolist(), m.chosen.tolist()) == (
        "M",
        True,
        [3],
        [[2, 1, 1]],
    )


def test_leaf_points_from_exact_indices() -> None:
    from dataclasses import replace

    q = small_questionnaire()
    q = replace(q, leaf="8.1", aspects=(replace(q.aspects[0], leaf="3.5.1"), *q.aspects[1:]))
    maps = leaf_mappings(q, {"8.1": Decimal(10), "3.5.1": Decimal("1.5")})
    assert maps == [
        LeafMapping("3.5.1", "aspect", "A1", Decimal("1.5")),
        LeafMapping("8.1", "overall", "overall", Decimal(10)),
    ]
    pts = points_for_units(
        maps, {("x", "aspect", "A1"): Fraction(175, 3), ("x", "overall", "overall"): None}
    )
    assert pts == {"x": {"3.5.1": Decimal("0.875000"), "8.1": None}}
    with pytest.raises(QuestionnaireError, match=r"8\.1"):
        leaf_mappings(q, {"3.5.1": Decimal(1)})
