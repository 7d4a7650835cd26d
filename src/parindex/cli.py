"""The `parindex` command. Subcommands import what they need lazily, so that
`parindex compute` (engine only, no database) starts fast and never loads Django."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parindex",
        description="Chỉ số cải cách hành chính (PAR INDEX) và SIPAS",
    )
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    sub.required = True

    p = sub.add_parser("demo", help="chạy ứng dụng web với tỉnh mẫu trên SQLite")
    p.add_argument("--addr", default="127.0.0.1:8000", help="địa chỉ:cổng (mặc định :8000)")
    p.add_argument("--reset", action="store_true", help="xoá dữ liệu demo và tạo lại")
    p.add_argument("--no-serve", action="store_true", help="chỉ chuẩn bị dữ liệu, không chạy")

    p = sub.add_parser("serve", help="chạy máy chủ web (production)")
    p.add_argument("--addr", default="127.0.0.1:8000", help="địa chỉ:cổng")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="số tiến trình máy chủ (Linux, gunicorn; mặc định: số CPU)",
    )
    p.add_argument("--threads", type=int, default=8, help="số luồng mỗi tiến trình")

    p = sub.add_parser("compute", help="tính chỉ số, xếp hạng, xếp loại (không cần cơ sở dữ liệu)")
    p.add_argument("--framework", required=True, help="bộ tiêu chí (.yaml hoặc .xlsx)")
    p.add_argument("--scores", required=True, help="điểm: CSV unit,code,points")
    p.add_argument("--units", help="đơn vị: CSV unit,name,group")
    p.add_argument("--metrics", help="chỉ số cho điều kiện xếp loại: CSV unit,metric,value")
    p.add_argument("--previous", help="kết quả năm trước (CSV kết quả)")
    p.add_argument("--rating", help="các mức xếp loại và điều kiện (.yaml)")
    p.add_argument("--decimals", type=int, default=2, help="số chữ số thập phân (mặc định 2)")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--output", "-o", help="ghi ra tệp thay vì màn hình")

    p = sub.add_parser("framework", help="kiểm tra, nhập, xuất bộ tiêu chí")
    fsub = p.add_subparsers(dest="action", metavar="VIỆC")
    fsub.required = True
    q = fsub.add_parser("validate", help="kiểm tra một tệp bộ tiêu chí")
    q.add_argument("file")
    q = fsub.add_parser("import", help="nhập bộ tiêu chí vào cơ sở dữ liệu")
    q.add_argument("file")
    q.add_argument("--replace", action="store_true", help="thay thế bộ cùng mã nếu chưa dùng")
    q = fsub.add_parser("export", help="xuất bộ tiêu chí ra YAML hoặc Excel")
    q.add_argument("source", help="mã bộ tiêu chí trong CSDL, hoặc đường dẫn tệp")
    q.add_argument("output", help="tệp đích (.yaml hoặc .xlsx)")
    q = fsub.add_parser("list", help="liệt kê các bộ tiêu chí có sẵn")

    p = sub.add_parser("units", help="đơn vị hành chính")
    usub = p.add_subparsers(dest="action", metavar="VIỆC")
    usub.required = True
    q = usub.add_parser("load", help="nạp 34 tỉnh và 3.321 xã từ gói vietnam-provinces")
    q.add_argument("--province", help="chỉ nạp các xã của tỉnh này (mã hoặc tên)")
    q = usub.add_parser("import", help="nhập đơn vị từ CSV unit,name,group[,parent]")
    q.add_argument("file")

    # issue 12: improvement analyses (engine only, no database)
    def common(p: argparse.ArgumentParser, formats: list[str]) -> None:
        p.add_argument("--framework", required=True, help="bộ tiêu chí (.yaml hoặc .xlsx)")
        p.add_argument("--scores", required=True, help="điểm: CSV unit,code,points")
        p.add_argument("--units", help="đơn vị: CSV unit,name,group")
        p.add_argument("--format", choices=formats, default=formats[0])
        p.add_argument("--output", "-o", help="ghi ra tệp thay vì màn hình")

    p = sub.add_parser("lost-points", help="điểm bị mất theo lĩnh vực, tiêu chí, tiêu chí lá")
    common(p, ["csv", "json"])
    p = sub.add_parser(
        "whatif", help="nếu đạt điểm …, xếp hạng mới; cách ít công sức nhất lên hạng K"
    )
    common(p, ["json", "csv"])
    p.add_argument("--unit", required=True, help="mã đơn vị")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--target-rank", type=int, help="hạng cần đạt trong nhóm")
    what.add_argument(
        "--set", action="append", metavar="MÃ=ĐIỂM", help="đặt điểm một tiêu chí lá (lặp lại được)"
    )
    p.add_argument("--effort", help="công sức mỗi điểm: CSV code,effort (mặc định 1)")
    p.add_argument("--decimals", type=int, default=2, help="số chữ số thập phân của chỉ số")
    p = sub.add_parser("rank-bands", help="khoảng xếp hạng (mô phỏng Monte Carlo trọng số)")
    common(p, ["csv", "json"])
    p.add_argument("--draws", type=int, required=True, help="số lượt mô phỏng, ví dụ 2000")
    p.add_argument(
        "--weight-spread", type=float, required=True, help="s: hệ số lĩnh vực trong [1 − s, 1 + s]"
    )
    p.add_argument("--seed", type=int, required=True, help="hạt giống ngẫu nhiên (lặp lại đúng)")
    p.add_argument("--intervals", help="khoảng điểm lĩnh vực đã biết: CSV unit,code,low,high")

    p = sub.add_parser("dossiers", help="hồ sơ TTHC: kiểm tra tệp, tỷ lệ đúng hạn, trễ hạn")
    dsub = p.add_subparsers(dest="action", metavar="VIỆC")
    dsub.required = True
    mq = dsub.add_parser("metrics", help="số hồ sơ, tỷ lệ đúng hạn/trễ hạn/trực tuyến từ tệp")
    mq.add_argument("--by", choices=["month", "official", "procedure", "unit"], default="unit")
    mq.add_argument("--apologies", action="store_true", help="thêm số hồ sơ trễ có/không xin lỗi")
    iq = dsub.add_parser("index", help="các chỉ số Quyết định 766 tính được từ tệp hồ sơ")
    iq.add_argument("--version", default="portal-2025", help="phiên bản bộ chỉ số")
    iq.add_argument("--catalogue", help="tệp bộ chỉ số (.yaml; mặc định bộ kèm theo)")
    for q in (mq, iq):
        q.add_argument("--input", required=True, help="tệp hồ sơ (.csv, .xlsx, .json, .jsonl)")
        q.add_argument("--period", help="kỳ: 2025, 2025-03 hoặc 2025-Q1")
        q.add_argument("--from", dest="date_from", help="từ ngày (dd/mm/yyyy hoặc yyyy-mm-dd)")
        q.add_argument("--to", dest="date_to", help="đến ngày (tính cả ngày này)")
        q.add_argument("--format", choices=["csv", "json"], default="csv")
        q.add_argument("--output", "-o", help="ghi ra tệp thay vì màn hình")
        q.add_argument("--by-date", action="store_true", help="so sánh theo ngày, không theo giờ")
    dq = dsub.add_parser("check", help="kiểm tra một tệp hồ sơ, in lỗi theo từng dòng")
    dq.add_argument("file")
    xq = dsub.add_parser("import", help="nhập tệp hồ sơ vào cơ sở dữ liệu đang cấu hình")
    xq.add_argument("file", help="tệp hồ sơ (.csv, .xlsx, .json, .jsonl)")
    xq.add_argument("--source", default="dvcqg", help="bảng trạng thái: dvcqg, opencps, igate")
    xq.add_argument("--report", help="ghi báo cáo lỗi (CSV) ra tệp này")
    lq = dsub.add_parser("calendar-load", help="nạp bảng ngày nghỉ, ngày làm bù vào cơ sở dữ liệu")
    lq.add_argument("files", nargs="*", help="tệp lịch năm (.yaml; mặc định các bảng kèm theo)")
    for q in (mq, iq, dq):
        q.add_argument(
            "--source", default="dvcqg", help="bảng trạng thái: dvcqg, opencps, igate, .yaml"
        )
        q.add_argument("--ignore-unknown-columns", action="store_true", help="bỏ qua cột lạ")
        q.add_argument("--calendar", action="append", default=[], help="tệp lịch năm (.yaml)")
        q.add_argument("--procedures", help="thời hạn giải quyết: CSV procedure,limit[,unit]")
        q.add_argument("--office-hours", default="07:00-11:30,13:30-17:00", help="giờ làm việc")
    p = sub.add_parser("survey", help="khảo sát, SIPAS: bảng hỏi, XLSForm, tính chỉ số hài lòng")
    ssub = p.add_subparsers(dest="action", metavar="VIỆC")
    ssub.required = True
    q = ssub.add_parser("xlsform", help="xuất bảng hỏi (.yaml) ra XLSForm cho ODK/KoboToolbox")
    q.add_argument("file", help="bảng hỏi .yaml")
    q.add_argument("--output", "-o", required=True, help="tệp XLSForm .xlsx")
    q = ssub.add_parser("import-xlsform", help="đọc XLSForm (.xlsx) thành bảng hỏi .yaml")
    q.add_argument("file", help="XLSForm .xlsx")
    q.add_argument("--output", "-o", required=True, help="bảng hỏi .yaml")
    q = ssub.add_parser("compute", help="tính chỉ số hài lòng theo câu, khía cạnh, toàn bộ")
    q.add_argument("--questionnaire", required=True, help="bảng hỏi .yaml")
    q.add_argument("--responses", required=True, help="phiếu trả lời: CSV, hoặc Kobo/ODK CSV/XLSX")
    q.add_argument("--units", help="đơn vị: CSV unit,name,group[,population]")
    q.add_argument("--margin", type=float, default=5, help="sai số mong muốn, %% (mặc định 5)")
    q.add_argument("--decimals", type=int, default=2, help="số chữ số thập phân (mặc định 2)")
    q.add_argument("--format", choices=["csv", "json"], default="csv")
    q.add_argument("--output", "-o", help="ghi ra tệp thay vì màn hình")

    p = sub.add_parser("worker", help="chạy tác vụ nền (gửi thư, nhắc hạn theo lịch)")
    p.add_argument("--interval", type=float, default=60, help="phút giữa hai lượt nhắc hạn")
    p.add_argument(
        "--once", action="store_true", help="chạy một lượt nhắc hạn và hàng đợi rồi thoát"
    )

    p = sub.add_parser(
        "backup",
        help="sao lưu cơ sở dữ liệu và mọi tệp (minh chứng, mẫu báo cáo, tệp xuất) vào một tệp",
    )
    p.add_argument("--output", "-o", required=True, help="tệp sao lưu sẽ tạo (.tar.gz)")
    p = sub.add_parser(
        "restore", help="khôi phục một tệp sao lưu vào cơ sở dữ liệu và thư mục tệp trống"
    )
    p.add_argument("file", help="tệp sao lưu (.tar.gz) do `parindex backup` tạo")
    p.add_argument("--yes", action="store_true", help="xác nhận, không hỏi lại")

    p = sub.add_parser("manage", help="lệnh quản trị Django", add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv_given = argv is not None  # None: this is the whole process (the installed command)
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        from parindex.commands.django_cmds import manage

        return manage(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "compute":
        from parindex.commands.compute import run as run_compute

        return run_compute(args) if argv_given else _batch(run_compute, args)
    if args.command == "framework":
        from parindex.commands.framework import run as run_framework

        return run_framework(args)
    if args.command == "units":
        from parindex.commands.django_cmds import units

        return units(args)
    if args.command in ("lost-points", "whatif", "rank-bands"):
        from parindex.commands import improve

        runner = {"lost-points": improve.run_lost_points, "whatif": improve.run_whatif}
        return runner.get(args.command, improve.run_rank_bands)(args)
    if args.command == "dossiers" and args.action in ("import", "calendar-load"):
        from parindex.commands.django_cmds import dossiers_db

        return dossiers_db(args)
    if args.command == "dossiers":
        from parindex.commands.dossiers import run as run_dossiers

        return run_dossiers(args)
    if args.command == "survey":
        from parindex.commands.survey import run as run_survey

        return run_survey(args)
    if args.command == "demo":
        from parindex.commands.django_cmds import demo

        return demo(args)
    if args.command == "worker":
        from parindex.notifications.worker import main as run_worker

        return run_worker(args)
    if args.command in ("backup", "restore"):
        from parindex.commands import backup

        return (backup.run_backup if args.command == "backup" else backup.run_restore)(args)
    if args.command == "serve":
        from parindex.commands.django_cmds import serve

        return serve(args)
    return 2


def _batch(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> NoReturn:
    """Run a one-shot file command as the whole process, and end it as soon as it is done.

    Its objects (Polars' modules, the tables) live until the end and hold no cycles worth
    collecting, yet the cyclic collector scanned them dozens of times on the way (30–45 ms
    of a 0.45 s `parindex compute`), and the interpreter's teardown of every module at exit
    costs another 20 ms (RESULTS.md, issue 14). Once the output file is closed and the
    standard streams flushed, nothing is left to do: the process ends there with its
    status. An exception still ends it the usual way, with its traceback. Only the
    installed command does this: a caller of :func:`main` in its own process keeps its
    collector and its exit.
    """
    gc.disable()
    status = run(args)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    sys.exit(main())
