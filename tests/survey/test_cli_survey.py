"""``parindex survey`` end to end: files in tmp_path, exit codes, messages, output."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from survey_helpers import DATA

from parindex.cli import main

SIPAS = str(DATA / "sipas-service-2025.yaml")

RESPONSES = """respondent,unit,TCDV1,TCDV2,TCDV3,CC1,CC2,PHIEN_HA,MONG_DOI
r1,x1,4,5,3,KB,4,khong,nang_luc thai_do
r2,x1,5,1,2,NA,5,mot_so,
r3,x2,3,,4,2,1,,co_so
r4,x2,4,4,4,4,5,khong,co_so nang_luc
"""


def compute_args(tmp_path: Path, *extra: str) -> list[str]:
    """``survey compute`` on tmp_path's r.csv and u.csv."""
    files = ["--responses", str(tmp_path / "r.csv"), "--units", str(tmp_path / "u.csv")]
    return ["survey", "compute", "--questionnaire", SIPAS, *files, *extra]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_compute_writes_one_row_per_unit_and_code(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    responses = tmp_path / "r.csv"
    responses.write_text(RESPONSES, encoding="utf-8")
    code, out, err = run(
        ["survey", "compute", "--questionnaire", SIPAS, "--responses", str(responses)], capsys
    )
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert list(rows[0]) == [
        "unit",
        "level",
        "code",
        "index",
        "valid",
        "satisfied",
        "ci_low",
        "ci_high",
    ]
    got = {(r["unit"], r["level"], r["code"]): r for r in rows}
    # x1: TCDV1 2/2, TCDV2 1/2, TCDV3 0/2 → aspect (100 + 50 + 0) / 3 = 50
    assert got["x1", "item", "TCDV1"]["index"] == "100.00"
    assert got["x1", "item", "TCDV1"]["ci_low"] == "34.24"
    assert got["x1", "aspect", "TCDV"]["index"] == "50.00"
    assert (got["x1", "aspect", "TCDV"]["valid"], got["x1", "aspect", "TCDV"]["satisfied"]) == (
        "6",
        "3",
    )
    # x1: CC1 no valid answer, CC2 2/2 → aspect CC = 100; DV = mean(50, 100) = 75
    assert got["x1", "item", "CC1"]["index"] == ""
    assert got["x1", "aspect", "CC"]["index"] == "100.00"
    assert got["x1", "part", "DV"]["index"] == "75.00"
    assert got["x1", "overall", "overall"]["index"] == "75.00"
    assert got["x1", "choice", "PHIEN_HA/khong"]["index"] == "50.00"
    assert got["x2", "choice", "MONG_DOI/co_so"]["index"] == "100.00"
    assert got["x2", "choice", "MONG_DOI/nang_luc"]["satisfied"] == "1"
    assert "Cảnh báo: đơn vị x1: 2 người trả lời, cần 400 cho sai số ±5%" in err


def test_compute_json_and_units_with_population(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "r.csv").write_text(RESPONSES, encoding="utf-8")
    (tmp_path / "u.csv").write_text("unit,name,group,population\nx1,A,xa,3\nx2,B,xa,2\nx3,C,xa,\n")
    code, out, err = run(compute_args(tmp_path, "--format", "json"), capsys)
    assert code == 0
    data = json.loads(out)
    first = data[0]
    assert first == {
        "unit": "x1",
        "level": "item",
        "code": "TCDV1",
        "index": 100.0,
        "valid": 2,
        "satisfied": 2,
        "ci_low": 34.24,
        "ci_high": 100.0,
    }
    assert "đơn vị x1: 2 người trả lời, cần 3" in err  # 3 / (1 + 3·0.0025) = 2.98
    assert "đơn vị x2" not in err  # 2 of N = 2: everyone answered
    assert "1 đơn vị không có phiếu trả lời nào (x3)" in err


def test_compute_refuses_bad_responses_and_writes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "r.csv").write_text(RESPONSES.replace("r4,x2,4", "r1,x9,6"), encoding="utf-8")
    (tmp_path / "u.csv").write_text("unit,name,group\nx1,A,xa\nx2,B,xa\n")
    out_file = tmp_path / "out.csv"
    code, _, err = run(compute_args(tmp_path, "-o", str(out_file)), capsys)
    assert code == 1 and not out_file.exists()
    lines = err.strip().splitlines()
    assert any("dòng 5, cột respondent: người trả lời 'r1' bị trùng (dòng 2)" in x for x in lines)
    assert any("dòng 5, cột unit: đơn vị 'x9' không có" in x for x in lines)
    assert any("dòng 5, cột TCDV1: giá trị '6' ngoài thang 1–5" in x for x in lines)


def test_compute_reports_a_bad_questionnaire(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    q = tmp_path / "q.yaml"
    q.write_text("code: t\nname: T\naspects: []\nitems: []\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("respondent,unit\n")
    code, _, err = run(
        ["survey", "compute", "--questionnaire", str(q), "--responses", str(tmp_path / "r.csv")],
        capsys,
    )
    assert code == 1 and "cần ít nhất một khía cạnh" in err


def test_xlsform_and_import_xlsform_commands(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    xlsx, back = tmp_path / "q.xlsx", tmp_path / "back.yaml"
    code, _, err = run(["survey", "xlsform", SIPAS, "--output", str(xlsx)], capsys)
    assert code == 0 and xlsx.exists() and "34 câu hỏi" in err
    code, _, err = run(["survey", "import-xlsform", str(xlsx), "--output", str(back)], capsys)
    assert code == 0 and "code: sipas-service-2025" in back.read_text(encoding="utf-8")
    code, _, err = run(["survey", "import-xlsform", SIPAS, "--output", str(back)], capsys)
    assert code == 1 and "không phải tệp Excel" in err


def test_the_command_runs_as_a_subprocess_without_django(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text(RESPONSES, encoding="utf-8")
    code = (
        "import sys; from parindex.cli import main; rc = main(sys.argv[1:]); "
        "assert not any(m.split('.')[0] == 'django' for m in sys.modules); sys.exit(rc)"
    )
    p = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "survey",
            "compute",
            "--questionnaire",
            SIPAS,
            "--responses",
            str(tmp_path / "r.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("unit,level,code,index,valid,satisfied,ci_low,ci_high\n")


def test_display_rounds_half_up_on_the_exact_value(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = "".join(f"r{k},x,{5 if k == 0 else 1}\n" for k in range(8))  # 1/8 = 12.5 %
    (tmp_path / "r.csv").write_text("respondent,unit,TCDV1\n" + rows, encoding="utf-8")
    code, out, _ = run(
        [
            "survey",
            "compute",
            "--questionnaire",
            SIPAS,
            "--responses",
            str(tmp_path / "r.csv"),
            "--decimals",
            "0",
        ],
        capsys,
    )
    assert code == 0
    got = {(r["level"], r["code"]): r["index"] for r in csv.DictReader(out.splitlines())}
    assert got["item", "TCDV1"] == "13"  # not 12 (round half to even)
    assert got["aspect", "TCDV"] == "13" and got["overall", "overall"] == "13"
