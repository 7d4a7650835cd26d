"""The framework's statistic leaf "Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn" gets its
points from the unit's on-time rate, through the external points service."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.urls import reverse

from parindex.dossiers.services import dossier_import_file
from parindex.dossiers.tests.samples import write_export
from parindex.engine.framework import Node, Rule
from parindex.testing import leaf_score, tiny_framework, workflow_world

pytestmark = pytest.mark.django_db
BANDS = [
    {"min": 0, "max": 90, "min_inclusive": True, "max_inclusive": False, "points": 0},
    {"min": 90, "max": 95, "min_inclusive": True, "max_inclusive": False, "points": 1.5},
    {"min": 95, "max": 100, "min_inclusive": True, "max_inclusive": True, "points": 4},
]


def _framework():
    fw = tiny_framework("ho-so-2025")
    leaf = Node(
        code="3.1",
        name="Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn",
        max_points=Decimal("4"),
        source="statistic",
        rule=Rule(type="bands", params={"bands": BANDS}),
    )
    area = Node(code="3", name="Giải quyết TTHC", max_points=Decimal("4"), children=(leaf,))
    return dataclasses.replace(fw, nodes=(*fw.nodes, area), total=fw.total + Decimal("4"))


def test_the_on_time_leaf_gets_points_from_the_dossiers(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = workflow_world(framework=_framework())
    dossier_import_file(path=write_export(tmp_path), actor=None)
    client.force_login(w.admin)
    r = client.post(reverse("dossiers:feed", args=[w.cycle.pk]))
    assert r.status_code == 302
    tuphap, yte = leaf_score(w.a, "3.1"), leaf_score(w.b, "3.1")
    assert tuphap.final_points == Decimal("1.5")  # 90 % on time
    assert yte.final_points == Decimal("4")  # 100 %
    assert "hồ sơ TTHC năm 2025" in tuphap.external_note
