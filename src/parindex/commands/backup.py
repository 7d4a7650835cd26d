"""``parindex backup --output FILE`` and ``parindex restore FILE --yes``.

One ``.tar.gz`` archive holds a consistent snapshot of the database — SQLite through its
online backup API (one step: a read snapshot, consistent under WAL while others write),
PostgreSQL through ``pg_dump --format=custom`` of the server's major version — every file
under ``MEDIA_ROOT`` (evidence, Word templates, exports), and ``manifest.json`` (last
member): the sha256 and size of every other member, the parindex version, the applied
migrations per app (the schema version), the database vendor and the creation time.

Restore verifies every checksum before touching anything, refuses an archive whose schema
has a migration this code does not know, refuses a database or media folder that is not
empty, restores the database (SQLite: the file; PostgreSQL: ``pg_restore`` into the empty
configured database) and the files, then runs ``migrate`` to bring an older schema up.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "parindex-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/parindex.sqlite3"
PG_MEMBER = "database/parindex.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or failure, with the Vietnamese message printed to the operator."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sha256(fileobj: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := fileobj.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# --------------------------------------------------------------------------- schema


def applied_migrations() -> dict[str, list[str]]:
    """The applied migrations of the configured database, per app, in name order."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def unknown_migrations(archived: dict[str, list[str]]) -> list[str]:
    """Migrations of the archive that this code does not have (a newer schema)."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in archived.items()
        for name in names
        if (app, name) not in known
    ]


# --------------------------------------------------------------------------- PostgreSQL


def _pg_major() -> int:
    from django.db import connection

    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` of the server's major version (or newer): from
    ``PARINDEX_PG_BIN``, Debian's ``/usr/lib/postgresql/<major>/bin``, then ``PATH``."""
    major = _pg_major()
    candidates = []
    if os.environ.get("PARINDEX_PG_BIN"):
        candidates.append(Path(os.environ["PARINDEX_PG_BIN"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    found = []
    for exe in candidates:
        if not exe.is_file():
            continue
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout
        match = re.search(r"(\d+)(?:\.\d+)?", out)
        if match:
            found.append(f"{exe} ({match.group(1)})")
            if int(match.group(1)) >= major:
                return str(exe)
    raise BackupError(
        f"Không tìm thấy {name} của PostgreSQL {major} trở lên (máy chủ cơ sở dữ liệu là "
        f"bản {major}; tìm thấy: {', '.join(found) or 'không có'}). Cài gói "
        f"postgresql-client-{major} hoặc đặt PARINDEX_PG_BIN là thư mục chứa {name}."
    )


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    from django.db import connection

    s = connection.settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if s.get(key):
            args += [flag, str(s[key])]
    return env, [*args, "--dbname", str(s["NAME"])]


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} thất bại: {done.stderr.strip()[-2000:]}")


# --------------------------------------------------------------------------- backup


def _dump_database(folder: Path) -> tuple[str, Path]:
    """Snapshot the configured database into ``folder``: (member name, file)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        target = folder / "db.sqlite3"
        connection.ensure_connection()
        source = connection.connection
        dest = sqlite3.connect(target)
        try:
            # One step (pages=-1): the copy is one read snapshot of the database, so it is
            # consistent under WAL even while other processes keep writing.
            source.backup(dest, pages=-1)
        finally:
            dest.close()
        return SQLITE_MEMBER, target
    if connection.vendor == "postgresql":
        target = folder / "db.pgdump"
        env, args = _pg_env_args()
        _run(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-acl",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
        return PG_MEMBER, target
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {connection.vendor}.")


def _media_files(root: Path, skip: set[Path]) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.resolve() not in skip:
            yield MEDIA_PREFIX + path.relative_to(root).as_posix(), path


def _add(tar: tarfile.TarFile, name: str, fileobj: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(datetime.now(UTC).timestamp()), 0o600
    tar.addfile(info, fileobj)


def backup(output: Path) -> dict[str, Any]:
    """Write the archive to ``output`` atomically (temporary file, then rename)."""
    from django.conf import settings
    from django.db import connection

    import parindex

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "parindex_version": parindex.__version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"vendor": connection.vendor},
        "schema": {},
        "migrations": applied_migrations(),
        "files": {},
    }
    manifest["schema"] = {app: names[-1] for app, names in manifest["migrations"].items()}
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, tempfile.TemporaryDirectory() as work:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _say(f"Đang sao lưu cơ sở dữ liệu ({connection.vendor})…")
                member, dump = _dump_database(Path(work))
                manifest["database"]["member"] = member
                _add_file(tar, manifest, member, dump)
                dump.unlink()
                skip = {output, tmp.resolve()}  # an archive written inside MEDIA_ROOT
                media = list(_media_files(Path(settings.MEDIA_ROOT), skip))
                _say(f"Đang sao lưu {len(media)} tệp trong {settings.MEDIA_ROOT}…")
                for i, (name, path) in enumerate(media, 1):
                    _add_file(tar, manifest, name, path)
                    if i % 200 == 0 or i == len(media):
                        _say(f"  {i}/{len(media)} tệp")
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                _add(tar, MANIFEST, io.BytesIO(data), len(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest


def _add_file(tar: tarfile.TarFile, manifest: dict[str, Any], name: str, path: Path) -> None:
    """Add ``path`` as ``name``, hashing exactly the bytes written to the archive (a file
    changed while being read would otherwise get a checksum of other bytes)."""
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        hashing = _HashingReader(f)
        _add(tar, name, hashing, size)  # type: ignore[arg-type]
    manifest["files"][name] = {"sha256": hashing.digest.hexdigest(), "size": size}


class _HashingReader:
    def __init__(self, f: IO[bytes]) -> None:
        self.f, self.digest = f, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        chunk = self.f.read(n)
        self.digest.update(chunk)
        return chunk


# --------------------------------------------------------------------------- restore


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return bool(name) and not p.is_absolute() and ".." not in p.parts and "\\" not in name


def verify(archive: Path) -> dict[str, Any]:
    """Read the whole archive once: every member's sha256 and size against the manifest,
    no member missing, none extra, no unsafe name. Returns the manifest."""
    seen: dict[str, tuple[str, int]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                if not info.isfile() or not _safe_name(info.name):
                    raise BackupError(f"Tệp sao lưu có mục không hợp lệ: “{info.name}”.")
                f = tar.extractfile(info)
                assert f is not None
                if info.name == MANIFEST:
                    manifest = json.loads(f.read().decode("utf-8"))
                else:
                    seen[info.name] = _sha256(f)
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"Tệp sao lưu {archive} bị hỏng hoặc không đọc được: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} không phải tệp sao lưu của parindex (thiếu {MANIFEST}).")
    files: dict[str, dict[str, Any]] = manifest.get("files") or {}
    bad = sorted(
        name
        for name in set(files) | set(seen)
        if name not in seen
        or name not in files
        or seen[name] != (files[name].get("sha256"), files[name].get("size"))
    )
    if bad:
        shown = ", ".join(bad[:5]) + (f" và {len(bad) - 5} mục khác" if len(bad) > 5 else "")
        raise BackupError(
            f"Tệp sao lưu bị hỏng: {len(bad)} mục sai mã kiểm tra sha256 hoặc bị thiếu/thừa "
            f"({shown}). Không khôi phục gì."
        )
    return manifest


def _database_is_empty() -> bool:
    from django.db import connection

    return not connection.introspection.table_names()


def _media_is_empty(root: Path) -> bool:
    return not root.exists() or not any(p.is_file() for p in root.rglob("*"))


@contextmanager
def _member(archive: Path, name: str) -> Iterator[IO[bytes]]:
    with tarfile.open(archive, mode="r:gz") as tar:
        f = tar.extractfile(name)
        assert f is not None
        yield f


def restore(archive: Path) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    _say(f"Đang kiểm tra {archive}…")
    manifest = verify(archive)
    unknown = unknown_migrations(manifest.get("migrations") or {})
    if unknown:
        raise BackupError(
            "Bản sao lưu được tạo từ phiên bản parindex mới hơn: cơ sở dữ liệu trong đó có "
            f"{len(unknown)} bước chuyển đổi mà phiên bản này không biết "
            f"({', '.join(unknown[:5])}). "
            "Hãy cập nhật parindex (phiên bản "
            f"{manifest.get('parindex_version', '?')} trở lên) rồi khôi phục lại."
        )
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"Bản sao lưu là cơ sở dữ liệu {vendor}, nhưng cơ sở dữ liệu đang cấu hình là "
            f"{connection.vendor} (DATABASE_URL). Không khôi phục gì."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if not _database_is_empty():
        raise BackupError(
            "Cơ sở dữ liệu đích đã có dữ liệu: chỉ khôi phục vào cơ sở dữ liệu trống "
            "(tạo cơ sở dữ liệu mới hoặc chọn thư mục dữ liệu mới). Không khôi phục gì."
        )
    if not _media_is_empty(media_root):
        raise BackupError(
            f"Thư mục tệp {media_root} không trống: chỉ khôi phục vào thư mục trống. "
            "Không khôi phục gì."
        )
    db_member = manifest["database"]["member"]
    _say(f"Đang khôi phục cơ sở dữ liệu ({vendor})…")
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "db"
        with _member(archive, db_member) as src, dump.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        if vendor == "sqlite":
            _restore_sqlite(dump)
        else:
            env, args = _pg_env_args()
            cmd = [pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error"]
            cmd.append("--single-transaction")
            _run([*cmd, *args, str(dump)], env)
    names = [n for n in manifest["files"] if n.startswith(MEDIA_PREFIX)]
    _say(f"Đang khôi phục {len(names)} tệp vào {media_root}…")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, mode="r:gz") as tar:
        for info in tar:
            if not info.name.startswith(MEDIA_PREFIX):
                continue
            target = media_root / info.name[len(MEDIA_PREFIX) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            member = tar.extractfile(info)
            assert member is not None
            with target.open("wb") as dst:
                shutil.copyfileobj(member, dst, CHUNK)
    _say("Đang cập nhật cấu trúc cơ sở dữ liệu (migrate)…")
    call_command("migrate", interactive=False, verbosity=0)
    return manifest


def _restore_sqlite(dump: Path) -> None:
    """Copy the snapshot into the configured (empty) SQLite database through the backup
    API, so that the open connection and the WAL files stay coherent."""
    from django.db import connection

    connection.ensure_connection()
    src = sqlite3.connect(dump)
    try:
        src.backup(connection.connection, pages=-1)
    finally:
        src.close()
    connection.close()


# --------------------------------------------------------------------------- commands


def run_backup(args: argparse.Namespace) -> int:
    from parindex.commands.django_cmds import _not_ready, _setup, database_label

    _setup()
    not_ready = _not_ready()
    if not_ready:
        _say(not_ready)
        return 1
    try:
        manifest = backup(Path(args.output))
    except BackupError as exc:
        _say(str(exc))
        return 1
    _say(f"Đã sao lưu {database_label()} và {len(manifest['files']) - 1} tệp vào {args.output}.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from parindex.commands.django_cmds import _setup, database_label

    _setup()
    if not args.yes:
        if not sys.stdin.isatty():
            _say("Khôi phục ghi vào cơ sở dữ liệu đang cấu hình: thêm --yes để xác nhận.")
            return 2
        answer = input(f"Khôi phục {args.file} vào {database_label()}? Gõ “có” để tiếp tục: ")
        if answer.strip().lower() not in {"có", "co", "yes", "y"}:
            _say("Đã huỷ, không khôi phục gì.")
            return 2
    try:
        manifest = restore(Path(args.file))
    except BackupError as exc:
        _say(str(exc))
        return 1
    _say(
        f"Đã khôi phục bản sao lưu lúc {manifest['created_at']} (parindex "
        f"{manifest['parindex_version']}) vào {database_label()}."
    )
    return 0
