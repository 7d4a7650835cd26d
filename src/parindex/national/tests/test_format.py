"""The national results reader (``parindex.formats.national``): each bad input gives its
message with the line, all at once; names match with or without diacritics and prefixes."""

from __future__ import annotations

from decimal import Decimal

from parindex.formats.national import TOTAL, province_key, read_national
from parindex.testing import cp1258_bytes

MAXIMA = {TOTAL: Decimal(100), "1": Decimal(10), "1.1": Decimal(4)}
PROVINCES = {province_key("ca_mau"): "ca_mau", province_key("Tỉnh Cà Mau"): "ca_mau"}


def read(text: str, name: str = "kq.csv"):
    return read_national(text.encode(), name=name, maxima=MAXIMA, provinces=PROVINCES)


def test_names_match_without_diacritics_and_the_total_has_several_spellings():
    rows, problems = read("Tỉnh;Mã;Điểm\nca mau;;80\nTP Cà Mau;1;7,5\nCA MAU;1.1;4\n")
    assert problems == []
    assert [(r.province, r.code, r.points) for r in rows] == [
        ("ca_mau", TOTAL, Decimal(80)), ("ca_mau", "1", Decimal("7.5")),
        ("ca_mau", "1.1", Decimal(4)),
    ]  # fmt: skip
    rows, _ = read("province,code,points\nCà Mau,Tổng,80\n")
    assert rows[0].code == TOTAL


def test_a_missing_column_is_named():
    _, problems = read("tinh;diem\nCà Mau;80\n")
    assert len(problems) == 1 and "thiếu cột ma" in problems[0].reason


def test_duplicates_and_negative_points_are_refused_with_their_lines():
    _, problems = read("tinh;ma;diem\nCà Mau;1;5\nCà Mau;1;6\nCà Mau;1.1;-1\n")
    assert [(p.line, p.column) for p in problems] == [(3, "ma"), (4, "diem")]
    assert "dòng 2" in problems[0].reason


def test_windows_1258_tabs_and_empty_files():
    rows, problems = read_national(
        cp1258_bytes("tinh;ma;diem\nTỉnh Cà Mau;1;8,25\n"),
        name="kq.csv", maxima=MAXIMA, provinces=PROVINCES,
    )  # fmt: skip
    assert problems == [] and rows[0].points == Decimal("8.25")
    _, problems = read("tinh\tma\tdiem\nCà Mau\t1\t8\n")
    assert "tab" in problems[0].reason
    _, problems = read("")
    assert "rỗng" in problems[0].reason


def test_a_broken_workbook_is_one_problem():
    _, problems = read("không phải excel", name="kq.xlsx")
    assert len(problems) == 1 and "Excel" in problems[0].reason
