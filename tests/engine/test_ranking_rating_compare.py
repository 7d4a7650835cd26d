"""Ranking ties and groups, rating with conditions, change descriptions (DESIGN §4, §5)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from engine_helpers import D

from parindex.engine.compare import describe_rank_change, index_change, rank_change
from parindex.engine.ranking import rank, rank_within
from parindex.engine.rating import Condition, RatingScheme, rate, validate_scheme


class TestRank:
    def test_competition_ranking(self) -> None:
        assert rank([D("90.1"), D(85), D(85), D(80)]) == [1, 2, 2, 4]

    def test_unrounded_values_decide(self) -> None:
        # 86.894 and 86.886 both show as 86.89 but are different ranks (Cà Mau/Hòa Bình 2023)
        assert rank([D("86.886"), D("86.894")]) == [2, 1]

    def test_exact_fractions_close_together(self) -> None:
        a = Fraction(1, 3) * 100
        b = a + Fraction(1, 10**30)  # same float, different value
        assert rank([a, b, a]) == [2, 1, 2]

    def test_none_is_unranked(self) -> None:
        assert rank([None, D(1), None, D(2)]) == [None, 2, None, 1]

    def test_within_groups(self) -> None:
        values = [D(90), D(80), D(70), D(95), D(80)]
        groups = ["so", "so", "xa", "xa", "so"]
        assert rank_within(values, groups) == [1, 2, 2, 1, 2]


SCHEME = RatingScheme(
    classes=(
        ("Xuất sắc", D(90)),
        ("Tốt", D(80)),
        ("Khá", D(70)),
        ("Trung bình", D(50)),
        ("Yếu", D(0)),
    ),
    conditions=(
        Condition("late_dossier_rate", ">=", D(5), "Khá", "Tỷ lệ hồ sơ trễ hạn từ 5% trở lên"),
        Condition("satisfaction_index", "<=", D(80), "Khá", "Mức độ hài lòng từ 80% trở xuống"),
    ),
)


class TestRate:
    @pytest.mark.parametrize(
        ("index", "name"),
        [("90", "Xuất sắc"), ("89.999", "Tốt"), ("80", "Tốt"), ("70", "Khá"), ("49.9", "Yếu")],
    )
    def test_inclusive_lower_bounds(self, index: str, name: str) -> None:
        r = rate(D(index), {"late_dossier_rate": D(0), "satisfaction_index": D(95)}, SCHEME)
        assert r.name == name and r.base_name == name and r.applied == ()

    def test_late_dossiers_cap_at_kha(self) -> None:
        r = rate(D(93), {"late_dossier_rate": D(5), "satisfaction_index": D(95)}, SCHEME)
        assert r.base_name == "Xuất sắc" and r.name == "Khá"
        assert len(r.applied) == 1
        assert "trễ hạn" in r.applied[0][1]

    def test_satisfaction_80_or_less_caps_at_kha(self) -> None:
        r = rate(D(85), {"late_dossier_rate": D("4.99"), "satisfaction_index": D(80)}, SCHEME)
        assert r.name == "Khá"
        assert [c.metric for c, _ in r.applied] == ["satisfaction_index"]

    def test_both_conditions_reported(self) -> None:
        r = rate(D(95), {"late_dossier_rate": D(7), "satisfaction_index": D(60)}, SCHEME)
        assert r.name == "Khá" and len(r.applied) == 2

    def test_condition_never_raises_a_class(self) -> None:
        r = rate(D(60), {"late_dossier_rate": D(9), "satisfaction_index": D(50)}, SCHEME)
        assert r.name == "Trung bình" and r.applied == ()

    def test_missing_metric_does_not_apply_but_is_listed(self) -> None:
        r = rate(D(95), {"late_dossier_rate": D(1)}, SCHEME)
        assert r.name == "Xuất sắc"
        assert [c.metric for c in r.missing] == ["satisfaction_index"]
        assert any("satisfaction_index" in text for text in r.reasons())

    def test_no_index_no_class(self) -> None:
        assert rate(None, {}, SCHEME).name is None

    def test_invalid_schemes(self) -> None:
        for classes, conds in [
            ((("A", D(80)), ("B", D(90))), ()),  # not descending
            ((("A", D(80)), ("B", D(80))), ()),  # duplicate threshold
            ((("A", D(80)), ("A", D(70))), ()),  # duplicate name
            ((("A", D(80)), ("B", D(0))), (Condition("m", ">=", D(1), "Z"),)),  # unknown cap
            ((("A", D(80)), ("B", D(0))), (Condition("m", "=>", D(1), "B"),)),  # bad operator
        ]:
            with pytest.raises(ValueError):
                RatingScheme(classes, conds)
            assert validate_scheme(SCHEME) == []


class TestCompare:
    def test_rank_change_positive_when_moving_up(self) -> None:
        assert rank_change(new_rank=6, old_rank=20) == 14
        assert describe_rank_change(14) == "tăng 14 bậc"
        assert describe_rank_change(rank_change(10, 7)) == "giảm 3 bậc"
        assert describe_rank_change(0) == "giữ nguyên"

    def test_index_change(self) -> None:
        assert index_change(D("85.5"), D("80.25")) == Decimal("5.25")
        assert index_change(None, D(1)) is None
