"""A computed two-year cycle with Vietnamese unit names, and the real-tool helpers
(LibreOffice headless, pdftotext)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from parindex.assessments.models import LeafScore
from parindex.cycles.models import Cycle
from parindex.frameworks.services import framework_import
from parindex.results.services import results_recompute
from parindex.results.tests.conftest import approve_all, open_cycle, set_points
from parindex.testing import make_group, make_unit, make_user, tiny_framework

UNITS = {
    "so": [("so-tu-phap", "Sở Tư pháp"), ("so-y-te", "Sở Y tế")],
    "xa": [
        ("phuong-tan-thanh", "Phường Tân Thành"),
        ("xa-khanh-hung", "Xã Khánh Hưng"),
        ("xa-cam-hai", "Xã Cam Hải Đông"),
    ],
}
POINTS_2024 = {
    "so-tu-phap": {"1.1": 0.5, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 3},
    "so-y-te": {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 3.5},
    "phuong-tan-thanh": {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1, "2.1": 3},
    "xa-khanh-hung": {"1.1": 2, "1.2.1": 0, "1.2.2": 1.5, "2.1": 2},
    "xa-cam-hai": {"1.1": 0.5, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 4},
}
POINTS_2025 = {
    "so-tu-phap": {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 4},
    "so-y-te": {"1.1": 2, "1.2.1": 2.5, "1.2.2": 0.75, "2.1": 3},
    "phuong-tan-thanh": {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 3.5},
    "xa-khanh-hung": {"1.1": 0.5, "1.2.1": 2.5, "1.2.2": 1.25, "2.1": 2},
    "xa-cam-hai": {"1.1": 2, "1.2.1": 0, "1.2.2": 1.5, "2.1": 3},
}


def _computed(year: int, fw, groups, points) -> Cycle:  # type: ignore[no-untyped-def]
    cycle = open_cycle(year, fw, groups)
    for units in groups.values():
        for u in units:
            set_points(cycle, u, points[u.code])
    LeafScore.objects.filter(
        assessment__cycle=cycle, assessment__unit__code="so-y-te", criterion__code="1.2.2"
    ).update(round1_reason="Báo cáo quý IV gửi trễ hạn 5 ngày", round2_reason="Giữ nguyên")
    approve_all(cycle)
    results_recompute(cycle=cycle, actor=None)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def computed(db) -> Cycle:
    """Cycle 2025 (approved, final results) compared with 2024: two groups, five units."""
    fw = framework_import(framework=tiny_framework(), actor=None)
    so = make_group("so-ban-nganh", "Sở, ban, ngành", "department")
    xa = make_group("xa-phuong", "Xã, phường", "commune")
    make_unit("khanh-hoa", name="Tỉnh Khánh Hòa", kind="province", group=so)
    groups = {
        so: [make_unit(c, name=n, group=so) for c, n in UNITS["so"]],
        xa: [make_unit(c, name=n, group=xa, kind="commune") for c, n in UNITS["xa"]],
    }
    _computed(2024, fw, groups, POINTS_2024)
    return _computed(2025, fw, groups, POINTS_2025)


@pytest.fixture
def admin(db):
    return make_user("quantri", "admin")


@pytest.fixture
def leader(db):
    return make_user("lanhdao", "leader")


@pytest.fixture
def council(db):
    return make_user("hoidong", "council")


@pytest.fixture
def appraiser(db):
    return make_user("thamdinh", "appraiser")


@pytest.fixture
def outsider(db):
    unit = make_unit("xa-ngoai", name="Xã Ngoài")
    return make_user("canbo", "unit_staff", unit=unit)


# --------------------------------------------------------------------------- real tools

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(tool: str) -> str:
    """The tool's path; skip (with the reason) when it is absent outside CI, fail in CI."""
    found = shutil.which(tool)
    if found:
        return found
    if IN_CI:
        pytest.fail(f"{tool} is required in CI (CI=true) but is not installed")
    pytest.skip(f"{tool} is not installed (apt-get install libreoffice-core poppler-utils)")
    raise AssertionError  # unreachable


def soffice_to_pdf(path: Path, tmp: Path, to: str = "pdf") -> Path:
    """Convert with LibreOffice headless (to ``to``: pdf, csv …); fail the test if the
    conversion fails."""
    soffice = need("soffice")
    home = tmp / "lo-home"
    home.mkdir(exist_ok=True)
    out = tmp / "lo-out"
    out.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "LANG": "C.UTF-8"}
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={home.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    pdf = out / (path.stem + "." + to.split(":")[0])
    assert proc.returncode == 0 and pdf.exists() and pdf.stat().st_size > 0, (
        f"LibreOffice could not convert {path.name}: rc={proc.returncode}\n"
        f"{proc.stdout}\n{proc.stderr}"
    )
    return pdf


def pdf_text(pdf: Path, layout: bool = False) -> str:
    tool = need("pdftotext")
    args = [tool, "-enc", "UTF-8", *(["-layout"] if layout else []), str(pdf), "-"]
    proc = subprocess.run(args, capture_output=True, timeout=60, check=True)
    return proc.stdout.decode("utf-8")
