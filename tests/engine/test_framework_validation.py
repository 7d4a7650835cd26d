"""validate_framework: the checks a province's framework file must pass (DESIGN §4)."""

from __future__ import annotations

from engine_helpers import D, framework, leaf, parent, small

from parindex.engine.framework import Node, Rule, validate_framework


def messages(fw: object) -> list[str]:
    return [f"{i.level} {i.code}: {i.message}" for i in validate_framework(fw)]  # type: ignore[arg-type]


def test_valid_framework_has_no_issues() -> None:
    assert validate_framework(small()) == []


def test_duplicate_codes() -> None:
    fw = framework(parent("1", 2, leaf("1.1", 1), leaf("1.1", 1)), total=2)
    assert any("1.1" in m and "trùng" in m and m.startswith("error") for m in messages(fw))


def test_unknown_max_is_reported_as_unknown_not_error() -> None:
    fw = framework(
        parent("1", 2, leaf("1.1", 1), Node("1.2", "x", None)),
        total=2,
    )
    issues = validate_framework(fw)
    assert [(i.level, i.code, i.message) for i in issues] == [
        ("unknown", "1.2", "chưa rõ điểm tối đa")
    ]


def test_children_not_adding_up_names_both_numbers() -> None:
    fw = framework(parent("1", 3, leaf("1.1", 1), leaf("1.2", "1.5")), total=3)
    (issue,) = validate_framework(fw)
    assert issue.level == "error" and issue.code == "1"
    assert "2,5" in issue.message and "3" in issue.message


def test_a_note_explains_the_difference() -> None:
    fw = framework(
        parent("1", 3, leaf("1.1", 1), leaf("1.2", "1.5"), note="0,5 điểm do Hội đồng chấm"),
        total=3,
    )
    assert validate_framework(fw) == []


def test_bonus_and_penalty_do_not_count_in_sums() -> None:
    fw = framework(
        parent("1", 2, leaf("1.1", 2), leaf("1.2", 5, source="bonus")),
        parent("9", 3, leaf("9.1", 3, source="bonus"), source="bonus"),
        total=2,
    )
    assert validate_framework(fw) == []


def test_total_mismatch() -> None:
    fw = framework(parent("1", 2, leaf("1.1", 2)), total=100)
    (issue,) = validate_framework(fw)
    assert "2" in issue.message and "100" in issue.message


def test_negative_max_unknown_source_bad_rule() -> None:
    fw = framework(
        parent(
            "1",
            0,
            leaf("1.1", -1),
            leaf("1.2", 1, source="hearsay"),
            leaf("1.3", 0, rule=Rule("guess")),
        ),
        total=0,
    )
    text = "\n".join(messages(fw))
    assert "1.1" in text and "âm" in text
    assert "1.2" in text and "hearsay" in text
    assert "1.3" in text and "guess" in text


def test_rule_params_checked_against_the_leaf_max() -> None:
    tiers = Rule("tiers", {"tiers": [{"label": "Tốt", "points": D(2)}]})
    fw = framework(parent("1", 1, leaf("1.1", 1, rule=tiers)), total=1)
    (issue,) = validate_framework(fw)
    assert issue.code == "1.1" and "lớn hơn điểm tối đa" in issue.message
