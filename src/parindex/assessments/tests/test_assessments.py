from __future__ import annotations

import pytest
from django.http import Http404

from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.selectors import assessment_get, assessments_for
from parindex.assessments.services import assessments_open, assignment_set
from parindex.audit.models import AuditEvent
from parindex.cycles.services import cycle_create
from parindex.frameworks.services import framework_import
from parindex.testing import make_group, make_unit, make_user, tiny_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    fw = framework_import(framework=tiny_framework(), actor=None)
    group = make_group()
    units = [make_unit("so-tu-phap", group=group), make_unit("so-y-te", group=group)]
    return cycle_create(year=2025, name="Kỳ 2025", frameworks={group: fw}, units=units, actor=None)


def test_open_creates_one_assessment_per_unit_with_a_row_per_leaf(cycle):
    stats = assessments_open(cycle=cycle, actor=None)
    assert stats == {"opened": 2, "existing": 0, "scores": 2 * 4}
    assert Assessment.objects.filter(cycle=cycle).count() == 2
    codes = set(LeafScore.objects.values_list("criterion__code", flat=True))
    assert codes == {"1.1", "1.2.1", "1.2.2", "2.1"}
    assert AuditEvent.objects.filter(action="assessments.open").count() == 1


def test_open_twice_does_not_duplicate(cycle):
    assessments_open(cycle=cycle, actor=None)
    stats = assessments_open(cycle=cycle, actor=None)
    assert stats["opened"] == 0 and stats["existing"] == 2
    assert LeafScore.objects.count() == 8


def test_unit_staff_see_their_own_assessment_and_outsiders_get_404(cycle):
    assessments_open(cycle=cycle, actor=None)
    tuphap = Assessment.objects.get(unit__code="so-tu-phap")
    yte = Assessment.objects.get(unit__code="so-y-te")
    staff = make_user("canbo.tuphap", "unit_staff", unit=tuphap.unit)
    assert list(assessments_for(staff)) == [tuphap]
    assert assessment_get(staff, tuphap.pk) == tuphap
    with pytest.raises(Http404):
        assessment_get(staff, yte.pk)
    appraiser = make_user("thamdinh", "appraiser")
    assert assessments_for(appraiser).count() == 0  # nothing assigned yet
    assignment_set(cycle=cycle, appraiser=appraiser, units=[], criteria_codes=[], actor=None)
    assert assessments_for(appraiser).count() == 2
