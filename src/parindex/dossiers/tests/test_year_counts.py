"""The whole-year counts by unit kept by the import (``DossierYearCount``) give exactly the
numbers of the GROUP BY over the dossiers, on a random export and after a re-import that
changes, adds and re-classes dossiers; and for a unit's user as for Sở Nội vụ."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from parindex.dossiers import selectors
from parindex.dossiers.models import DossierYearCount
from parindex.dossiers.services import dossier_import_file
from parindex.dossiers.tests.samples import write_export
from parindex.engine.dossier_codes import Period

pytestmark = pytest.mark.django_db(transaction=False)

UNITS = ("Sở Tư pháp", "Sở Y tế", "Ban Không Có")  # the last one is unknown: no unit


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _rows(rng: np.random.Generator, n: int, prefix: str = "R") -> list[str]:
    """``n`` random dossiers from late 2024 to 2026: open and closed, early to late."""
    start = dt.datetime(2024, 10, 1, 8)
    out = []
    for i in range(n):
        received = start + dt.timedelta(
            days=int(rng.integers(0, 800)), hours=int(rng.integers(0, 9))
        )
        due = received + dt.timedelta(days=int(rng.integers(1, 20)))
        status = int(rng.choice([2, 4, 9, 10]))
        end = ""
        if status in (9, 10):
            end = (received + dt.timedelta(days=int(rng.integers(0, 30)), hours=2)).strftime(
                "%d/%m/%Y %H:%M"
            )
        out.append(
            f"{prefix}-{i:04d};1.1;Hộ tịch;{rng.choice(UNITS)};CB {i % 7};{rng.integers(1, 4)};"
            f"{status};{received:%d/%m/%Y %H:%M};{due:%d/%m/%Y %H:%M};{end};"
        )
    return out


def _closed(row: str) -> str:
    """The row's dossier finished three days after it was received (if it was open)."""
    cells = row.split(";")
    if cells[6] in ("2", "4"):
        received = dt.datetime.strptime(cells[7], "%d/%m/%Y %H:%M")
        cells[6], cells[9] = "9", f"{received + dt.timedelta(days=3):%d/%m/%Y %H:%M}"
    return ";".join(cells)


def _both(user, monkeypatch, **kwargs):
    """The metrics by unit through the kept counts, then through the rows."""
    out = []
    for summary in (True, False):
        if not summary:
            monkeypatch.setattr(selectors, "summary_scope", lambda *a: (False, None))
        out.append(
            {
                year: selectors.metrics_rows(user, Period.year(year), "unit", **kwargs)
                for year in (2024, 2025, 2026)
            }
        )
        monkeypatch.undo()
    return out


def test_the_kept_counts_equal_the_rows_after_import_and_re_import(world, tmp_path, monkeypatch):
    rng = np.random.default_rng(11)
    rows = _rows(rng, 400)
    assert dossier_import_file(path=write_export(tmp_path, rows), actor=None).status == "done"
    assert DossierYearCount.objects.exists()
    kept, raw = _both(None, monkeypatch)
    assert kept == raw and sum(r["received"] for r in raw[2025]) > 100

    # a re-import: some dossiers close or change unit, others are new
    changed = [_closed(r) if i % 5 == 0 else r for i, r in enumerate(rows)]
    changed = [
        r.replace("Sở Tư pháp", "Sở Y tế") if i % 7 == 0 else r for i, r in enumerate(changed)
    ]
    changed += _rows(rng, 50, prefix="N")
    job = dossier_import_file(path=write_export(tmp_path, changed), actor=None)
    assert job.status == "done", job.message
    assert job.created == 50 and job.changed > 0
    kept, raw = _both(None, monkeypatch)
    assert kept == raw
    kept, raw = _both(world.staff, monkeypatch)  # a unit's user: their unit only
    assert kept == raw and [r["key"] for r in raw[2025]] == [world.tuphap.pk]
    kept, raw = _both(world.admin, monkeypatch, units=[world.yte.pk])
    assert kept == raw and [r["key"] for r in raw[2025]] == [world.yte.pk]


def test_an_unchanged_re_import_leaves_the_counts(world, tmp_path, monkeypatch):
    path = write_export(tmp_path, _rows(np.random.default_rng(5), 60))
    dossier_import_file(path=path, actor=None)
    before = list(DossierYearCount.objects.order_by("pk").values_list("pk", "n"))
    assert dossier_import_file(path=path, actor=None).unchanged == 60
    assert list(DossierYearCount.objects.order_by("pk").values_list("pk", "n")) == before


def test_a_filter_reads_the_rows(world):
    assert selectors.summary_scope(None, "unit", {"channel": 2}, None) == (False, None)
    assert selectors.summary_scope(None, "official", None, None) == (False, None)
    assert selectors.summary_scope(world.staff, "unit", None, [world.yte.pk]) == (True, [])
    assert selectors.summary_scope(world.council, "unit", {"unit": ""}, None) == (True, None)
