"""Framework YAML: exact numbers, unknown maxima, deterministic output, located errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from parindex.engine.framework import Framework, Node, Rule
from parindex.formats.errors import FormatError
from parindex.formats.framework_yaml import dumps, loads, read_framework_yaml, write_framework_yaml

GOOD = """\
code: thu
name: Bộ thử
year: 2025
total: 3
nodes:
  - code: 1
    name: Lĩnh vực một
    max_points: 3
    children:
      - code: 1.1
        name: Ban hành kế hoạch
        max_points: "0,5"
        rule:
          type: tiers
          tiers:
            - {label: Kịp thời, points: "0,5"}
            - {label: Không kịp thời, points: 0.1}
      - code: 1.2
        name: Chưa rõ điểm
        max_points: unknown
      - code: 1.3
        name: Điểm ngầm định
        max_points: ~
"""


def _fail(text: str, file: str = "bo.yaml") -> list[str]:
    with pytest.raises(FormatError) as info:
        loads(text, file=file)
    return [str(p) for p in info.value.problems]


def test_numbers_are_exact_decimals_and_decimal_comma_is_accepted() -> None:
    fw = loads(GOOD)
    area = fw.nodes[0]
    plan = area.children[0]
    assert plan.max_points == Decimal("0.5")
    assert plan.rule is not None
    assert [t["points"] for t in plan.rule.params["tiers"]] == [Decimal("0.5"), Decimal("0.1")]
    assert fw.total == Decimal(3) and fw.year == 2025
    # codes stay text even when YAML would read them as numbers
    assert [n.code for n in fw.walk()] == ["1", "1.1", "1.2", "1.3"]


def test_unknown_maximum_is_none_never_guessed() -> None:
    fw = loads(GOOD)
    assert [n.max_points for n in fw.nodes[0].children[1:]] == [None, None]
    assert "max_points: null" in dumps(fw)


def test_dump_is_deterministic_readable_and_round_trips(tmp_path: Path) -> None:
    fw = loads(GOOD)
    path = tmp_path / "bo.yaml"
    write_framework_yaml(fw, path)
    text = path.read_text(encoding="utf-8")
    assert "Lĩnh vực một" in text  # Vietnamese not escaped
    assert "source: self" not in text and "guidance" not in text  # defaults left out
    assert text.index("code:") < text.index("name:") < text.index("total:")
    assert read_framework_yaml(path) == fw
    assert dumps(read_framework_yaml(path)) == text


def test_band_bounds_are_made_explicit() -> None:
    text = GOOD.replace(
        "max_points: unknown",
        "max_points: 2\n        rule: {type: bands, bands: [{min: 0, max: 70, points: 0},"
        " {min: 70, max: 100, points: 2}]}",
    )
    rule = loads(text).nodes[0].children[1].rule
    assert rule is not None
    low, high = rule.params["bands"]
    assert (low["min_inclusive"], low["max_inclusive"]) == (True, False)
    assert (high["min_inclusive"], high["max_inclusive"]) == (True, True)  # top band


def test_malformed_yaml_reports_the_line() -> None:
    problems = _fail("code: x\nname: y\nnodes:\n  - code: [1\n    name: z\n")
    assert len(problems) == 1
    assert problems[0].startswith("bo.yaml, dòng 5")
    assert "YAML không hợp lệ" in problems[0]


def test_every_problem_is_reported_with_line_and_key() -> None:
    text = """\
code: x
name: y
nodes:
  - code: 1
    nam: sai khoá
    max_points: abc
  - code: 1
    name: trùng
    children:
      - code: 2.1
        name: sai cha
        rule: {type: tiers}
      - name: thiếu mã
"""
    problems = _fail(text)
    joined = "\n".join(problems)
    assert "bo.yaml, dòng 5, cột nam: khoá 'nam' không được hỗ trợ" in joined
    assert "bo.yaml, dòng 4, cột name: tiêu chí '1' thiếu khoá 'name'" in joined
    assert (
        "bo.yaml, dòng 6, cột max_points: 'max_points' phải là một số, không phải 'abc'" in joined
    )
    assert "bo.yaml, dòng 7, cột code: mã '1' bị trùng (đã có ở dòng 4)" in joined
    assert "bo.yaml, dòng 10, cột code: mã '2.1' nằm dưới '1'" in joined
    assert "dòng 12, cột tiers: cách chấm 'tiers' thiếu tham số 'tiers'" in joined
    assert "dòng 13, cột code: tiêu chí thiếu khoá 'code'" in joined


def test_missing_framework_code_and_bad_source_and_rule_param() -> None:
    text = """\
name: y
nodes:
  - code: 1
    name: a
    max_points: 1
    source: tự chấm
    rule: {type: count, per: 1, points: 2}
"""
    joined = "\n".join(_fail(text))
    assert "dòng 1, cột code: thiếu khoá 'code' của bộ tiêu chí" in joined
    assert "dòng 6, cột source: nguồn điểm 'tự chấm' không hợp lệ" in joined
    assert "dòng 7, cột points: cách chấm 'count' không có tham số 'points'" in joined


def test_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("code: x\nname: Bộ\n".encode("utf-16"))
    with pytest.raises(FormatError) as info:
        read_framework_yaml(path)
    assert str(path) in str(info.value)


def test_programmatic_framework_with_long_decimals_round_trips() -> None:
    fw = Framework(
        code="x",
        name="y",
        total=Decimal("1"),
        nodes=(
            Node(
                code="1",
                name="a",
                max_points=Decimal("1.000"),
                rule=Rule("proportional", {"scale": Decimal("100.0")}),
                guidance="dòng 1\ndòng 2",
            ),
        ),
    )
    text = dumps(fw)
    assert "max_points: 1\n" in text and "scale: 100\n" in text
    back = loads(text)
    assert back.nodes[0].max_points == Decimal(1)
    assert back.nodes[0].guidance == "dòng 1\ndòng 2"
