"""`parindex lost-points`, `whatif` and `rank-bands` as a user runs them: real files, exit
status, stdout and stderr."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from parindex.cli import main

FRAMEWORK = """\
code: thu-nghiem
name: Bộ tiêu chí thử nghiệm
total: 10
nodes:
  - {code: '1', name: Công tác chỉ đạo, max_points: 6, children: [
      {code: '1.1', name: Kế hoạch, max_points: 3},
      {code: '1.2', name: Tỷ lệ hoàn thành, max_points: 3}]}
  - {code: '2', name: Thủ tục hành chính, max_points: 4, children: [
      {code: '2.1', name: Công khai, max_points: 4},
      {code: '2.2', name: Điểm thưởng, max_points: 1, source: bonus},
      {code: '2.3', name: Điểm trừ, max_points: 1, source: penalty}]}
"""
# A: 3 + 1.5, area 2 N/A → 4.5 / 6 = 75        B, C: 2.5 + 3 + 4 = 9.5 → 95 (tie)
# D: 1 + 1, 2 − 1 (penalty) → 3 / 10 = 30       E: listed in units.csv, no score → 0
SCORES = (
    "unit,code,points\n"
    'A,1.1,3\nA,1.2,"1,5"\nA,2.1,NA\n'
    "B,1.1,2.5\nB,1.2,3\nB,2.1,4\n"
    "C,1.1,2.5\nC,1.2,3\nC,2.1,4\n"
    "D,1.1,1\nD,1.2,1\nD,2.1,2\nD,2.3,1\n"
)
UNITS = "unit,name,group\nA,Sở A,so\nB,Sở B,so\nC,Sở C,so\nD,Sở D,so\nE,Sở E,so\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "fw.yaml").write_text(FRAMEWORK, encoding="utf-8")
    (tmp_path / "scores.csv").write_text(SCORES, encoding="utf-8")
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


BASE = ["--framework", "fw.yaml", "--scores", "scores.csv"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``main`` on the words of ``args``; ``BASE`` stands for the framework and scores."""
    words = [w for arg in args for w in arg.split()]
    expanded = [a for w in words for a in (BASE if w == "BASE" else [w])]
    code = main(expanded)
    out, err = capsys.readouterr()
    return code, out, err


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_lost_points_lists_every_losing_node_largest_loss_first(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "lost-points", *BASE, "--units", "units.csv")
    assert code == 0, err
    got = rows(out)
    assert got[0] == ["unit", "code", "name", "level", "max_points", "points", "lost"]
    by_unit: dict[str, list[list[str]]] = {}
    for r in got[1:]:
        by_unit.setdefault(r[0], []).append(r[1:])
    # A: area 2 is N/A (left out); 1.1 full (no loss)
    assert by_unit["A"] == [
        ["1", "Công tác chỉ đạo", "1", "6", "4.5", "1.5"],
        ["1.2", "Tỷ lệ hoàn thành", "2", "3", "1.5", "1.5"],
    ]
    # D: area 1 loses 4, area 2 loses 3 (incl. the penalty), leaves 2 each, penalty 1;
    # the missed bonus 2.2 is not a loss against the maximum
    assert by_unit["D"] == [
        ["1", "Công tác chỉ đạo", "1", "6", "2", "4"],
        ["2", "Thủ tục hành chính", "1", "4", "1", "3"],
        ["1.1", "Kế hoạch", "2", "3", "1", "2"],
        ["1.2", "Tỷ lệ hoàn thành", "2", "3", "1", "2"],
        ["2.1", "Công khai", "2", "4", "2", "2"],
        ["2.3", "Điểm trừ", "2", "1", "1", "1"],
    ]
    assert [r[0] for r in by_unit["E"]] == ["1", "2", "2.1", "1.1", "1.2"]
    assert list(by_unit) == ["A", "B", "C", "D", "E"]
    assert "đơn vị E: thiếu điểm 3 tiêu chí" in err


def test_lost_points_as_json_has_numbers(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lost-points", *BASE, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data[0] == {
        "unit": "A",
        "code": "1",
        "name": "Công tác chỉ đạo",
        "level": 1,
        "max_points": 6,
        "points": 4.5,
        "lost": 1.5,
    }
    assert {d["unit"] for d in data} == {"A", "B", "C", "D"}


def test_whatif_reverse_json(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "whatif", *BASE, "--units", "units.csv", "--unit", "D", "--target-rank", "1"
    )
    assert code == 0, err
    # 95 needs 9.5 points: 6.5 more. Equal effort → framework order: 1.1 +2, 1.2 +2 (area 1
    # full), 2.1 +2, then the bonus 2.2 +0.5 (before the penalty 2.3)
    assert json.loads(out) == {
        "unit": "D",
        "from_index": 30,
        "from_rank": 4,
        "to_index": 95,
        "to_rank": 1,
        "effort": 6.5,
        "changes": [
            {"code": "1.1", "from": 1, "to": 3},
            {"code": "1.2", "from": 1, "to": 3},
            {"code": "2.1", "from": 2, "to": 4},
            {"code": "2.2", "from": 0, "to": 0.5},
        ],
        "target_rank": 1,
        "reached": True,
    }
    assert '"from_index": 30.00' in out  # displayed with --decimals, as JSON numbers


def test_whatif_with_an_effort_file_and_csv_output(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "effort.csv").write_text('code,effort\n1.1,3\n2.3,"0,5"\n', encoding="utf-8")
    code, out, err = run(
        capsys, "whatif BASE --unit D --target-rank 3 --effort effort.csv --format csv"
    )
    assert code == 0, err
    # third is A at 75: 7.5 points, 4.5 more: penalty 2.3 −1 (0.5), 1.2 +2, 2.1 +1.5
    # (effort 1 each; 2.1 comes before the bonus 2.2) → 0.5 + 2 + 1.5 = 4
    assert rows(out) == [
        ["unit", "from_index", "from_rank", "to_index", "to_rank", "effort", "code", "from", "to"],
        ["D", "30.00", "4", "75.00", "3", "4", "1.2", "1", "3"],
        ["D", "30.00", "4", "75.00", "3", "4", "2.1", "2", "3.5"],
        ["D", "30.00", "4", "75.00", "3", "4", "2.3", "1", "0"],
    ]


def test_whatif_forward_with_set(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "whatif", *BASE, "--unit", "A", "--set", "1.2=3")
    assert code == 0, err
    data = json.loads(out)
    assert (data["to_index"], data["to_rank"], data["target_rank"]) == (100, 1, None)


GAP = """\
code: khoang-trong
name: Lĩnh vực 1 chưa dùng hết điểm
total: 10
nodes:
  - {code: '1', name: Chỉ đạo, max_points: 5, note: 1 điểm chưa phân bổ, children: [
      {code: '1.1', name: Kế hoạch, max_points: 2},
      {code: '1.2', name: Báo cáo, max_points: 2}]}
  - {code: '2', name: Thủ tục, max_points: 5, children: [{code: '2.1', name: x, max_points: 5}]}
"""


def test_whatif_unreachable_says_so_and_gives_the_best(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Area 1 keeps 1 point unallocated, so X can reach 4 + 5 = 9 → 90 at most. R has area
    # 1 N/A → 5/5 = 100: rank 1 is out of reach; Q is at 80.
    (files / "gap.yaml").write_text(GAP, encoding="utf-8")
    (files / "gap.csv").write_text(
        "unit,code,points\nX,1.1,0\nX,1.2,0\nX,2.1,5\nR,1.1,NA\nR,1.2,NA\nR,2.1,5\n"
        "Q,1.1,1\nQ,1.2,2\nQ,2.1,5\n",
        encoding="utf-8",
    )
    args = ["whatif", "--framework", "gap.yaml", "--scores", "gap.csv", "--unit", "X"]
    code, out, err = run(capsys, *args, "--target-rank", "1")
    assert code == 3
    assert "Không đạt được hạng 1 trong nhóm: hạng cao nhất có thể là 2" in err
    # the cheapest way to rank 2: tie Q at 80 = 8 points, 3 more
    assert json.loads(out) == {
        "unit": "X",
        "from_index": 50,
        "from_rank": 3,
        "to_index": 80,
        "to_rank": 2,
        "effort": 3,
        "changes": [{"code": "1.1", "from": 0, "to": 2}, {"code": "1.2", "from": 0, "to": 1}],
        "target_rank": 1,
        "reached": False,
    }


def test_whatif_input_problems_are_listed_together(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "effort.csv").write_text("code,effort\n1,2\n9.9,1\n1.1,-1\n1.2,abc\n", "utf-8")
    code, out, err = run(capsys, "whatif BASE --unit D --target-rank 1 --effort effort.csv")
    lines = err.splitlines()
    assert code == 1 and out == "" and len(lines) == 4
    assert "effort.csv, dòng 2, cột code: mã '1' là tiêu chí có tiêu chí con" in lines[0]
    assert "dòng 3, cột code: mã '9.9' không có trong bộ tiêu chí" in lines[1]
    assert "dòng 4, cột effort: công sức -1 âm" in lines[2]
    assert "dòng 5, cột effort: không phải là số" in lines[3]
    code, out, err = run(capsys, "whatif", *BASE, "--unit", "Q", "--target-rank", "1")
    assert code == 1 and "đơn vị Q không có trong bảng điểm" in err
    code, out, err = run(capsys, "whatif", *BASE, "--unit", "D", "--target-rank", "0")
    assert code == 1 and "hạng mục tiêu phải từ 1 trở lên" in err
    code, out, err = run(capsys, "whatif BASE --unit D --set 1.1=x --set 2.1 --decimals 9")
    assert code == 1 and out == ""
    assert "--decimals phải từ 0 đến 6" in err
    assert "--set 1.1=x: không phải là số" in err and "--set 2.1: cần dạng MÃ=ĐIỂM" in err


def test_rank_bands_zero_spread_and_fixed_seed(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["rank-bands", *BASE, "--units", "units.csv", "--draws", "500", "--seed", "4"]
    code, out, err = run(capsys, *args, "--weight-spread", "0")
    assert code == 0, err
    assert out == (
        "unit,group,rank,p05,p50,p95\n"
        "B,so,1,1,1,1\nC,so,1,1,1,1\nA,so,3,3,3,3\nD,so,4,4,4,4\nE,so,5,5,5,5\n"
    )
    first = run(capsys, *args, "--weight-spread", "0.5")
    assert first == run(capsys, *args, "--weight-spread", "0.5")
    code, out, _ = run(capsys, *args, "--weight-spread", "0.5", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data[0]["unit"] == "B" and isinstance(data[0]["p95"], int)


def test_rank_bands_with_intervals_and_bad_inputs(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "iv.csv").write_text(
        "unit,code,low,high\nA,1,3,6\nA,1.1,1,2\nB,2,3,9\n", encoding="utf-8"
    )
    code, out, err = run(
        capsys, "rank-bands BASE --draws 0 --weight-spread 2 --seed 1 --intervals iv.csv"
    )
    assert code == 1 and out == ""
    assert "--draws phải từ 1 trở lên" in err and "--weight-spread phải trong [0, 1]" in err
    assert "iv.csv, dòng 3, cột code: mã '1.1' không phải lĩnh vực" in err
    assert "iv.csv, dòng 4: khoảng [3, 9] không hợp lệ" in err
    (files / "iv.csv").write_text("unit,code,low,high\nA,1,3,6\n", encoding="utf-8")
    code, out, err = run(
        capsys, "rank-bands BASE --draws 300 --weight-spread 0 --seed 1 --intervals iv.csv"
    )
    assert code == 0, err
    a = next(r for r in rows(out) if r[0] == "A")
    assert a[2] == "3" and a[3] != a[5]  # the interval alone moves A's rank


def test_bad_scores_are_reported_like_compute(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "scores.csv").write_text("unit,code,points\nA,1.1,5\nZ,1.1,1\n", encoding="utf-8")
    code, out, err = run(capsys, "lost-points", *BASE, "--units", "units.csv")
    assert code == 1 and out == ""
    assert "scores.csv, dòng 2, cột points: điểm 5 nằm ngoài khoảng [0, 3]" in err
    assert "scores.csv, dòng 3, cột unit: đơn vị 'Z' không có trong tệp đơn vị" in err


def test_the_commands_start_without_numpy_or_django(files: Path) -> None:
    code = (
        "import sys; from parindex.cli import main; main(sys.argv[1:]); "
        "print(sorted(m for m in ('numpy', 'django') if m in sys.modules), file=sys.stderr)"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, "lost-points", *BASE],
        cwd=files,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert p.returncode == 0 and p.stderr.strip().endswith("[]"), p.stderr
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "parindex.cli",
            "whatif",
            *BASE,
            "--unit",
            "D",
            "--target-rank",
            "9",
        ],
        cwd=files,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert p.returncode == 0 and json.loads(p.stdout)["changes"] == []
