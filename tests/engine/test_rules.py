"""Every rule type of DESIGN §4 on hand-checked examples (engine/rules.py docstring)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from engine_helpers import D

from parindex.engine.framework import Rule
from parindex.engine.rules import RuleInputError, points_for, rule_problems

BANDS = Rule(
    "bands",
    {
        "bands": [
            {"min": 0, "max": 70, "points": 0},
            {"min": 70, "max": 90, "points": 1, "max_inclusive": True},
            {"min": 90, "max": 100, "points": 2, "min_inclusive": False},
        ]
    },
)


class TestManual:
    def test_points_given_directly(self) -> None:
        assert points_for(None, D(2), "1,5") == D("1.5")
        assert points_for(Rule("manual"), D(2), D("0.25")) == D("0.25")
        assert points_for(None, D(2), 2) == 2

    @pytest.mark.parametrize("value", ["2.01", "-0.5", "abc", "1.0000001"])
    def test_out_of_range_or_bad(self, value: str) -> None:
        with pytest.raises(RuleInputError):
            points_for(None, D(2), value)


class TestBinary:
    @pytest.mark.parametrize("value", ["1", "có", "Có", "co", "x", "yes", "true", "đạt", True])
    def test_truthy_gives_max(self, value: object) -> None:
        assert points_for(Rule("binary"), D("1.5"), value) == D("1.5")

    @pytest.mark.parametrize("value", ["0", "không", "no", "", False])
    def test_falsy_gives_zero(self, value: object) -> None:
        assert points_for(Rule("binary"), D("1.5"), value) == 0

    def test_points_param(self) -> None:
        assert points_for(Rule("binary", {"points": D("0.5")}), D(1), "x") == D("0.5")

    def test_unknown_answer_is_an_error(self) -> None:
        with pytest.raises(RuleInputError):
            points_for(Rule("binary"), D(1), "có lẽ")


class TestTiers:
    rule = Rule(
        "tiers",
        {
            "tiers": [
                {"label": "Kịp thời", "points": D(1)},
                {"label": "Chậm", "points": D("0.5")},
                {"label": "Không ban hành", "points": D(0)},
            ]
        },
    )

    def test_label(self) -> None:
        assert points_for(self.rule, D(1), "Chậm") == D("0.5")
        assert points_for(self.rule, D(1), "Kịp thời") == 1

    def test_one_based_index(self) -> None:
        assert points_for(self.rule, D(1), "2") == D("0.5")
        assert points_for(self.rule, D(1), 3) == 0

    def test_label_is_diacritic_and_case_sensitive(self) -> None:
        for wrong in ("cham", "chậm", "Kip thoi", "4", "0"):
            with pytest.raises(RuleInputError):
                points_for(self.rule, D(1), wrong)


class TestBands:
    @pytest.mark.parametrize(
        ("pct", "points"),
        [
            ("0", 0),
            ("69.99", 0),
            ("70", 1),  # exactly 70 is in the 70–90 band (inclusive lower bound)
            ("90", 1),  # exactly 90: "trên 90%" is exclusive, so still 1 point
            ("90.01", 2),
            ("100", 2),  # the top band includes 100 by default
        ],
    )
    def test_edges(self, pct: str, points: int) -> None:
        assert points_for(BANDS, D(2), pct) == points

    @pytest.mark.parametrize("pct", ["-1", "100.5"])
    def test_outside_0_100(self, pct: str) -> None:
        with pytest.raises(RuleInputError):
            points_for(BANDS, D(2), pct)

    def test_default_bounds_half_open(self) -> None:
        rule = Rule(
            "bands",
            {"bands": [{"min": 0, "max": 50, "points": 0}, {"min": 50, "max": 100, "points": 1}]},
        )
        assert rule_problems(rule, D(1)) == []
        assert points_for(rule, D(1), 50) == 1
        assert points_for(rule, D(1), "49.9") == 0
        assert points_for(rule, D(1), 100) == 1


class TestProportional:
    def test_max_times_ratio(self) -> None:
        assert points_for(Rule("proportional"), D(2), "75") == D("1.5")

    def test_scale(self) -> None:
        assert points_for(Rule("proportional", {"scale": D(1)}), D(4), "0.25") == 1

    def test_threshold_floor_cap(self) -> None:
        rule = Rule("proportional", {"threshold": D(50), "floor": D("0.5"), "cap": D("1.5")})
        assert points_for(rule, D(2), "49") == 0  # below threshold
        assert points_for(rule, D(2), "50") == 1  # 2 × 50% = 1
        assert points_for(rule, D(2), "10") == 0  # below threshold, floor does not rescue it
        assert points_for(rule, D(2), "90") == D("1.5")  # capped
        low = Rule("proportional", {"floor": D("0.5")})
        assert points_for(low, D(2), "10") == D("0.5")  # 0.2 raised to the floor

    def test_value_above_scale(self) -> None:
        with pytest.raises(RuleInputError):
            points_for(Rule("proportional"), D(2), "101")

    def test_non_terminating_result_rounds_to_six_decimals(self) -> None:
        assert points_for(Rule("proportional", {"scale": D(3)}), D(1), 1) == D("0.333333")


class TestCountAndDeduction:
    def test_count_capped(self) -> None:
        rule = Rule("count", {"per": D("0.25"), "cap": D(1)})
        assert points_for(rule, D("1.5"), 3) == D("0.75")
        assert points_for(rule, D("1.5"), 10) == 1

    def test_count_default_cap_is_max(self) -> None:
        assert points_for(Rule("count", {"per": D("0.5")}), D(1), 7) == 1

    def test_deduction_floor_zero(self) -> None:
        rule = Rule("deduction", {"per": D("0.5")})
        assert points_for(rule, D(2), 0) == 2
        assert points_for(rule, D(2), 3) == D("0.5")
        assert points_for(rule, D(2), 9) == 0

    def test_deduction_floor(self) -> None:
        assert points_for(Rule("deduction", {"per": D(1), "floor": D("0.5")}), D(2), 5) == D("0.5")

    @pytest.mark.parametrize("value", ["1.5", "-1", "x"])
    def test_counts_are_whole_numbers(self, value: str) -> None:
        with pytest.raises(RuleInputError):
            points_for(Rule("count", {"per": D(1)}), D(2), value)


class TestSurveyAndMetric:
    def test_survey_mean(self) -> None:
        # mean 4 on a 1–5 scale: (4 − 1) / 4 = 0.75 of max 2
        assert points_for(Rule("survey"), D(2), "4") == D("1.5")
        assert points_for(Rule("survey"), D(2), "1") == 0
        assert points_for(Rule("survey", {"scale_min": 0, "scale_max": 10}), D(3), "5") == D("1.5")

    def test_survey_outside_scale(self) -> None:
        with pytest.raises(RuleInputError):
            points_for(Rule("survey"), D(2), "5.5")

    def test_sipas_default_conversion(self) -> None:
        # 10 × SIPAS% / 100
        assert points_for(Rule("metric", {"metric": "sipas"}), D(10), "83.25") == D("8.325")

    def test_metric_clamped_to_max(self) -> None:
        assert points_for(Rule("metric", {"metric": "x"}), D(10), "120") == 10


class TestRuleProblems:
    def test_tier_points_above_max(self) -> None:
        rule = Rule("tiers", {"tiers": [{"label": "a", "points": D(3)}]})
        assert any("lớn hơn điểm tối đa" in p for p in rule_problems(rule, D(2)))

    def test_overlapping_bands(self) -> None:
        rule = Rule(
            "bands",
            {
                "bands": [
                    {"min": 0, "max": 80, "points": 0, "max_inclusive": True},
                    {"min": 80, "max": 100, "points": 1},
                ]
            },
        )
        assert any("chồng" in p for p in rule_problems(rule, D(1)))

    def test_gap_between_bands(self) -> None:
        rule = Rule(
            "bands",
            {"bands": [{"min": 0, "max": 70, "points": 0}, {"min": 75, "max": 100, "points": 1}]},
        )
        assert any("khoảng trống" in p for p in rule_problems(rule, D(1)))

    def test_exclusive_edge_on_both_sides_is_a_gap(self) -> None:
        # "dưới 90%" then "trên 90%": exactly 90 would score nothing
        rule = Rule(
            "bands",
            {
                "bands": [
                    {"min": 0, "max": 90, "points": 0},
                    {"min": 90, "max": 100, "points": 1, "min_inclusive": False},
                ]
            },
        )
        assert any("khoảng trống" in p for p in rule_problems(rule, D(1)))

    def test_bands_must_reach_100(self) -> None:
        rule = Rule("bands", {"bands": [{"min": 0, "max": 90, "points": 0}]})
        assert rule_problems(rule, D(1))

    def test_valid_band_rule(self) -> None:
        assert rule_problems(BANDS, D(2)) == []

    def test_unknown_type_and_missing_params(self) -> None:
        assert rule_problems(Rule("magic"), D(1))
        assert rule_problems(Rule("count"), D(1))
        assert rule_problems(Rule("metric"), D(1))
        assert rule_problems(Rule("survey", {"scale_min": 5, "scale_max": 1}), D(1))

    def test_all_results_are_decimal(self) -> None:
        assert isinstance(points_for(BANDS, D(2), "95"), Decimal)
