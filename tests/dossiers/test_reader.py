"""The dossier reader: headers by alias, dates, status maps, JSON sync messages, problems."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex.formats.dossier_columns import map_headers, status_map
from parindex.formats.dossiers import flatten_sync, open_dossiers, read_dossiers
from parindex.testing import cp1258_bytes

NATIONAL = (
    "MaHoSo,MaTTHC,DonViXuLy,CanBoXuLy,KenhThucHien,TrangThaiHoSo,NgayTiepNhan,NgayHenTra,"
    "NgayKetThucXuLy,NgayTra\n"
)


def write(tmp_path: Path, text: str, name: str = "d.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def reasons(problems) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{p.line}|{p.column}|{p.reason}" for p in problems]


def test_vietnamese_headers_match_with_or_without_diacritics(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Mã hồ sơ;ma thu tuc;DON VI XU LY;Trạng thái;Ngay tiep nhan;Ngày hẹn trả;Hình thức nộp;"
        "Ngày có kết quả;Chủ hồ sơ\n"
        "H1;2.000815;Xã A;Đã trả kết quả;02/01/2025 08:00;06/01/2025 17:00;Trực tuyến;"
        "03/01/2025 09:30;Lê C\n",
    )
    frame, problems = read_dossiers(path)
    assert problems == []
    row = frame.row(0, named=True)
    assert (row["code"], row["procedure"], row["unit"]) == ("H1", "2.000815", "Xã A")
    assert (row["status"], row["channel"]) == (10, 2)
    assert row["finished"] == dt.datetime(2025, 1, 3, 9, 30)


def test_a_clean_national_export_is_typed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeff" + NATIONAL + "H1,2.000815, Xã A ,CB1,2,10,20250102080000,20250106170000,"
        "20250103090000,20250103100000\n"
        'H2,2.000815,Xã A,CB1,,4,"02/01/2025 8:05",06/01/2025,,\n',
    )
    frame, problems = read_dossiers(path)
    assert problems == []
    assert frame["code"].to_list() == ["H1", "H2"]
    assert frame["unit"].to_list() == ["Xã A", "Xã A"]
    assert frame["status"].to_list() == [10, 4]
    assert frame["channel"].to_list() == [2, None]
    assert frame["received"].to_list() == [
        dt.datetime(2025, 1, 2, 8),
        dt.datetime(2025, 1, 2, 8, 5),
    ]
    assert frame["due"].to_list()[1] == dt.datetime(2025, 1, 6)
    assert frame["_row"].to_list() == [2, 3]


def test_every_bad_row_is_reported_with_its_row_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        NATIONAL
        + "H1,1,A,X,2,9,20250102080000,20250106170000,20250103090000,\n"
        + "H2,1,A,X,2,99,20250102080000,20250106170000,,\n"
        + "H3,1,A,X,7x,4,2025-13-45,20250106170000,,\n"
        + "H1,1,A,X,2,4,20250102080000,20250106170000,,\n"
        + ",1,A,X,2,4,20250102080000,20250106170000,,\n"
        + "H6,1,A,X,2,9,20250102080000,,,\n",
    )
    f = open_dossiers(path)
    kept = pl.concat(list(f.batches()))
    assert kept["code"].to_list() == ["H1", "H1"]  # duplicates are found after reading
    assert reasons(f.problems) == [
        "3|TrangThaiHoSo|mã trạng thái không rõ: '99'",
        "4|KenhThucHien|kênh thực hiện không rõ: '7x'",
        "4|NgayTiepNhan|ngày giờ không đọc được: '2025-13-45'",
        "5|MaHoSo|mã hồ sơ trùng với dòng 2",
        "6|MaHoSo|thiếu mã hồ sơ",
        "7|NgayKetThucXuLy|hồ sơ đã kết thúc (trạng thái 7–10) nhưng thiếu ngày kết thúc xử lý, "
        "ngày trả hoặc ngày từ chối",
    ]


def test_dates_out_of_order_are_flagged_not_dropped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        NATIONAL + "H1,1,A,X,2,10,20250105080000,20250106170000,20250104090000,20250104100000\n",
    )
    f = open_dossiers(path)
    kept = pl.concat(list(f.batches()))
    assert f.problems == []
    assert kept.height == 1
    assert [p.reason for p in f.flags] == [
        "ngày tiếp nhận sau ngày kết thúc xử lý (giữ lại, cần kiểm tra)",
        "ngày tiếp nhận sau ngày trả kết quả (giữ lại, cần kiểm tra)",
    ]


def test_header_problems_stop_before_any_row(tmp_path: Path) -> None:
    path = write(tmp_path, "MaHoSo,Cột lạ,NgayTiepNhan,Mã hồ sơ\nH1,x,20250102080000,H1\n")
    f = open_dossiers(path)
    assert list(f.batches()) == []
    assert reasons(f.problems) == [
        "1|Cột lạ|cột không nhận ra (xem docs/dossiers.md)",
        "1|Mã hồ sơ|cột trùng nghĩa với cột «MaHoSo»",
        "1|TrangThaiHoSo|thiếu cột bắt buộc",
    ]
    names, problems = map_headers(
        "x", ["MaHoSo", "Cột lạ", "TrangThai", "Ngày tiếp nhận"], ignore_unknown=True
    )
    assert names == ["code", None, "status", "received"] and problems == []


@pytest.mark.parametrize("text", ["", NATIONAL])
def test_an_empty_file_is_a_problem(tmp_path: Path, text: str) -> None:
    f = open_dossiers(write(tmp_path, text))
    assert list(f.batches()) == []
    assert [p.reason for p in f.problems] in (["tệp rỗng"], ["tệp không có dòng hồ sơ nào"])


def test_batches_are_bounded_and_row_numbers_run_on(tmp_path: Path) -> None:
    rows = "".join(f"H{i},1,A,X,2,4,20250102080000,20250106170000,,\n" for i in range(7))
    f = open_dossiers(write(tmp_path, NATIONAL + rows), batch_rows=3)
    sizes = [b.height for b in f.batches()]
    assert max(sizes) <= 3 and sum(sizes) == 7
    assert f.problems == [] and f.rows == 7


def test_windows_1258_and_utf16_exports_are_read(tmp_path: Path) -> None:
    text = (
        "Mã hồ sơ,Trạng thái,Ngày tiếp nhận,Ngày hẹn trả\n"
        "H1,Đang xử lý,02/01/2025 08:00,06/01/2025\n"
    )
    for enc, data in (("cp1258", cp1258_bytes(text)), ("utf-16", text.encode("utf-16"))):
        path = tmp_path / f"{enc}.csv"
        path.write_bytes(data)
        frame, problems = read_dossiers(path)
        assert problems == [] and frame["status"].to_list() == [4], enc


def test_status_maps_per_source(tmp_path: Path) -> None:
    assert status_map("dvcqg")["da tra ket qua"] == 10
    assert status_map("opencps")["releasing"] == 9
    custom = tmp_path / "map.yaml"
    custom.write_text("XONG: 9\nDANG LAM: 4\n", encoding="utf-8")
    path = write(
        tmp_path,
        "MaHoSo,TrangThaiHoSo,NgayTiepNhan,NgayHenTra\nH1,dang lam,20250102080000,20250106170000\n",
    )
    frame, problems = read_dossiers(path, source=custom)
    assert problems == [] and frame["status"].to_list() == [4]
    f = open_dossiers(path, source="nowhere")
    assert list(f.batches()) == []
    assert "không có bảng trạng thái" in f.problems[0].reason


def test_xlsx_exports_with_real_dates(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])
    ws.append(
        [
            "Mã hồ sơ",
            "Trạng thái",
            "Ngày tiếp nhận",
            "Ngày hẹn trả",
            "Ngày có kết quả",
            "Kênh thực hiện",
        ]
    )
    ws.append(
        [
            "H1",
            9,
            dt.datetime(2025, 1, 2, 8, 0),
            dt.datetime(2025, 1, 6, 17),
            dt.datetime(2025, 1, 3, 9),
            2,
        ]
    )
    ws.append(["H2", "Đang xử lý", "02/01/2025 08:00", "06/01/2025 17:00", None, "Trực tiếp"])
    ws.append(["H3", "??", "02/01/2025 08:00", "06/01/2025 17:00", None, None])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    f = open_dossiers(path)
    frame = pl.concat(list(f.batches()))
    assert frame["code"].to_list() == ["H1", "H2"]
    assert frame["finished"].to_list()[0] == dt.datetime(2025, 1, 3, 9)
    assert frame["channel"].to_list() == [2, 1]
    assert reasons(f.problems) == ["5|Trạng thái|mã trạng thái không rõ: '??'"]


SYNC = {
    "MaHoSo": "H15.50.05.13-250102-0001",
    "MaTTHC": "2.000815",
    "DonViXuLy": "Xã A",
    "KenhThucHien": 2,
    "TrangThaiHoSo": 10,
    "NgayTiepNhan": "20250102080000",
    "NgayHenTra": "20250113170000",
    "QuaTrinhXuLy": [
        {"TrangThai": 4, "ThoiDiemXuLy": "20250102090000", "NguoiXuLy": "CB1"},
        {"TrangThai": 5, "ThoiDiemXuLy": "20250103090000", "NguoiXuLy": "CB1"},
        {"TrangThai": 4, "ThoiDiemXuLy": "20250106090000", "NguoiXuLy": "CB2"},
        {"TrangThai": 9, "ThoiDiemXuLy": "20250108100000", "NguoiXuLy": "CB2"},
        {"TrangThai": 10, "ThoiDiemXuLy": "20250109100000", "NguoiXuLy": "CB2"},
    ],
    "DanhSachHoSoBoSung": [
        {
            "NgayBoSung": "20250108080000",
            "NgayHenTraTruoc": "20250107170000",
            "NgayHenTraMoi": "20250113170000",
        }
    ],
    "DanhSachLePhi": [{"Gia": 50000}, {"Gia": "0"}],
    "TaiLieuNop": [{"DuocSoHoa": 0}, {"DuocSoHoa": 1}],
    "DanhSachGiayToKetQua": [{"DuongDanTepTinKetQua": "https://x/kq.pdf"}],
}


def test_a_sync_message_is_flattened_with_its_history() -> None:
    rec = flatten_sync(SYNC)
    assert rec["finished"] == "20250108100000"  # status 9 wins over 10
    assert rec["returned"] == "20250109100000"
    assert rec["official"] == "CB2"
    assert (rec["supplement_requested"], rec["supplement_completed"]) == (
        "20250103090000",
        "20250106090000",
    )
    assert rec["supplement_count"] == "1"
    assert rec["due_original"] == "20250107170000"  # the apology's new date is not judged
    assert rec["apology_sent"] == "20250108080000"
    assert rec["reappointments"] == "1"
    assert rec["fee"] == "50000"
    assert rec["digitised"] == "1" and rec["result_file"] == "1"


def test_json_and_json_lines_read_the_same(tmp_path: Path) -> None:
    other = {**SYNC, "MaHoSo": "H2", "TrangThaiHoSo": "Đang xử lý", "QuaTrinhXuLy": []}
    named = [
        {**h, "TrangThai": "Đã xử lý xong"} if h["TrangThai"] == 9 else h
        for h in SYNC["QuaTrinhXuLy"]
    ]
    assert (
        flatten_sync({**SYNC, "QuaTrinhXuLy": named}, status_map())["finished"] == "20250108100000"
    )
    whole = tmp_path / "d.json"
    whole.write_text(json.dumps({"data": [SYNC, other]}), encoding="utf-8")
    lines = tmp_path / "d.jsonl"
    lines.write_text("\n".join(json.dumps(x) for x in (SYNC, other)) + "\n{bad\n", encoding="utf-8")
    a, pa = read_dossiers(whole)
    assert pa == []
    assert a["status"].to_list() == [10, 4]
    assert a["due_original"].to_list()[0] == dt.datetime(2025, 1, 7, 17)
    b, pb = read_dossiers(lines)
    assert reasons(pb) == [
        "3|None|JSON không hợp lệ: Expecting property name enclosed in double quotes"
    ]
    assert b.drop("_row").equals(a.drop("_row"))


def test_problems_are_capped_per_kind_with_a_summary(tmp_path: Path) -> None:
    rows = "".join(f"H{i},1,A,X,2,42,20250102080000,20250106170000,,\n" for i in range(150))
    f = open_dossiers(write(tmp_path, NATIONAL + rows))
    list(f.batches())
    assert len(f.problems) == 101
    assert f.problems[-1].reason == "và 50 dòng khác: mã trạng thái không rõ: '…'"


def test_blocks_end_between_records_even_inside_quoted_newlines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("parindex.formats.dossiers.CHUNK_BYTES", 64)
    head = "MaHoSo,TrangThaiHoSo,NgayTiepNhan,NgayHenTra,TenTTHC\n"
    rows = "".join(
        f'H{i},4,20250102080000,20250106170000,"Cấp giấy\nphép, số {i}"\n' for i in range(40)
    )
    frame, problems = read_dossiers(write(tmp_path, head + rows))
    assert problems == []
    assert frame["code"].to_list() == [f"H{i}" for i in range(40)]
    assert frame["_row"].to_list() == list(range(2, 42))  # records, not physical lines
    assert frame["procedure_name"].to_list()[7] == "Cấp giấy\nphép, số 7"


ALIASES = {
    "code": ["MaHoSo", "Mã hồ sơ", "ma ho so"],
    "status": ["TrangThaiHoSo", "Trạng thái", "TRANG THAI HO SO"],
    "received": ["NgayTiepNhan", "Ngày tiếp nhận", "ngay_tiep_nhan"],
    "due": ["NgayHenTra", "Ngày hẹn trả", "Hạn xử lý"],
    "unit": ["DonViXuLy", "Đơn vị xử lý", "Cơ quan giải quyết"],
}
DATE_WRITERS = [
    lambda d: d.strftime("%Y%m%d%H%M%S"),
    lambda d: d.strftime("%d/%m/%Y %H:%M"),
    lambda d: d.strftime("%d/%m/%Y %H:%M:%S"),
]
minutes = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
record = st.tuples(
    st.sampled_from([2, 4, 5, 6]),
    minutes,
    minutes,
    st.text(alphabet="ABCxãđƯ ơ-", min_size=1, max_size=12).filter(lambda s: s.strip() == s),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(record, min_size=1, max_size=25),
    headers=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in ALIASES.items()}),
    writer=st.sampled_from(DATE_WRITERS),
    sep=st.sampled_from([",", ";"]),
)
def test_whatever_the_aliases_and_date_format_a_file_reads_back(  # type: ignore[no-untyped-def]
    tmp_path, rows, headers, writer, sep
):
    order = list(ALIASES)
    lines = [sep.join(headers[k] for k in order)]
    for i, (status, rec, due, unit) in enumerate(rows):
        cells = {"code": f"H{i}", "status": str(status), "received": writer(rec),
                 "due": writer(due), "unit": unit}  # fmt: skip
        lines.append(sep.join(f'"{cells[k]}"' for k in order))
    path = tmp_path / "prop.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame, problems = read_dossiers(path)
    assert problems == []
    assert frame["code"].to_list() == [f"H{i}" for i in range(len(rows))]
    assert frame["status"].to_list() == [r[0] for r in rows]
    assert frame["received"].to_list() == [r[1] for r in rows]
    assert frame["due"].to_list() == [r[2] for r in rows]
    assert frame["unit"].to_list() == [r[3] for r in rows]
