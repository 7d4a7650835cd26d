"""CSV files as Excel writes them (issue 8, part 7): ``;`` or ``,``, UTF-8 with or without
BOM, Windows-1258 with its combining tone marks; UTF-16, tab-separated and undecodable
files are one clear problem."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from parindex.formats.errors import FormatError
from parindex.formats.metrics import read_metrics
from parindex.formats.scores import read_points
from parindex.formats.text import csv_delimiter, csv_rows, read_upload
from parindex.testing import cp1258_bytes

NAME = "Sở Tư pháp — Trường Đại học"


def test_windows_1258_is_decoded_and_normalised_to_nfc():
    data = cp1258_bytes(f"unit;name\nso-tu-phap;{NAME}\n")
    assert b"\xcc" in data or b"\xd2" in data  # really a combining tone mark in the file
    up = read_upload(data, "don-vi.csv")
    assert up.encoding == "Windows-1258" and up.delimiter == ";"
    assert NAME in up.text and unicodedata.is_normalized("NFC", up.text)
    assert up.summary == "Đã đọc tệp don-vi.csv (Windows-1258, dấu phân cách “;”)"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("unit,code,points\nđơn-vị,1.1,2\n".encode(), "UTF-8"),
        ("\ufeffunit,code,points\nđơn-vị,1.1,2\n".encode(), "UTF-8 có BOM"),
    ],
)
def test_utf8_with_or_without_bom(data, encoding):
    up = read_upload(data, "a.csv")
    assert (up.encoding, up.delimiter) == (encoding, ",")
    assert up.text.startswith("unit,code,points")


def test_a_semicolon_file_with_decimal_commas_reads_like_a_comma_file():
    up = read_upload(b"unit;code;points\nso-tu-phap;2.1;3,5\nso-y-te;2.1;NA\n", "d.csv")
    rows, problems = read_points(up.text, name=up.name)
    assert problems == []
    assert [(r.unit, r.code, r.points, r.not_applicable) for r in rows] == [
        ("so-tu-phap", "2.1", Decimal("3.5"), False),
        ("so-y-te", "2.1", None, True),
    ]
    metrics, problems = read_metrics("unit;metric;value\nx;late_dossier_rate;6,5\n", name="m")
    assert problems == [] and metrics[0].value == Decimal("6.5")


def test_the_separator_is_sniffed_on_the_header_line_outside_quotes():
    assert csv_delimiter("unit,code,points\na;b;c;d\n") == ","
    assert csv_delimiter('\n\nunit;code;points\n"a,b",1,2\n') == ";"
    assert csv_delimiter('"x;y",code,points\n') == ","
    assert csv_delimiter("unit\tcode\tpoints\n") is None


def test_a_tab_separated_file_is_one_clear_problem():
    with pytest.raises(FormatError) as info:
        read_upload(b"unit\tcode\tpoints\nso-tu-phap\t2.1\t3\n", "tab.csv")
    [p] = info.value.problems
    assert p.file == "tab.csv" and "dấu tab" in p.reason and "“;”" in p.reason
    problems: list = []
    assert list(csv_rows("unit\tcode\tpoints\n", "tab.csv", problems)) == []
    assert "dấu tab" in problems[0].reason


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_one_clear_problem(encoding):
    with pytest.raises(FormatError) as info:
        read_upload("unit,code,points\nso-tu-phap,2.1,3\n".encode(encoding), "u16.csv")
    [p] = info.value.problems
    assert "UTF-16" in p.reason and "CSV UTF-8" in p.reason


def test_bytes_valid_in_neither_utf8_nor_windows_1258_are_refused():
    data = "unit,code,points\nŠ-é,2.1,3\n".encode("cp1252")  # 0x8A: not in cp1258
    with pytest.raises(FormatError) as info:
        read_upload(data, "latin.csv")
    [p] = info.value.problems
    assert (
        "không phải UTF-8 hay Windows-1258" in p.reason and f"byte {data.index(0x8A)}" in p.reason
    )
    with pytest.raises(FormatError):
        read_upload(b"\xef\xbb\xbfunit\n\xff\n", "bom.csv")  # a BOM then not UTF-8


def test_pasted_text_is_utf8_and_sniffed():
    up = read_upload("unit;metric;value\n", "dữ liệu nhập")
    assert up.detected == "UTF-8, dấu phân cách “;”"
