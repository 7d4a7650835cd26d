"""``parindex dossiers import FILE`` into the configured database, as a user runs it: a real
subprocess in a fresh ``PARINDEX_DATA_DIR`` (SQLite), the same file twice, then a bad one."""

from __future__ import annotations

import pytest
from tests.test_cli_database import parindex

from parindex.dossiers.tests.samples import export_text

pytestmark = pytest.mark.slow


def test_import_twice_then_a_bad_file(tmp_path):
    assert parindex(tmp_path, "manage", "migrate", "-v", "0").returncode == 0
    export = tmp_path / "mot-cua.csv"
    export.write_text(export_text(), encoding="utf-8")
    first = parindex(tmp_path, "dossiers", "import", str(export))
    assert first.returncode == 0, first.stderr
    assert "14 hồ sơ mới" in first.stdout
    again = parindex(tmp_path, "dossiers", "import", str(export))
    assert "0 hồ sơ mới, 0 cập nhật, 14 không đổi" in again.stdout
    bad = tmp_path / "loi.csv"
    bad.write_text(export_text() + "X-1;1;x;Sở Tư pháp;A;1;10;31/02/2025;;;\n", encoding="utf-8")
    refused = parindex(tmp_path, "dossiers", "import", str(bad))
    assert refused.returncode == 1
    assert "lỗi,16," in refused.stderr and "không nhập hồ sơ nào" in refused.stderr
