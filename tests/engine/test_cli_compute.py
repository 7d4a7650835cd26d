"""`parindex compute` end to end, as a user runs it: real files, a subprocess, exit status."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FRAMEWORK = """\
code: thu-nghiem
name: Bộ tiêu chí thử nghiệm
year: 2025
total: 10
nodes:
  - code: '1'
    name: Công tác chỉ đạo
    max_points: 6
    children:
      - {code: '1.1', name: Kế hoạch, max_points: 3}
      - code: '1.2'
        name: Tỷ lệ hoàn thành
        max_points: 3
        rule:
          type: bands
          bands:
            - {min: 0, max: 70, points: 0}
            - {min: 70, max: 90, points: 1.5, max_inclusive: true}
            - {min: 90, max: 100, points: 3, min_inclusive: false}
  - code: '2'
    name: Thủ tục hành chính
    max_points: 4
    children:
      - {code: '2.1', name: Công khai, max_points: 4}
      - {code: '2.2', name: Điểm thưởng, max_points: 1, source: bonus}
"""

RATING = """\
classes:
  - {name: Xuất sắc, min: 90}
  - {name: Tốt, min: 80}
  - {name: Khá, min: 70}
  - {name: Yếu, min: 0}
conditions:
  - {metric: late_dossier_rate, op: ">=", value: 5, cap: Khá,
     reason: "Tỷ lệ hồ sơ trễ hạn từ 5% trở lên"}
"""


def run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "parindex.cli", "compute", *args],
        cwd=tmp,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "fw.yaml").write_text(FRAMEWORK, encoding="utf-8")
    (tmp_path / "rating.yaml").write_text(RATING, encoding="utf-8")
    # A: 3 + 1.5 (value 90 → "70–90" band) + N/A + bonus 1 → area 2 N/A → 4.5/6 = 75
    # B: 2.5 + 3 + 4 → 9.5/10 = 95
    # C: same points as B (tie) → 95
    # D: 3 + 3 + 2 + bonus 1 = 9 → 90, but late dossiers 6% → at most Khá
    # E: another group, 1 + 0 + 4 → 5/10 = 50
    (tmp_path / "scores.csv").write_text(
        "\ufeffunit,code,points,value\n"
        "A,1.1,3,\nA,1.2,,90\nA,2.1,NA,\nA,2.2,1,\n"
        'B,1.1,"2,5",\nB,1.2,3,\nB,2.1,4,\n'
        "C,1.1,2.5,\nC,1.2,,95\nC,2.1,4,\n"
        "D,1.1,3,\nD,1.2,3,\nD,2.1,2,\nD,2.2,1,\n"
        "E,1.1,1,\nE,1.2,0,\nE,2.1,4,\n",
        encoding="utf-8",
    )
    (tmp_path / "units.csv").write_text(
        "unit,name,group\nA,Sở A,so\nB,Sở B,so\nC,Sở C,so\nD,Sở D,so\nE,Xã E,xa\n",
        encoding="utf-8",
    )
    (tmp_path / "metrics.csv").write_text(
        'unit,metric,value\nA,late_dossier_rate,0\nB,late_dossier_rate,"1,5"\n'
        "C,late_dossier_rate,0\nD,late_dossier_rate,6\nE,late_dossier_rate,0\n",
        encoding="utf-8",
    )
    (tmp_path / "previous.csv").write_text(
        "unit,group,points,max_points,index,rank,rating\n"
        "A,so,,,80.00,1,Tốt\nB,so,,,70,3,Khá\nD,so,,,75,2,Khá\n",
        encoding="utf-8",
    )
    return tmp_path


def table(text: str) -> dict[str, dict[str, str]]:
    return {row["unit"]: row for row in csv.DictReader(io.StringIO(text))}


def test_ranks_ties_na_groups_and_rating(files: Path) -> None:
    p = run(
        files,
        "--framework",
        "fw.yaml",
        "--scores",
        "scores.csv",
        "--units",
        "units.csv",
        "--metrics",
        "metrics.csv",
        "--rating",
        "rating.yaml",
    )
    assert p.returncode == 0, p.stderr
    rows = table(p.stdout)
    header = p.stdout.splitlines()[0].split(",")
    assert header[:7] == ["unit", "group", "points", "max_points", "index", "rank", "rating"]
    assert header[7:11] == ["area_1_points", "area_1_index", "area_2_points", "area_2_index"]
    assert header[-1] == "rating_reasons"
    assert (rows["B"]["index"], rows["C"]["index"], rows["D"]["index"]) == ("95.00",) * 2 + (
        "90.00",
    )
    assert (rows["B"]["rank"], rows["C"]["rank"], rows["D"]["rank"], rows["A"]["rank"]) == (
        "1",
        "1",
        "3",
        "4",
    )
    assert rows["E"]["group"] == "xa" and rows["E"]["rank"] == "1"
    # A: area 2 not applicable → index over 6 points
    assert rows["A"]["max_points"] == "6.00" and rows["A"]["index"] == "75.00"
    assert rows["A"]["area_2_points"] == "" and rows["A"]["area_2_index"] == ""
    assert rows["B"]["rating"] == "Xuất sắc"
    assert rows["D"]["rating"] == "Khá" and "trễ hạn" in rows["D"]["rating_reasons"]
    assert rows["A"]["rating"] == "Khá" and rows["E"]["rating"] == "Yếu"


def test_previous_gives_changes_and_json_output(files: Path) -> None:
    p = run(
        files,
        "--framework",
        "fw.yaml",
        "--scores",
        "scores.csv",
        "--units",
        "units.csv",
        "--previous",
        "previous.csv",
        "--format",
        "json",
        "--decimals",
        "3",
    )
    assert p.returncode == 0, p.stderr
    rows = {r["unit"]: r for r in json.loads(p.stdout)}
    assert rows["B"]["index"] == 95.0 and rows["B"]["rank"] == 1
    assert rows["B"]["rank_change"] == 2  # 3 → 1: "tăng 2 bậc"
    assert rows["B"]["index_change"] == 25.0
    assert rows["A"]["rank_change"] == -3 and rows["A"]["index_change"] == -5.0
    assert rows["C"]["rank_change"] is None  # not in the previous result
    assert rows["E"]["rating"] == ""  # no rating file


def test_output_file_and_decimals(files: Path) -> None:
    p = run(
        files,
        "--framework",
        "fw.yaml",
        "--scores",
        "scores.csv",
        "--decimals",
        "1",
        "-o",
        "out.csv",
    )
    assert p.returncode == 0, p.stderr
    rows = table((files / "out.csv").read_text(encoding="utf-8"))
    assert rows["B"]["index"] == "95.0"
    # without a units file all units form one group
    assert rows["E"]["rank"] == "5"


@pytest.mark.parametrize(
    ("content", "line", "column", "words"),
    [
        ("unit,code,points\nA,1.1,3\nA,9.9,1\n", 3, "code", "9.9"),
        ("unit,code,points\nA,1.1,3\nA,1.1,2\n", 3, "code", "trùng"),
        ("unit,code,points\nA,1.1,ba\n", 2, "points", "không phải là số"),
        ("unit,code,points\nA,1.1,3.5\n", 2, "points", "ngoài khoảng [0, 3]"),
        ("unit,code,points\nA,1.1,12,5\n", 2, None, "ngoặc kép"),
        ('unit,code,points\nA,1.1,"3\n', 2, None, "CSV"),
        ("unit,code,points\nA,1,3\n", 2, "code", "tiêu chí lá"),
        ("unit,code,points,value\nA,1.2,,120\n", 2, "value", "[0, 100]"),
    ],
)
def test_bad_scores_name_file_line_column(
    files: Path, content: str, line: int, column: str | None, words: str
) -> None:
    (files / "bad.csv").write_text(content, encoding="utf-8")
    p = run(files, "--framework", "fw.yaml", "--scores", "bad.csv")
    assert p.returncode == 1
    assert p.stdout == ""
    first = p.stderr.splitlines()[0]
    assert first.startswith(f"bad.csv, dòng {line}")
    if column:
        assert f"cột {column}" in first
    assert words in first


def test_all_problems_reported_at_once(files: Path) -> None:
    (files / "bad.csv").write_text("unit,code,points\nA,1.1,x\nA,7,1\nB,2.1,9\n", encoding="utf-8")
    p = run(files, "--framework", "fw.yaml", "--scores", "bad.csv")
    assert p.returncode == 1
    assert [line.split(":")[0] for line in p.stderr.splitlines()] == [
        "bad.csv, dòng 2, cột points",
        "bad.csv, dòng 3, cột code",
        "bad.csv, dòng 4, cột points",
    ]


def test_decimal_comma_accepted(files: Path) -> None:
    (files / "ok.csv").write_text('unit,code,points\nA,1.1,"2,75"\n', encoding="utf-8")
    p = run(files, "--framework", "fw.yaml", "--scores", "ok.csv")
    assert p.returncode == 0, p.stderr
    assert table(p.stdout)["A"]["points"] == "2.75"
    assert "thiếu điểm" in p.stderr  # the other leaves are missing: warned, counted 0


def test_unknown_unit_bad_metrics_and_bad_rating(files: Path) -> None:
    (files / "scores2.csv").write_text("unit,code,points\nZ,1.1,1\n", encoding="utf-8")
    (files / "m2.csv").write_text("unit,metric,value\nA,late_dossier_rate,abc\n", "utf-8")
    (files / "r2.yaml").write_text(
        "classes:\n  - {name: A, min: 50}\n  - {name: B, min: 60}\n", "utf-8"
    )
    p = run(
        files,
        "--framework",
        "fw.yaml",
        "--scores",
        "scores2.csv",
        "--units",
        "units.csv",
        "--metrics",
        "m2.csv",
        "--rating",
        "r2.yaml",
    )
    assert p.returncode == 1
    err = p.stderr
    assert "scores2.csv, dòng 2, cột unit" in err
    assert "m2.csv, dòng 2, cột value" in err
    assert "r2.yaml" in err and "cao xuống thấp" in err


def test_a_scores_file_that_cannot_be_opened_is_reported_after_the_other_files(
    files: Path,
) -> None:
    """The scores file is read while the others are (in a thread): what goes wrong
    there is still reported, after the problems of the files read before it."""
    (files / "m2.csv").write_text("unit,metric,value\nA,late_dossier_rate,abc\n", "utf-8")
    args = ["--framework", "fw.yaml", "--scores", "khong-co.csv", "--metrics", "m2.csv"]
    p = run(files, *args)
    assert p.returncode == 1 and p.stdout == ""
    lines = p.stderr.splitlines()
    assert lines[0].startswith("m2.csv, dòng 2, cột value")
    assert lines[1].startswith("khong-co.csv") and "không mở được tệp" in lines[1]


def test_invalid_framework_is_refused(files: Path) -> None:
    (files / "bad.yaml").write_text(FRAMEWORK.replace("total: 10", "total: 12"), "utf-8")
    p = run(files, "--framework", "bad.yaml", "--scores", "scores.csv")
    assert p.returncode == 1
    assert "12" in p.stderr and "10" in p.stderr


MIXED = """\
code: nhieu-cap
name: Bộ tiêu chí nhiều cấp
total: 20
nodes:
  - {code: '1', name: Lĩnh vực là tiêu chí lá, max_points: 4}
  - code: '2'
    name: Lĩnh vực hai nhánh
    max_points: 6
    children:
      - {code: '2.1', name: Lá cấp 2, max_points: 2}
      - code: '2.2'
        name: Nhánh có trần
        max_points: 4
        note: trần 4 điểm dù các tiêu chí con cộng lại 5
        children:
          - code: '2.2.1'
            name: Cấp 3
            max_points: 5
            children:
              - {code: '2.2.1.1', name: Lá cấp 4, max_points: 3}
              - {code: '2.2.1.2', name: Lá cấp 4 khác, max_points: 2}
  - code: '3'
    name: Lĩnh vực có điểm thưởng
    max_points: 10
    children:
      - {code: '3.1', name: Lá cấp 2, max_points: 10}
      - {code: '3.2', name: Điểm thưởng, max_points: 1, source: bonus}
"""


def test_mixed_depths_give_the_hand_computed_results(tmp_path: Path) -> None:
    """Depths 1, 2 and 4 in one framework, N/A leaves, a capped parent and a bonus."""
    (tmp_path / "fw.yaml").write_text(MIXED, encoding="utf-8")
    (tmp_path / "rating.yaml").write_text(RATING, encoding="utf-8")
    # A: 4 | 2 + min(3 + 2, 4) = 6 | 8 + 1 = 9 → 19/20 = 95 → Xuất sắc
    # B: 1 N/A | 2.2.1.1 N/A: 2.2.1 = 2 of 2, 2.2 = 2 of min(4, 2); area 2 = 1 + 2 = 3 of 4
    #    | 9 of 10 → 12 of an applicable 14 = 85.714… → Tốt
    # C: 2 | 2 + (1 + 1) = 4 | min(10 + 1, 10) = 10 → 16/20 = 80 → Tốt
    # D: 4 | 0 + 4 = 4 | 9 → 17/20 = 85, late dossiers 6% ≥ 5% → at most Khá
    (tmp_path / "scores.csv").write_text(
        "unit,code,points\n"
        "A,1,4\nA,2.1,2\nA,2.2.1.1,3\nA,2.2.1.2,2\nA,3.1,8\nA,3.2,1\n"
        "B,1,NA\nB,2.1,1\nB,2.2.1.1,NA\nB,2.2.1.2,2\nB,3.1,9\n"
        "C,1,2\nC,2.1,2\nC,2.2.1.1,1\nC,2.2.1.2,1\nC,3.1,10\nC,3.2,1\n"
        "D,1,4\nD,2.1,0\nD,2.2.1.1,3\nD,2.2.1.2,2\nD,3.1,9\n",
        encoding="utf-8",
    )
    (tmp_path / "metrics.csv").write_text(
        "unit,metric,value\nA,late_dossier_rate,0\nB,late_dossier_rate,0\n"
        "C,late_dossier_rate,0\nD,late_dossier_rate,6\n",
        encoding="utf-8",
    )
    p = run(
        tmp_path,
        *("--framework", "fw.yaml", "--scores", "scores.csv"),
        *("--metrics", "metrics.csv", "--rating", "rating.yaml"),
    )
    assert p.returncode == 0, p.stderr
    rows = table(p.stdout)
    got = {
        u: (r["max_points"], r["index"], r["rank"], r["rating"]) for u, r in sorted(rows.items())
    }
    assert got == {
        "A": ("20.00", "95.00", "1", "Xuất sắc"),
        "B": ("14.00", "85.71", "2", "Tốt"),
        "C": ("20.00", "80.00", "4", "Tốt"),
        "D": ("20.00", "85.00", "3", "Khá"),
    }
    assert (rows["A"]["area_1_points"], rows["A"]["area_1_index"]) == ("4.00", "100.00")
    assert (rows["B"]["area_1_points"], rows["B"]["area_1_index"]) == ("", "")
    assert (rows["B"]["area_2_points"], rows["B"]["area_2_index"]) == ("3.00", "75.00")
    assert (rows["C"]["area_3_points"], rows["C"]["area_3_index"]) == ("10.00", "100.00")
    assert "trễ hạn" in rows["D"]["rating_reasons"]


def test_a_framework_of_depth_seven_is_refused_with_its_line(tmp_path: Path) -> None:
    deep = MIXED.replace(
        "{code: '2.2.1.2', name: Lá cấp 4 khác, max_points: 2}",
        "code: '2.2.1.2'\n                name: x\n                max_points: 2\n"
        "                children:\n"
        "                  - code: '2.2.1.2.1'\n                    name: x\n"
        "                    max_points: 2\n                    children:\n"
        "                      - code: '2.2.1.2.1.1'\n                        name: x\n"
        "                        max_points: 2\n                        children:\n"
        "                          - {code: '2.2.1.2.1.1.1', name: x, max_points: 2}",
    )
    (tmp_path / "fw.yaml").write_text(deep, encoding="utf-8")
    (tmp_path / "scores.csv").write_text("unit,code,points\nA,1,4\n", encoding="utf-8")
    p = run(tmp_path, "--framework", "fw.yaml", "--scores", "scores.csv")
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    assert "sâu quá 6 cấp" in p.stderr and "dòng" in p.stderr
    assert p.stdout == ""


def test_the_command_run_inside_another_program_leaves_its_collector_alone(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installed command runs without the cyclic collector (a one-shot process); a
    program that calls ``main`` itself keeps its collector running and nothing frozen,
    and its thread switch interval as it was (the command shortens it while the scores
    are parsed), whether the input is accepted or refused."""
    import gc

    from parindex.cli import main

    monkeypatch.chdir(files)
    frozen = gc.get_freeze_count()
    switch = sys.getswitchinterval()
    args = ["compute", "--framework", "fw.yaml", "--scores", "scores.csv", "-o", "out.csv"]
    assert main(args) == 0
    assert (files / "out.csv").read_text(encoding="utf-8").startswith("unit,")
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert sys.getswitchinterval() == switch
    assert main([*args[:4], "missing.csv"]) == 1
    assert sys.getswitchinterval() == switch


def test_the_installed_command_ends_with_its_output_whole_and_its_status(files: Path) -> None:
    """The command as a process ends as soon as it is done (no collector, no teardown):
    what it printed to a pipe is all there — more than a pipe holds —, identical to what a
    program calling ``main`` itself writes to a file, and a refused input still exits 1
    with its messages."""
    units = "".join(f"U{i:04d},so\n" for i in range(2_000))
    scores = "".join(f"U{i:04d},1.1,{i % 4}\nU{i:04d},2.1,{i % 5}\n" for i in range(2_000))
    (files / "many-units.csv").write_text("unit,group\n" + units, encoding="utf-8")
    (files / "many.csv").write_text("unit,code,points\n" + scores, encoding="utf-8")
    common = ["--framework", "fw.yaml", "--scores", "many.csv", "--units", "many-units.csv"]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    whole = subprocess.run(
        [sys.executable, "-m", "parindex.cli", "compute", *common],
        cwd=files,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        env=buffered,  # as a user's shell has it: standard output buffered in a pipe
    )
    code = (
        "import gc, sys; from parindex.cli import main; "
        "rc = main(sys.argv[1:]); assert gc.isenabled(); sys.exit(rc)"
    )
    inside = subprocess.run(
        [sys.executable, "-c", code, "compute", *common, "-o", "inside.csv"],
        cwd=files,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert whole.returncode == inside.returncode == 0, whole.stderr + inside.stderr
    assert len(whole.stdout) > 65_536 and whole.stdout.count("\n") == 2_001
    assert whole.stdout == (files / "inside.csv").read_text(encoding="utf-8")
    refused = run(files, "--framework", "fw.yaml", "--scores", "units.csv")
    assert refused.returncode == 1 and "units.csv" in refused.stderr and not refused.stdout
