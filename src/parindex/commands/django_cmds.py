"""Subcommands that need Django: manage, units, framework import, demo, serve.

Django is set up inside each function, so that ``parindex compute`` never loads it:
the Django apps are imported there, after the set-up; the file formats need no Django.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from parindex.formats.errors import FormatError
from parindex.formats.text import read_text_file
from parindex.formats.units import read_units_csv

DEMO_PASSWORD_NOTE = "Mật khẩu chỉ dùng cho bản demo trên máy này."


def _data_dir() -> Path:
    """``PARINDEX_DATA_DIR``, default ``./var`` (the same rule as the settings)."""
    return Path(os.environ.get("PARINDEX_DATA_DIR") or (Path.cwd() / "var")).resolve()


def default_database() -> Path:
    """The one SQLite database that ``demo``, ``serve``, ``manage`` and every command
    share when ``DATABASE_URL`` is empty (``settings.DATABASES`` names the same file)."""
    return _data_dir() / "parindex.sqlite3"


def collect_static() -> None:
    """Copy, hash and compress the static files into ``$PARINDEX_DATA_DIR/static`` when
    they changed (issue 13 part 6; :mod:`parindex.web.staticfiles`)."""
    from parindex.web.staticfiles import collect_static as collect

    if collect():
        print("Đã chuẩn bị tệp tĩnh (tên có mã băm, bản nén gzip).")


def _setup() -> None:
    """Configure Django (settings from the environment) and make sure the data folder of
    the default SQLite database exists."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.config.settings")
    if not os.environ.get("DATABASE_URL"):
        _data_dir().mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def database_label() -> str:
    """The database in use, for messages: a SQLite file's path (relative to the current
    folder when inside it) or the server's database name."""
    from django.db import connection

    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite":
        path = Path(name)
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)
    host = connection.settings_dict.get("HOST") or "localhost"
    return f"{connection.vendor} “{name}” trên {host}"


def _not_ready() -> str | None:
    """Why the database cannot be used yet (tables missing or not migrated), or None."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"Không mở được cơ sở dữ liệu {database_label()}: {exc}"
    if pending:
        return (
            f"Cơ sở dữ liệu {database_label()} chưa được khởi tạo ({len(pending)} bước "
            "chưa chạy): chạy `parindex manage migrate` hoặc `./run demo` trước."
        )
    return None


def manage(argv: Sequence[str]) -> int:
    """``parindex manage <django command> …``"""
    if argv and argv[0] == "collectstatic":
        os.environ["PARINDEX_STATIC_MANIFEST"] = "true"  # write the hashed names' manifest
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parindex manage", *argv])
    return 0


def units(args: argparse.Namespace) -> int:
    """``parindex units load [--province P]`` and ``parindex units import FILE``."""
    _setup()
    from django.core.exceptions import ValidationError

    from parindex.units.services import units_import, units_load_divisions

    not_ready = _not_ready()
    if not_ready:
        print(not_ready, file=sys.stderr)
        return 1
    if args.action == "load":
        try:
            stats = units_load_divisions(actor=None, province=args.province)
        except ValidationError as exc:
            for message in exc.messages:
                print(message, file=sys.stderr)
            return 1
        print(
            f"Đã nạp {stats['provinces']} tỉnh, thành phố và {stats['communes']} xã, phường, "
            f"đặc khu (tạo mới {stats['created']}, cập nhật {stats['updated']}) — "
            f"vietnam-provinces {stats['package_version']}, dữ liệu {stats['data_version']}"
            f" — vào {database_label()}."
        )
        return 0
    if args.action == "import":
        try:
            rows, problems = read_units_csv(read_text_file(args.file), name=args.file)
            stats = units_import(rows=rows, problems=problems, source=args.file, actor=None)
        except FormatError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"Không nhập đơn vị nào ({len(exc.problems)} lỗi).", file=sys.stderr)
            return 1
        print(
            f"Đã nhập {stats['rows']} dòng: tạo mới {stats['created']} đơn vị, cập nhật "
            f"{stats['updated']}, tạo {stats['groups_created']} nhóm mới — vào {database_label()}."
        )
        return 0
    return 2


def dossiers_db(args: argparse.Namespace) -> int:
    """``parindex dossiers import FILE`` and ``parindex dossiers calendar-load [FILE…]``."""
    _setup()
    from parindex.dossiers.services import calendar_load, dossier_import_file
    from parindex.jobs.status import JobStatus

    not_ready = _not_ready()
    if not_ready:
        print(not_ready, file=sys.stderr)
        return 1
    if args.action == "calendar-load":
        try:
            n = calendar_load(paths=args.files or None, actor=None)
        except FormatError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 1
        print(f"Đã nạp {n} ngày nghỉ, ngày làm bù vào {database_label()}.")
        return 0
    job = dossier_import_file(path=args.file, source=args.source, actor=None)
    if args.report and job.error_report:
        Path(args.report).write_bytes(job.error_report.read())
    if job.status != JobStatus.DONE:
        if job.error_report:
            report = job.error_report.read().decode("utf-8-sig").splitlines()[1:]
            for line in report:
                print(line, file=sys.stderr)
        print(job.message, file=sys.stderr)
        return 1
    print(f"{job.message} — vào {database_label()}.")
    return 0


def framework_import(args: argparse.Namespace) -> int:
    """``parindex framework import FILE [--replace]``: one line per problem, 1 on failure."""
    _setup()
    from django.core.exceptions import ValidationError

    from parindex.frameworks.services import framework_import_file

    not_ready = _not_ready()
    if not_ready:
        print(not_ready, file=sys.stderr)
        return 1
    try:
        fw = framework_import_file(
            path=args.file, actor=None, replace=bool(getattr(args, "replace", False))
        )
    except FormatError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"Không nhập bộ tiêu chí nào ({len(exc.problems)} lỗi).", file=sys.stderr)
        return 1
    except ValidationError as exc:
        for message in exc.messages:
            print(f"{args.file}: {message}", file=sys.stderr)
        print("Không nhập bộ tiêu chí nào.", file=sys.stderr)
        return 1
    areas = fw.criteria.filter(parent=None).count()
    count = fw.criteria.count()
    leaves = fw.criteria.filter(children=None).count()
    status = "" if fw.is_complete else " — CHƯA ĐẦY ĐỦ: " + "; ".join(fw.issues[:5])
    verb = "thay thế" if fw.revision > 1 else "nhập"
    print(
        f"Đã {verb} bộ tiêu chí {fw.code} “{fw.name}”: {areas} lĩnh vực, {count} tiêu chí "
        f"({leaves} tiêu chí lá) vào {database_label()}{status}."
    )
    return 0


def demo(args: argparse.Namespace) -> int:
    """Prepare the demo province in the default database and serve it (the same database
    as every other command: ``$PARINDEX_DATA_DIR/parindex.sqlite3`` or ``DATABASE_URL``)."""
    _data_dir().mkdir(parents=True, exist_ok=True)
    db_path = default_database()
    if getattr(args, "reset", False):
        if not os.environ.get("DATABASE_URL"):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            print(f"Đã xoá cơ sở dữ liệu cũ ({db_path}).")
        else:
            print("DATABASE_URL đã được đặt: --reset không xoá cơ sở dữ liệu này.", file=sys.stderr)
    # The demo's shared password logs straight in: two-factor stays optional there, unless
    # the environment asks for it (docs/configuration.md, PARINDEX_REQUIRE_2FA).
    os.environ.setdefault("PARINDEX_REQUIRE_2FA", "false")
    os.environ["PARINDEX_STATIC_MANIFEST"] = "true"
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    collect_static()
    from parindex.web.demo import seed_demo

    result = seed_demo()
    print(f"Cơ sở dữ liệu: {database_label()}")
    print("Tỉnh mẫu: " + result["province"] + (" (vừa tạo)" if result["created"] else ""))
    print("Tài khoản demo (mật khẩu chung: " + result["password"] + "):")
    width = max(len(login["username"]) for login in result["logins"])
    for login in result["logins"]:
        unit = f" — {login['unit']}" if login["unit"] else ""
        print(f"  {login['username']:<{width}}  {login['role_label']}{unit}")
    print(DEMO_PASSWORD_NOTE)
    if getattr(args, "no_serve", False):
        return 0
    from parindex.notifications.worker import start_in_background

    # Background tasks (results recomputation, exports, e-mails to the console, reminders)
    # run in this process for the demo.
    start_in_background()
    return serve(args, launched_by_demo=True)


def serve(args: argparse.Namespace, *, launched_by_demo: bool = False) -> int:
    """Serve the web application: on Linux with gunicorn (``--workers`` processes of
    ``--threads`` threads each, one per CPU by default), elsewhere — and for the demo — with
    waitress in one process."""
    if not launched_by_demo and not (
        os.environ.get("PARINDEX_SECRET_KEY") or os.environ.get("SECRET_KEY")
    ):
        print(
            "Chưa đặt PARINDEX_SECRET_KEY: máy chủ không khởi động. Đặt một khoá bí mật dài, "
            "ngẫu nhiên (ví dụ: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "hoặc dùng `parindex demo` để chạy thử trên máy.",
            file=sys.stderr,
        )
        return 2
    if not launched_by_demo:
        os.environ["PARINDEX_STATIC_MANIFEST"] = "true"
    _setup()
    if not launched_by_demo:
        collect_static()
    from parindex.config.wsgi import application

    addr = getattr(args, "addr", "127.0.0.1:8000")
    threads = getattr(args, "threads", 8) or 8
    workers = 1 if launched_by_demo else (getattr(args, "workers", None) or server_workers())
    if use_gunicorn(launched_by_demo=launched_by_demo):
        print(
            f"Đang phục vụ tại http://{addr}/ bằng gunicorn: {workers} tiến trình × "
            f"{threads} luồng (Ctrl+C để dừng)"
        )
        _gunicorn(application, addr=addr, workers=workers, threads=threads).run()
        return 0
    import waitress

    print(f"Đang phục vụ tại http://{addr}/ (Ctrl+C để dừng)")
    waitress.serve(application, listen=addr, threads=threads)
    return 0


def server_workers() -> int:
    """Default number of server processes: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def use_gunicorn(*, launched_by_demo: bool = False) -> bool:
    """gunicorn (several processes) on Linux; waitress elsewhere and for the demo."""
    return sys.platform.startswith("linux") and not launched_by_demo


class _Server(Protocol):
    def run(self) -> None: ...


def _gunicorn(application: object, *, addr: str, workers: int, threads: int) -> _Server:
    """A gunicorn server for ``application`` (already loaded: Django is set up once in the
    master and the workers are forked from it), gthread workers."""
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": addr,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 10,
        # No runtime control socket in the home directory: stop with SIGTERM, as waitress.
        "control_socket_disable": True,
    }

    class ParindexServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> object:
            return application

    return ParindexServer()
