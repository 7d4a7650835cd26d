"""``parindex dossiers metrics|index|check`` from files, with exit codes and messages."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from parindex.cli import main

HEAD = (
    "MaHoSo,MaTTHC,DonViXuLy,CanBoXuLy,KenhThucHien,TrangThaiHoSo,NgayTiepNhan,NgayHenTra,"
    "NgayKetThucXuLy,NgayTra,NgayXinLoi\n"
)
ROWS = [
    # early (closed 03/01, due 06/01), online
    "H1,P1,Xã A,CB1,2,10,20250102080000,20250106170000,20250103090000,20250103100000,",
    # late by an hour; an apology was sent
    "H2,P1,Xã A,CB1,1,9,20250102080000,20250106170000,20250106180000,,20250103",
    # open, past due at the end of January → open_over; channel empty = direct
    "H3,P2,Xã A,CB2,,4,20250102080000,20250106170000,,,",
    # open, due next year → open_within
    "H4,P2,Xã B,CB2,2,4,20250102080000,20260106170000,,,",
    # closed on the due day → on_time (dates out of order: flagged, kept)
    "H5,P1,Xã B,CB3,2,10,20250107080000,20250106170000,20250106080000,20250106090000,",
    # not received: not counted
    "H6,P1,Xã B,CB3,2,1,20250105080000,,,,",
    # closed in February
    "H7,P1,Xã B,CB3,3,9,20250120080000,20250204170000,20250203100000,,",
]


@pytest.fixture
def dossiers(tmp_path: Path) -> Path:
    path = tmp_path / "d.csv"
    path.write_text(HEAD + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_metrics_by_unit_for_january(dossiers: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "dossiers", "metrics", "--input", str(dossiers), "--period", "2025-01"
    )
    assert code == 0
    assert out.splitlines() == [
        "unit,received,early,on_time,late,open_within,open_over,on_time_rate,late_rate,online_rate",
        "Xã A,3,1,0,1,0,1,33.33,66.67,33.33",
        # H7 was received in January and still open at its end
        "Xã B,3,0,1,0,2,0,100.00,0.00,66.67",
    ]
    assert "dòng 6" in err and "ngày tiếp nhận sau ngày kết thúc xử lý" in err


def test_metrics_by_month_and_official_as_json(
    dossiers: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["dossiers", "metrics", "--input", str(dossiers), "--from", "01/01/2025"]
    code, out, _ = run(capsys, *argv, "--to", "2025-02-28", "--by", "month", "--apologies")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("online_rate,late_with_apology,late_without_apology")
    assert lines[1:] == [
        "2025-01,6,1,1,1,2,1,66.67,33.33,50.00,1,1",
        # February: H3 still open and late, H4 open, H7 closed early
        "2025-02,3,1,0,0,1,1,66.67,33.33,33.33,0,1",
    ]
    code, out, _ = run(capsys, "dossiers", "metrics", "--input", str(dossiers), "--period",
                       "2025-Q1", "--by", "official", "--format", "json")  # fmt: skip
    rows = json.loads(out)
    assert [r["official"] for r in rows] == ["CB1", "CB2", "CB3"]
    assert rows[0] == {
        "official": "CB1", "received": 2, "early": 1, "on_time": 0, "late": 1,
        "open_within": 0, "open_over": 0, "on_time_rate": 50.0, "late_rate": 50.0,
        "online_rate": 50.0,
    }  # fmt: skip


def test_by_date_comparison_makes_the_one_hour_late_dossier_on_time(
    dossiers: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["dossiers", "metrics", "--input", str(dossiers), "--period", "2025-01", "--by-date"]
    _, out, _ = run(capsys, *argv, "--by", "procedure")
    assert out.splitlines()[1] == "P1,4,1,2,0,1,0,100.00,0.00,50.00"


def test_a_file_with_problems_prints_them_and_no_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEAD + ROWS[0] + "\n" + ROWS[0].replace("10,2025", "42,2025") + "\n", "utf-8")
    code, out, err = run(capsys, "dossiers", "metrics", "--input", str(path), "--period", "2025")
    assert code == 1 and out == ""
    assert f"{path}, dòng 3, cột TrangThaiHoSo: mã trạng thái không rõ: '42'" in err
    assert f"{path}, dòng 3, cột MaHoSo: mã hồ sơ trùng với dòng 2" in err
    assert "không tính số liệu" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "cần --period hoặc cả --from và --to"),
        (["--period", "25"], "--period phải có dạng"),
        (["--period", "2025", "--from", "01/01/2025"], "không dùng cả hai"),
        (["--from", "1/2/25", "--to", "2025-03-01"], "ngày phải có dạng"),
        (["--period", "2025", "--office-hours", "13:00-17:00,08:00-12:00"], "thứ tự"),
    ],
)
def test_bad_options_are_explained(
    dossiers: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "dossiers", "metrics", "--input", str(dossiers), *args)
    assert code == 1 and out == "" and message in err


def test_check_prints_row_problems_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(HEAD + ROWS[0] + "\n" + ROWS[1].replace("20250102080000", "2/30/2025") + "\n")
    code, out, err = run(capsys, "dossiers", "check", str(path))
    assert code == 1
    assert out == "2 dòng hồ sơ, 1 dòng hợp lệ, 1 lỗi, 0 cảnh báo\n"
    assert err == f"{path}, dòng 3, cột NgayTiepNhan: ngày giờ không đọc được: '2/30/2025'\n"
    path.write_text(HEAD + ROWS[0] + "\n")
    assert run(capsys, "dossiers", "check", str(path))[0] == 0


def test_index_shows_what_the_file_supports(
    dossiers: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "dossiers", "index", "--input", str(dossiers), "--period", "2025-01")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "unit,code,name,numerator,denominator,ratio,points,max_points,note"
    rows = {(r[0], r[1]): r[2:] for r in csv.reader(lines[1:])}
    name = "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn (đã và đang xử lý)"
    assert rows["Xã A", "2.1"] == [name, "1", "3", "33.33", "6.67", "20", ""]
    assert rows["Xã B", "2.1"][1:6] == ["3", "3", "100.00", "20.00", "20"]
    assert rows["Xã A", "3.3"][1:6] == ["1", "3", "33.33", "", ""]  # informational
    assert rows["Xã A", "3.6"][1:] == ["", "", "", "", "6", "tệp hồ sơ thiếu cột fee, paid_online"]
    assert rows["Xã A", "5.4"][-1] == "cần kết quả khảo sát (SIPAS / đánh giá hài lòng)"


def test_the_cli_starts_without_polars_or_numpy() -> None:
    code = (
        "import sys, parindex.cli as c; c.build_parser(); "
        "print('polars' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_check_flags_late_apologies_and_second_reappointments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "MaHoSo,TrangThaiHoSo,NgayTiepNhan,NgayHenTra,NgayXinLoi,SoLanHenLai\n"
        "H1,4,20250102080000,20250110170000,09/01/2025,1\n"  # Thursday before a Friday: in time
        "H2,4,20250102080000,20250110170000,10/01/2025,1\n"  # on the due day: late
        "H3,4,20250102080000,20250113170000,10/01/2025,2\n",  # Friday before Monday, twice
        encoding="utf-8",
    )
    code, out, err = run(capsys, "dossiers", "check", str(path))
    assert code == 0
    assert out == "3 dòng hồ sơ, 3 dòng hợp lệ, 0 lỗi, 2 cảnh báo\n"
    assert err.splitlines() == [
        f"Cảnh báo: {path}, dòng 3, cột NgayXinLoi: phiếu xin lỗi gửi muộn: phải gửi chậm nhất "
        "01 ngày làm việc trước ngày hẹn trả",
        f"Cảnh báo: {path}, dòng 4, cột SoLanHenLai: hẹn lại ngày trả kết quả quá một lần",
    ]


def test_a_procedure_table_gives_the_legal_limit_when_the_due_date_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "MaHoSo,MaTTHC,DonViXuLy,TrangThaiHoSo,NgayTiepNhan,NgayKetThucXuLy\n"
        # 3 working days from Mon 06/01 08:00 = Thu 09/01 08:00
        "H1,P3,A,9,06/01/2025 08:00,09/01/2025 08:00\n"
        "H2,P3,A,9,06/01/2025 08:00,09/01/2025 09:00\n"
        # 4 working hours from Mon 06/01 08:00 = 13:30 (lunch skipped)
        "H3,P4H,A,9,06/01/2025 08:00,06/01/2025 13:30\n",
        encoding="utf-8",
    )
    argv = ["dossiers", "metrics", "--input", str(path), "--period", "2025-01"]
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert err.count("thiếu ngày hẹn trả và thời hạn giải quyết") == 3
    table = tmp_path / "p.csv"
    table.write_text("procedure,limit,unit\nP3,3,ngày làm việc\nP4H,4,giờ\n", encoding="utf-8")
    code, out, err = run(capsys, *argv, "--procedures", str(table))
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == "A,3,0,2,1,0,0,66.67,33.33,0.00"
    table.write_text("procedure,limit,unit\nP3,ba,ngày\nP3,3,tuần\n", encoding="utf-8")
    code, out, err = run(capsys, *argv, "--procedures", str(table))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{table}, dòng 2, cột limit: không phải là số: 'ba'",
        f"{table}, dòng 3, cột unit: đơn vị thời hạn không rõ: 'tuần'",
    ]
