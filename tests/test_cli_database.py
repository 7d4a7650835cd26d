"""The command line and the demo share one database (issue 8, part 10), as a user runs
them: real subprocesses in a fresh ``PARINDEX_DATA_DIR``, no ``DATABASE_URL``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parindex.formats.framework_yaml import dumps
from parindex.formats.frameworks import shipped_frameworks
from parindex.testing import mixed_depth_framework

SRC = Path(__file__).resolve().parents[1] / "src"

pytestmark = pytest.mark.slow


def parindex(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "PARINDEX_MEDIA_ROOT", "DJANGO_SETTINGS_MODULE")
    }
    env.update(PARINDEX_DATA_DIR=str(data), PYTHONPATH=str(SRC), PARINDEX_SECRET_KEY="t")
    return subprocess.run(
        [sys.executable, "-m", "parindex.cli", *args],
        cwd=data,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )


def test_framework_import_after_the_demo_uses_the_demo_database(tmp_path: Path) -> None:
    sample = str(shipped_frameworks()["sample-departments-2025"])
    fresh = parindex(tmp_path, "framework", "import", sample)
    # Before any set-up: a clear message, not a traceback.
    assert fresh.returncode == 1 and "Traceback" not in fresh.stderr
    assert "chưa được khởi tạo" in fresh.stderr and "parindex manage migrate" in fresh.stderr

    demo = parindex(tmp_path, "demo", "--no-serve")
    assert demo.returncode == 0, demo.stderr
    assert "Cơ sở dữ liệu: parindex.sqlite3" in demo.stdout
    assert [p.name for p in tmp_path.glob("*.sqlite3")] == ["parindex.sqlite3"]

    again = parindex(tmp_path, "framework", "import", sample)
    # The demo already holds this framework: the command saw the demo's database.
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert "--replace" in again.stderr

    mixed = tmp_path / "nhieu-cap.yaml"
    mixed.write_text(dumps(mixed_depth_framework("nhieu-cap")), encoding="utf-8")
    done = parindex(tmp_path, "framework", "import", str(mixed))
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Đã nhập bộ tiêu chí nhieu-cap “Bộ tiêu chí nhiều cấp”: 4 lĩnh vực, 15 tiêu chí "
        "(7 tiêu chí lá) vào parindex.sqlite3.\n"
    )
    replaced = parindex(tmp_path, "framework", "import", str(mixed), "--replace")
    assert replaced.stdout.startswith("Đã thay thế bộ tiêu chí nhieu-cap"), replaced.stderr

    listed = parindex(tmp_path, "manage", "shell", "-c", _COUNT_UNITS)
    assert listed.returncode == 0, listed.stderr
    assert int(listed.stdout.split()[-1]) > 60  # the demo's province seen by `manage`


_COUNT_UNITS = "from parindex.units.models import Unit; print(Unit.objects.count())"
