from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from parindex.audit.models import AuditEvent
from parindex.cycles.models import Cycle, CycleStatus
from parindex.cycles.selectors import cycle_get, cycles_for
from parindex.cycles.services import cycle_create, cycle_transition
from parindex.frameworks.services import framework_import
from parindex.testing import make_group, make_unit, make_user, tiny_framework
from parindex.workflow import ConcurrentChange, InvalidTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    fw = framework_import(framework=tiny_framework(), actor=None)
    group = make_group()
    units = [make_unit("so-tu-phap", group=group), make_unit("so-y-te", group=group)]
    admin = make_user("snv", "admin")
    cycle = cycle_create(
        year=2025,
        name="Chỉ số CCHC năm 2025",
        frameworks={group: fw},
        units=units,
        actor=admin,
        deadlines={"self_assessment": datetime(2026, 1, 15, 10, tzinfo=UTC)},
    )
    return {"fw": fw, "group": group, "units": units, "admin": admin, "cycle": cycle}


def test_cycle_create_records_frameworks_participants_and_deadlines(setup):
    cycle = setup["cycle"]
    assert cycle.status == CycleStatus.DRAFT
    assert cycle.participants.count() == 2
    assert cycle.framework_links.get().framework == setup["fw"]
    assert cycle.self_assessment_deadline.year == 2026
    event = AuditEvent.objects.get(action="cycle.create")
    assert event.actor == setup["admin"] and event.after["units"] == 2


def test_a_unit_whose_group_has_no_framework_is_refused(setup):
    other = make_unit("xa-a", group=make_group("xa", "UBND xã", "commune"), kind="commune")
    with pytest.raises(ValidationError, match="chưa được chọn bộ tiêu chí"):
        cycle_create(
            year=2025, name="X", frameworks={setup["group"]: setup["fw"]}, units=[other], actor=None
        )


def test_transition_moves_the_cycle_and_is_audited(setup):
    cycle = cycle_transition(
        cycle=setup["cycle"], to=CycleStatus.SELF_ASSESSMENT, actor=setup["admin"]
    )
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.SELF_ASSESSMENT
    event = AuditEvent.objects.get(action="cycle.transition")
    assert (event.before, event.after) == ("draft", "self_assessment")


def test_transition_raises_when_someone_else_changed_the_cycle_first(setup):
    mine = setup["cycle"]
    theirs = Cycle.objects.get(pk=mine.pk)
    cycle_transition(cycle=theirs, to=CycleStatus.SELF_ASSESSMENT, actor=None)
    # ``mine`` still believes the cycle is a draft.
    with pytest.raises(ConcurrentChange):
        cycle_transition(cycle=mine, to=CycleStatus.SELF_ASSESSMENT, actor=None)
    assert AuditEvent.objects.filter(action="cycle.transition").count() == 1


def test_transition_outside_the_table_is_refused(setup):
    with pytest.raises(InvalidTransition, match="Không thể chuyển"):
        cycle_transition(cycle=setup["cycle"], to=CycleStatus.PUBLISHED, actor=None)


def test_unit_users_see_only_their_cycles_once_opened(setup):
    staff = make_user("canbo", "unit_staff", unit=setup["units"][0])
    outsider = make_user("ngoai", "unit_staff", unit=make_unit("khac"))
    assert not cycles_for(staff).exists()  # still a draft
    cycle_transition(cycle=setup["cycle"], to=CycleStatus.SELF_ASSESSMENT, actor=None)
    assert cycle_get(staff, setup["cycle"].pk) == setup["cycle"]
    with pytest.raises(Http404):
        cycle_get(outsider, setup["cycle"].pk)
    assert cycles_for(make_user("lanhdao", "leader")).count() == 1
