"""The `parindex` command. Subcommands import what they need lazily, so that
`parindex compute` (engine only, no database) starts fast and never loads Django."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


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

    p = sub.add_parser("manage", help="lệnh quản trị Django", add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        from parindex.commands.django_cmds import manage

        return manage(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "compute":
        from parindex.commands.compute import run as run_compute

        return run_compute(args)
    if args.command == "framework":
        from parindex.commands.framework import run as run_framework

        return run_framework(args)
    if args.command == "units":
        from parindex.commands.django_cmds import units

        return units(args)
    if args.command == "survey":
        from parindex.commands.survey import run as run_survey

        return run_survey(args)
    if args.command == "demo":
        from parindex.commands.django_cmds import demo

        return demo(args)
    if args.command == "worker":
        from parindex.notifications.worker import main as run_worker

        return run_worker(args)
    if args.command == "serve":
        from parindex.commands.django_cmds import serve

        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
