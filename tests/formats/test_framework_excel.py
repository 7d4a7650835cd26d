"""Framework Excel tables: lossless round trip, provinces' own tables, located errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from parindex.engine.framework import RULE_TYPES
from parindex.formats.errors import FormatError
from parindex.formats.framework_excel import read_framework_excel, write_framework_excel
from parindex.formats.framework_yaml import dumps, loads
from parindex.formats.rule_text import format_rule, parse_rule

EVERY_RULE = """\
code: moi-cach-cham
name: Bộ thử mọi cách chấm
label: Thử
decision: 1/QĐ-UBND
year: 2025
total: 20.5
nodes:
  - code: '1'
    name: Lĩnh vực
    max_points: 20.5
    children:
      - {code: '1.1', name: Thủ công, max_points: 1, rule: {type: manual}}
      - {code: '1.2', name: Không có cách chấm, max_points: 1}
      - {code: '1.3', name: Đạt/không, max_points: 1, rule: {type: binary}}
      - {code: '1.4', name: Đạt một phần, max_points: 1, rule: {type: binary, points: 0.75}}
      - code: '1.5'
        name: Mức
        max_points: 1
        rule:
          type: tiers
          tiers:
            - {label: 'Kịp thời; đủ = đúng', points: 1}
            - {label: 'Chậm \\ thiếu', points: 0.5}
            - {label: Không ban hành, points: 0}
        guidance: |-
          Dòng một
          Dòng hai
        evidence: Kế hoạch
        note: ghi chú
      - code: '1.6'
        name: Khoảng
        max_points: 2
        rule:
          type: bands
          bands:
            - {min: 90, max: 100, min_inclusive: false, max_inclusive: true, points: 2}
            - {min: 70, max: 90, min_inclusive: true, max_inclusive: true, points: 1}
            - {min: 0, max: 70, min_inclusive: true, max_inclusive: false, points: 0}
      - code: '1.7'
        name: Tỷ lệ
        max_points: 2
        rule: {type: proportional, scale: 100, floor: 0.5, cap: 1.75, threshold: 50}
      - {code: '1.8', name: Đếm, max_points: 1, rule: {type: count, per: 0.25, cap: 1}}
      - {code: '1.9', name: Trừ, max_points: 1, rule: {type: deduction, per: 0.25, floor: 0}}
      - code: '1.10'
        name: Điều tra
        max_points: 1.5
        source: survey
        rule: {type: survey, scale_min: 1, scale_max: 5}
      - code: '1.11'
        name: SIPAS
        max_points: 5
        source: sipas
        rule: {type: metric, metric: sipas, scale: 100}
      - {code: '1.12', name: Thống kê, max_points: 3.333333333333333333, source: statistic}
      - {code: '1.13', name: Thưởng, max_points: 1, source: bonus, rule: {type: count, per: 0.5}}
      - {code: '1.14', name: Trừ điểm, max_points: 1, source: penalty}
      - {code: '1.15', name: Chưa rõ, max_points: null}
  - code: '2'
    name: Lĩnh vực chưa rõ điểm
    max_points: null
"""


def test_every_rule_type_round_trips_yaml_excel_yaml_byte_identical(tmp_path: Path) -> None:
    fw = loads(EVERY_RULE)
    assert {n.rule.type for n in fw.walk() if n.rule} == set(RULE_TYPES)
    path = tmp_path / "bo.xlsx"
    write_framework_excel(fw, path)
    back = read_framework_excel(path)
    assert back == fw
    assert dumps(back) == dumps(fw)


def test_written_table_has_the_published_columns_and_vietnamese_cells(tmp_path: Path) -> None:
    path = tmp_path / "bo.xlsx"
    write_framework_excel(loads(EVERY_RULE), path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(r for r in rows if r[0] == "STT")
    assert header[:5] == ["STT", "Nội dung", "Điểm tối đa", "Hướng dẫn chấm", "Tài liệu kiểm chứng"]
    assert header[5:] == ["Nguồn điểm", "Cách chấm", "Ghi chú"]
    by_code = {r[0]: r for r in rows[rows.index(header) + 1 :]}
    assert (
        by_code["1.5"][6]
        == "tiers: Kịp thời\\; đủ \\= đúng=1; Chậm \\\\ thiếu=0,5; Không ban hành=0"
    )
    assert by_code["1.6"][6] == "bands: (90..100]=2; [70..90]=1; [0..70)=0"
    assert by_code["1.10"][5] == "Điều tra XHH"
    assert by_code["1.12"][2] == "3,333333333333333333"  # more digits than a float: text
    assert by_code["1.15"][2] == "chưa rõ"
    assert ws.cell(row=rows.index(header) + 2, column=1).font.b  # areas in bold


@pytest.mark.parametrize(
    "text",
    [
        "binary",
        "binary: points=0,75",
        "tiers: Kịp thời=1; Không kịp thời=0,5; Không ban hành=0",
        "bands: (90..100]=2; [70..90]=1; [0..70)=0",
        "proportional: scale=100; floor=0,5; cap=1,75; threshold=50",
        "count: per=0,25; cap=1",
        "deduction: per=0,25; floor=0",
        "survey: scale_min=1; scale_max=5",
        "metric: metric=sipas; scale=100",
        "manual",
    ],
)
def test_rule_text_parses_and_formats_back(text: str) -> None:
    rule, errors = parse_rule(text)
    assert errors == []
    assert format_rule(rule) == text


def test_rule_text_accepts_decimal_point_too() -> None:
    rule, errors = parse_rule("count: per=0.25; cap=1")
    assert errors == [] and rule is not None
    assert rule.params == {"per": Decimal("0.25"), "cap": Decimal(1)}


def _table(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


HEADER = ["STT", "Nội dung", "Điểm tối đa", "Hướng dẫn chấm", "Tài liệu kiểm chứng"]


def test_province_table_without_extra_columns(tmp_path: Path) -> None:
    path = _table(
        tmp_path / "ca-mau-1880.xlsx",
        [
            ["BỘ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"],
            [],
            ["STT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Ghi chú"],
            ["1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", 3],
            ["1.1", "Kế hoạch CCHC năm", "3"],
            ["1.1.1.", "Ban hành kế hoạch CCHC năm", "1"],
            [None, "Ban hành kịp thời", 1],
            [None, "Ban hành không kịp thời", "0,5"],
            [None, "Không ban hành", 0],
            [],
            ["1.1.2", "Mức độ thực hiện kế hoạch CCHC", 2],
            [None, "Tổng cộng", 3],
        ],
    )
    fw = read_framework_excel(path)
    assert fw.code == "ca-mau-1880" and fw.name == "BỘ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"
    assert fw.total == Decimal(3)
    by = fw.by_code()
    assert list(by) == ["1", "1.1", "1.1.1", "1.1.2"]  # trailing dot of "1.1.1." ignored
    leaf = by["1.1.1"]
    assert leaf.source == "self" and leaf.rule is None
    assert leaf.max_points == Decimal(1)
    assert leaf.guidance == "Ban hành kịp thời: 1\nBan hành không kịp thời: 0,5\nKhông ban hành: 0"


def test_decimal_comma_in_max_points_is_accepted(tmp_path: Path) -> None:
    path = _table(tmp_path / "t.xlsx", [HEADER, ["1", "Lĩnh vực", "12,5"], ["2", "Khác", 87.5]])
    fw = read_framework_excel(path)
    assert [a.max_points for a in fw.nodes] == [Decimal("12.5"), Decimal("87.5")]
    assert fw.total == Decimal(100)  # no declared total: the sum of fully known areas


def test_bad_table_reports_file_row_column_and_reason(tmp_path: Path) -> None:
    path = _table(
        tmp_path / "sai.xlsx",
        [
            ["Mã bộ tiêu chí", "sai"],
            ["Năm", "hai nghìn"],
            [],
            [*HEADER, "Nguồn điểm", "Cách chấm"],
            ["1", "Lĩnh vực", "abc"],
            ["1.1", "Tiêu chí", 1, None, None, "Tự làm"],
            ["1.1", "Trùng mã", 1],
            ["3.1", "Không có cha", 1],
            ["1.2", None, 1],
            ["1.3", "Cách chấm sai", 1, None, None, None, "tiers: Kịp thời"],
        ],
    )
    with pytest.raises(FormatError) as info:
        read_framework_excel(path)
    lines = [str(p) for p in info.value.problems]
    f = str(path)
    assert f"{f}, dòng 2, cột B (Năm): năm 'hai nghìn' không hợp lệ" in lines
    assert (
        f"{f}, dòng 5, cột C (Điểm tối đa): điểm tối đa 'abc' của mục '1' không phải là số" in lines
    )
    assert any(x.startswith(f"{f}, dòng 6, cột F (Nguồn điểm): nguồn điểm 'Tự làm'") for x in lines)
    assert f"{f}, dòng 7, cột A (STT): STT '1.1' bị trùng (đã có ở dòng 6)" in lines
    assert (
        f"{f}, dòng 8, cột A (STT): mục '3.1' không có mục cha '3' ở phía trên trong bảng" in lines
    )
    assert f"{f}, dòng 9, cột B (Nội dung): mục '1.2' thiếu Nội dung" in lines
    assert any(x.startswith(f"{f}, dòng 10, cột G (Cách chấm): mức 'Kịp thời'") for x in lines)


def test_table_without_header_is_refused(tmp_path: Path) -> None:
    path = _table(tmp_path / "x.xlsx", [["a", "b"], ["1", "2"]])
    with pytest.raises(FormatError) as info:
        read_framework_excel(path)
    assert "STT" in str(info.value) and str(path) in str(info.value)


def test_broken_file_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(FormatError) as info:
        read_framework_excel(path)
    assert str(path) in str(info.value)
