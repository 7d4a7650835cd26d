"""The readers of formats/: text or a stream in, rows and located problems out."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from parindex.engine.aggregate import compile_framework
from parindex.engine.compute import NOT_APPLICABLE
from parindex.formats.errors import FormatError, Problem
from parindex.formats.framework_yaml import loads
from parindex.formats.metrics import MetricRow, load_metrics, read_metrics
from parindex.formats.numbers import NA_WORDS, is_na, parse_decimal, parse_grouped, parse_micro
from parindex.formats.rating import rating_from_text
from parindex.formats.results import decimal_cell, json_records, result_columns
from parindex.formats.scores import PointRow, read_points, read_scores
from parindex.formats.text import decode_text, read_text_file
from parindex.formats.units import UnitRow, read_units_csv

# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [("12,5", "12.5"), ("12.5", "12.5"), (" 7 ", "7"), ("-0,25", "-0.25"), ("+3", "3")],
)
def test_a_number_takes_a_dot_or_a_decimal_comma(text: str, value: str) -> None:
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1 000", "1e3", "NaN", "12,"])
def test_anything_else_is_not_a_number_and_says_so(text: str) -> None:
    with pytest.raises(ValueError, match="không phải là số"):
        parse_decimal(text)


def test_points_are_millionths_with_at_most_six_decimals() -> None:
    assert parse_micro("2,5") == 2_500_000
    assert parse_micro("0.000001") == 1
    assert parse_micro("-1") == -1_000_000
    with pytest.raises(ValueError, match="quá 6 chữ số"):
        parse_micro("0.0000001")


def test_framework_numbers_may_group_digits() -> None:
    assert parse_grouped("1_000") == Decimal(1000)
    assert parse_grouped("1 000,5") == Decimal("1000.5")
    assert parse_grouped("mười") is None


@pytest.mark.parametrize("text", ["NA", "na", "nA", " N/A ", "KAD", "Không áp dụng"])
def test_not_applicable_words_are_read_in_any_case(text: str) -> None:
    assert is_na(text)


def test_a_number_or_a_blank_is_not_not_applicable() -> None:
    assert not is_na("0") and not is_na("") and not is_na("không")
    assert {"na", "n/a", "kad", "không áp dụng"} <= NA_WORDS


# ------------------------------------------------------------------ text


def test_uploaded_bytes_are_utf8_with_or_without_bom() -> None:
    assert decode_text("\ufeffđơn vị".encode(), "a.csv") == "đơn vị"
    assert decode_text("đơn vị".encode(), "a.csv") == "đơn vị"


def test_bytes_that_are_not_utf8_are_one_located_problem() -> None:
    # A Western (Latin-1/Windows-1252) file: "Ž" is 0x8E, a byte Windows-1258 does not have
    # either ("é" alone would be read as Windows-1258, where it is the same letter).
    with pytest.raises(FormatError) as info:
        decode_text("unit,code,points\nA,1.1,3 Žé\n".encode("cp1252"), "diem.csv")
    [problem] = info.value.problems
    assert problem.file == "diem.csv" and problem.line is None
    assert "không phải UTF-8" in problem.reason


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="không mở được tệp"):
        read_text_file(tmp_path / "khong-co.csv")


# ------------------------------------------------------------------ external points

POINTS = '\ufeffunit,code,points\nso-a,2.1,"2,5"\n\nso-b,2.1,KAD\nso-c,2.1,\n'


@pytest.mark.parametrize("stream", [False, True])
def test_points_are_read_from_text_or_a_stream(stream: bool) -> None:
    source = io.StringIO(POINTS) if stream else POINTS
    rows, problems = read_points(source, name="diem.csv")
    assert problems == []
    assert rows == [
        PointRow(2, "so-a", "2.1", Decimal("2.5"), False),
        PointRow(4, "so-b", "2.1", None, True),
        PointRow(5, "so-c", "2.1", None, False),
    ]


def test_points_need_no_header() -> None:
    rows, problems = read_points("so-a,2.1,3\n", name="diem.csv")
    assert problems == [] and rows == [PointRow(1, "so-a", "2.1", Decimal(3), False)]


def test_each_bad_points_line_is_named_and_left_out() -> None:
    text = "unit,code,points\nso-a,2.1,ba\nso-b,2.1\nso-c,2.1,1\n"
    rows, problems = read_points(text, name="diem.csv")
    assert [r.unit for r in rows] == ["so-c"]
    assert problems == [
        Problem("diem.csv", 2, "points", "Tiêu chí 2.1: giá trị không phải là số: 'ba'."),
        Problem("diem.csv", 3, None, "cần đúng 3 cột unit,code,points, có 2 cột"),
    ]


def test_a_wrong_points_header_and_an_empty_file_are_problems() -> None:
    _, problems = read_points("đơn vị,mã,điểm\nso-a,2.1,1\n", name="d.csv")
    assert problems == [Problem("d.csv", 1, None, "tiêu đề phải là unit,code,points")]
    _, problems = read_points("unit,code,points\n\n", name="d.csv")
    assert problems == [Problem("d.csv", None, None, "tệp không có dòng dữ liệu nào")]


# ------------------------------------------------------------------ metrics


def test_metrics_are_read_with_a_decimal_comma() -> None:
    rows, problems = read_metrics(
        io.StringIO('unit,metric,value\nso-a,sipas,"80,5"\n'), name="m.csv"
    )
    assert problems == [] and rows == [MetricRow(2, "so-a", "sipas", Decimal("80.5"))]


def test_each_bad_metric_line_is_named() -> None:
    text = "unit,metric,value\nso-a,sipas,120\nso-a,sipas,x\n,sipas,1\nso-b,sipas,1\nso-b,sipas,2\n"
    rows, problems = read_metrics(text, name="m.csv")
    assert [(p.line, p.column) for p in problems] == [
        (2, "value"),
        (3, "value"),
        (4, "unit"),
        (6, "metric"),
    ]
    assert "[0, 100]" in problems[0].reason and "dòng 5" in problems[3].reason
    assert [r.line for r in rows] == [5]


def test_a_metrics_file_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("unit,value\nso-a,1\n", encoding="utf-8")
    with pytest.raises(FormatError, match="thiếu cột metric"):
        load_metrics(path)


# ------------------------------------------------------------------ units


def test_units_are_read_with_parent_and_kind() -> None:
    rows, problems = read_units_csv(
        "unit,name,group,parent,kind\nxa-a,Xã A,UBND xã,huyen-x,commune\n", name="u.csv"
    )
    assert problems == [] and rows == [UnitRow(2, "xa-a", "Xã A", "UBND xã", "huyen-x", "commune")]


def test_each_bad_unit_cell_is_named() -> None:
    text = "unit,name,group,kind\nsở y tế,Sở Y tế,Sở,department\nb,,,tinh\nb,B,G,\n"
    _, problems = read_units_csv(text, name="u.csv")
    assert [(p.line, p.column) for p in problems] == [
        (2, "unit"),
        (3, "name"),
        (3, "group"),
        (3, "kind"),
        (4, "unit"),
    ]
    assert "bị trùng với dòng 3" in problems[-1].reason


def test_a_units_file_needs_its_header() -> None:
    rows, problems = read_units_csv("", name="u.csv")
    assert rows == [] and problems == [Problem("u.csv", 1, None, "Tệp trống.")]
    _, problems = read_units_csv("unit,name\n", name="u.csv")
    assert problems == [Problem("u.csv", 1, "group", "Thiếu cột “group” ở dòng tiêu đề.")]


# ------------------------------------------------------------------ compute scores and rating

FRAMEWORK = """\
code: t
name: T
nodes:
  - code: '1'
    name: A
    max_points: 4
    children:
      - {code: '1.1', name: B, max_points: 2}
      - {code: '1.2', name: C, max_points: 2}
"""


def test_compute_scores_take_na_words_in_any_case(tmp_path: Path) -> None:
    cf = compile_framework(loads(FRAMEWORK))
    path = tmp_path / "s.csv"
    path.write_text('unit,code,points\nA,1.1,Kad\nA,1.2,"1,5"\n', encoding="utf-8")
    assert read_scores(path, cf).values == [NOT_APPLICABLE, 1_500_000]
    path.write_text("unit,code,points\nA,1.1,n/A\nA,1.2,2\n", encoding="utf-8")  # fast path
    assert read_scores(path, cf).values == [NOT_APPLICABLE, 2_000_000]


def test_rating_is_read_from_text_with_located_problems() -> None:
    scheme = rating_from_text(
        "classes:\n- {name: Tốt, min: '80,5'}\n- {name: Khá, min: 0}\n", name="r"
    )
    assert scheme.classes[0] == ("Tốt", Decimal("80.5"))
    with pytest.raises(FormatError) as info:
        rating_from_text("classes:\n- {name: Tốt, min: nhiều}\n", name="r.yaml")
    assert [(p.line, p.column) for p in info.value.problems] == [(2, "min")]


# ------------------------------------------------------------------ results writer


def test_results_columns_and_cells_are_the_design_format() -> None:
    cols = result_columns(["1", "2"], True, ("unit_name",))
    assert cols[:7] == ["unit", "group", "points", "max_points", "index", "rank", "rating"]
    assert cols[7:] == [
        "area_1_points",
        "area_1_index",
        "area_2_points",
        "area_2_index",
        "index_change",
        "rank_change",
        "rating_reasons",
        "unit_name",
    ]
    assert decimal_cell(Decimal("2.345"), 2) == "2.35"
    assert decimal_cell(Decimal("-2.345"), 2) == "-2.35"
    assert decimal_cell(None, 2) == ""
    assert json_records(["unit", "index", "rank"], [["a", "90.50", 1], ["b", "", None]]) == [
        {"unit": "a", "index": 90.5, "rank": 1},
        {"unit": "b", "index": None, "rank": None},
    ]
