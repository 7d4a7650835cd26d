"""Personas for the workflow pages: the unit's staff and head, a colleague of another
unit, an appraiser assigned to the unit (areas 1.1 and 3 only) and one assigned
elsewhere, the council, a leader and the Sở Nội vụ admin."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.services import assignment_set, cycle_open, score_set
from parindex.engine.framework import Node
from parindex.frameworks.services import framework_import
from parindex.testing import make_group, make_unit, make_user, tiny_framework


def framework_with_bonus():
    fw = tiny_framework()
    bonus = Node(code="3", name="Điểm thưởng", max_points=Decimal("1"), source="bonus")
    return dataclasses.replace(fw, nodes=(*fw.nodes, bonus))


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    fw = framework_import(framework=framework_with_bonus(), actor=None)
    group = make_group()
    tuphap = make_unit("so-tu-phap", "Sở Tư pháp", group=group)
    yte = make_unit("so-y-te", "Sở Y tế", group=group)
    admin = make_user("quantri", "admin")
    cycle = cycle_open(
        year=2025,
        name="Chỉ số CCHC năm 2025",
        frameworks={group: fw},
        units=[tuphap, yte],
        deadlines={"self_assessment": timezone.now() + timedelta(days=10)},
        actor=admin,
    )
    appraiser = make_user("thamdinh", "appraiser")
    other_appraiser = make_user("thamdinh2", "appraiser")
    assignment_set(
        cycle=cycle, appraiser=appraiser, units=[tuphap], criteria_codes=["1.1", "3"], actor=admin
    )
    assignment_set(
        cycle=cycle, appraiser=other_appraiser, units=[yte], criteria_codes=[], actor=admin
    )
    return SimpleNamespace(
        fw=fw,
        group=group,
        cycle=cycle,
        tuphap=tuphap,
        yte=yte,
        a=Assessment.objects.get(unit=tuphap),
        b=Assessment.objects.get(unit=yte),
        admin=admin,
        staff=make_user("canbo", "unit_staff", unit=tuphap),
        head=make_user("thutruong", "unit_head", unit=tuphap),
        colleague=make_user("canbo.yte", "unit_head", unit=yte),
        appraiser=appraiser,
        other_appraiser=other_appraiser,
        council=make_user("hoidong", "council"),
        leader=make_user("lanhdao", "leader"),
    )


def sc(assessment, code):
    return LeafScore.objects.select_related("criterion").get(
        assessment=assessment, criterion__code=code
    )


def put(w, code, actor=None, **kw):
    s = sc(w.a, code)
    return score_set(score=s, expected_version=s.version, actor=actor or w.staff, **kw)


def fill(w):
    put(w, "1.1", value="Kịp thời", explanation="Kế hoạch số 12/KH")
    put(w, "1.2.1", value="75", explanation="Báo cáo quý")
    put(w, "1.2.2", not_applicable=True)


def status_of(client, user, method, url, data=None, **extra):
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    if method == "get":
        return client.get(url, **extra).status_code
    return client.post(url, data or {}, **extra).status_code
