from __future__ import annotations

import pytest

from parindex.assessments.models import Assessment
from parindex.assessments.services import assessments_open
from parindex.cycles.services import cycle_create
from parindex.frameworks.services import framework_import
from parindex.testing import make_group, make_unit, make_user, tiny_framework


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db):
    """Two units in a 2025 cycle, their assessments open, and personas."""
    fw = framework_import(framework=tiny_framework(), actor=None)
    group = make_group()
    tuphap = make_unit("so-tu-phap", "Sở Tư pháp", group=group)
    yte = make_unit("so-y-te", "Sở Y tế", group=group)
    cycle = cycle_create(
        year=2025, name="Kỳ 2025", frameworks={group: fw}, units=[tuphap, yte], actor=None
    )
    assessments_open(cycle=cycle, actor=None)

    class W:
        pass

    w = W()
    w.fw, w.group, w.cycle, w.tuphap, w.yte = fw, group, cycle, tuphap, yte
    w.assessment = Assessment.objects.get(cycle=cycle, unit=tuphap)
    w.other_assessment = Assessment.objects.get(cycle=cycle, unit=yte)
    w.staff = make_user("canbo.tuphap", "unit_staff", unit=tuphap, email="canbo@tuphap.vn")
    w.head = make_user("thutruong.tuphap", "unit_head", unit=tuphap)
    w.outsider = make_user("canbo.yte", "unit_staff", unit=yte)
    w.admin = make_user("quantri", "admin")
    w.score = w.assessment.scores.get(criterion__code="1.1")
    return w
