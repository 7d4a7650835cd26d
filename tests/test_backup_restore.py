"""``parindex backup`` → ``parindex restore`` on both databases: every row of every table and
every stored file comes back identical, and the Word export works (its template is back).
Refusals: a corrupted archive, an archive of a newer schema, a non-empty target. On SQLite
in WAL mode, a backup taken while another process writes is one consistent snapshot."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from parindex.audit.models import AuditEvent
from parindex.commands.backup import MANIFEST, BackupError, backup, restore, verify
from parindex.evidence.services import document_upload
from parindex.evidence.tests.samples import sample_upload
from parindex.jobs.status import JobStatus
from parindex.reports.services import export_request, report_template_upload
from parindex.reports.tests.test_jobs_and_pages import _template_with
from parindex.results.services import results_recompute


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MARKER = "MẪU SAO LƯU CỦA TỈNH — năm {{ nam_danh_gia }}"


def _cli_env(data: Path, database_url: str = "") -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "PARINDEX_DATA_DIR": str(data),
        "PARINDEX_MEDIA_ROOT": str(data / "media"),
    }


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "parindex.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _build(world: Any) -> None:
    """Evidence files, a Word template, an export file, results and their audit rows."""
    document_upload(
        unit=world.tuphap,
        file=sample_upload("pdf", "Báo cáo quý 4.pdf"),
        title="",
        actor=world.staff,
    )
    document_upload(
        unit=world.tuphap, file=sample_upload("docx"), title="Kế hoạch", actor=world.staff
    )
    report_template_upload(
        file=SimpleUploadedFile("mau.docx", _template_with(MARKER)), actor=world.admin
    )
    results_recompute(cycle=world.cycle, actor=world.admin)
    with override_settings(TASKS=IMMEDIATE):
        job = export_request(cycle=world.cycle, kind="docx", actor=world.admin)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert AuditEvent.objects.count() >= 4


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _rows(cursor: Any, table: str, quote: str = '"') -> list[tuple[Any, ...]]:
    cursor.execute(f"SELECT * FROM {quote}{table}{quote}")
    return sorted(cursor.fetchall(), key=repr)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _restored_connection(url: str, data: Path) -> Any:
    if not url:
        # The converters Django registered (bool, datetime, …) apply on both sides.
        types = sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
        return sqlite3.connect(data / "parindex.sqlite3", detect_types=types)
    import psycopg

    # Django's adapters (JSON left as text, …) apply on both sides.
    connection.ensure_connection()
    return psycopg.connect(url, context=connection.connection)


def _round_trip(world: Any, tmp_path: Path, target_url: str) -> None:
    _build(world)
    archive = tmp_path / "sao-luu.tar.gz"
    manifest = backup(archive)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["schema"]["results"] == manifest["migrations"]["results"][-1]
    assert any(n.startswith("media/evidence/") for n in manifest["files"])
    assert any(n.startswith("media/report-templates/") for n in manifest["files"])
    assert any(n.startswith("media/exports/") for n in manifest["files"])

    data = tmp_path / "restored"
    env = _cli_env(data, target_url)
    refused = _cli(env, "restore", str(archive))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    done = _cli(env, "restore", str(archive), "--yes")
    assert done.returncode == 0, done.stderr
    assert "Đã khôi phục" in done.stderr

    # Every row of every table.
    restored = _restored_connection(target_url, data)
    try:
        with connection.cursor() as src:
            dst = restored.cursor()
            for table in _tables():
                assert _rows(dst, table) == _rows(src, table), table
    finally:
        restored.close()
    # Every file's bytes.
    assert _files(data / "media") == _files(Path(settings.MEDIA_ROOT))

    # The Word export works after the restore, with the uploaded template.
    script = (
        "import io, docx\n"
        "from parindex.accounts.models import User\n"
        "from parindex.cycles.models import Cycle\n"
        "from parindex.reports.services import export_build\n"
        f"cycle = Cycle.objects.get(pk={world.cycle.pk})\n"
        f"user = User.objects.get(pk={world.admin.pk})\n"
        "data = export_build(cycle, 'docx', user=user)\n"
        "print('\\n'.join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs))\n"
    )
    word = _cli(env, "manage", "shell", "-c", script)
    assert word.returncode == 0, word.stderr
    assert "MẪU SAO LƯU CỦA TỈNH — năm" in word.stdout

    # A second restore into the now non-empty target is refused.
    again = _cli(env, "restore", str(archive), "--yes")
    assert again.returncode == 1 and "đã có dữ liệu" in again.stderr


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_round_trip_gives_identical_rows_and_files(world, tmp_path):
    if connection.vendor == "sqlite":
        _round_trip(world, tmp_path, "")
        return
    s = connection.settings_dict
    name = f"{s['NAME']}_restored"
    with connection.cursor() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        host = s["HOST"] or "127.0.0.1"
        _round_trip(world, tmp_path, f"postgresql://{s['USER']}@{host}:{s['PORT'] or 5432}/{name}")
    finally:
        with connection.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rewrite(archive: Path, out: Path, change: Any) -> None:
    """Copy ``archive`` to ``out`` passing each member's bytes through ``change``."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for info in src:
            f = src.extractfile(info)
            assert f is not None
            data = change(info.name, f.read())
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_a_corrupted_archive_is_refused_before_anything_is_touched(world, tmp_path):
    _build(world)
    archive = tmp_path / "a.tar.gz"
    backup(archive)
    tampered = tmp_path / "b.tar.gz"

    def flip(name: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("media/evidence/") else data

    _rewrite(archive, tampered, flip)
    with pytest.raises(BackupError, match="sai mã kiểm tra sha256"):
        verify(tampered)
    truncated = tmp_path / "c.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError, match="bị hỏng"):
        verify(truncated)
    rows = AuditEvent.objects.count()
    with pytest.raises(BackupError):
        restore(tampered)
    assert AuditEvent.objects.count() == rows


@pytest.mark.django_db(transaction=True)
def test_an_archive_of_a_newer_schema_is_refused(world, tmp_path):
    archive = tmp_path / "a.tar.gz"
    backup(archive)
    newer = tmp_path / "newer.tar.gz"

    def future(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["migrations"]["results"].append("0999_from_a_newer_version")
        return json.dumps(manifest).encode()

    _rewrite(archive, newer, future)
    verify(newer)  # the archive itself is sound
    with pytest.raises(BackupError, match="phiên bản parindex mới hơn") as refused:
        restore(newer)
    assert "results.0999_from_a_newer_version" in str(refused.value)


@pytest.mark.slow
def test_a_sqlite_backup_under_concurrent_writes_is_one_consistent_snapshot(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's WAL snapshot (the PostgreSQL pass has pg_dump's own)")
    data = tmp_path / "live"
    env = _cli_env(data)
    assert _cli(env, "manage", "migrate", "--verbosity", "0").returncode == 0
    db = data / "parindex.sqlite3"
    setup = sqlite3.connect(db)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE stress (batch INTEGER, n INTEGER)")
    setup.commit()
    setup.close()
    stop = threading.Event()
    batches = [0]

    def write() -> None:
        w = sqlite3.connect(db, timeout=20, isolation_level=None)
        while not stop.is_set():
            w.execute("BEGIN IMMEDIATE")
            w.executemany("INSERT INTO stress VALUES (?, ?)", [(batches[0], n) for n in range(50)])
            w.execute("COMMIT")
            batches[0] += 1
        w.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while batches[0] < 20:
            stop.wait(0.01)
        done = _cli(env, "backup", "--output", str(tmp_path / "live.tar.gz"))
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    with tarfile.open(tmp_path / "live.tar.gz") as tar:
        f = tar.extractfile("database/parindex.sqlite3")
        assert f is not None
        (tmp_path / "copy.sqlite3").write_bytes(f.read())
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    sizes = copy.execute("SELECT batch, COUNT(*) FROM stress GROUP BY batch").fetchall()
    copy.close()
    assert len(sizes) >= 20  # everything committed before the backup started is there
    assert {count for _batch, count in sizes} == {50}  # and no transaction is half in
