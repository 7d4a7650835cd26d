"""parindex.prepared: a read compiled once gives what its queryset gives, for every call's
arguments; the one-statement writes store what update() and create() store."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parindex.assessments.models import LeafScore
from parindex.audit.models import AuditEvent
from parindex.audit.services import record, record_row
from parindex.prepared import Prepared, insert_rows, update_row
from parindex.results.models import DirtyUnit
from parindex.testing import put

pytestmark = pytest.mark.django_db


def _rows(a_id: int, *, variant: str = "") -> object:
    qs = LeafScore.objects.filter(assessment_id=a_id)
    if variant == "points":
        return qs.values_list("criterion_id", "self_points", "not_applicable", "updated_at")
    return qs.select_related("criterion__rule", "assessment__cycle")


ROWS = Prepared(_rows)


def test_model_rows_with_their_related_objects_match_the_queryset(world):
    put(world, "1.2.1", value="75")
    for a in (world.a, world.b):  # the same compiled statement, other arguments
        got = ROWS.all(a.pk)
        want = list(_rows(a.pk))
        assert [s.pk for s in got] == [s.pk for s in want]
        for g, w in zip(got, want, strict=True):
            fields = [f.attname for f in LeafScore._meta.concrete_fields]
            assert [getattr(g, f) for f in fields] == [getattr(w, f) for f in fields]
            assert g.criterion.code == w.criterion.code
            rule = getattr(w.criterion, "rule", None)
            assert "rule" in g.criterion._state.fields_cache  # read with it
            assert getattr(g.criterion, "rule", None) == rule
            assert g.assessment.cycle.year == w.assessment.cycle.year
            assert "criterion" in g._state.fields_cache  # no query to reach it


def test_values_rows_are_converted_as_the_queryset_converts_them(world):
    put(world, "1.2.1", value="75")
    got = ROWS.all(world.a.pk, variant="points")
    assert sorted(got) == sorted(_rows(world.a.pk, variant="points"))
    points = {p for _c, p, _na, _at in got}
    assert any(isinstance(p, Decimal) for p in points)
    assert all(at.tzinfo is not None for *_x, at in got)
    assert ROWS.first(-1, variant="points") is None


def test_an_argument_missing_from_the_statement_is_refused(world):
    bad = Prepared(lambda _pk: LeafScore.objects.filter(pk=world.a.pk))
    with pytest.raises(ValueError):
        bad.all(world.a.pk)


def test_update_row_writes_what_update_writes_and_counts_the_rows(world):
    s = LeafScore.objects.filter(assessment=world.a).order_by("pk").first()
    t = LeafScore.objects.filter(assessment=world.a).order_by("pk")[1]
    now = timezone.now()
    changes = {"self_points": Decimal("0.5"), "self_value": "x", "updated_by": world.staff}
    n = update_row(
        LeafScore,
        {**changes, "updated_at": now},
        {"id": s.pk, "version": s.version},
        increment="version",
    )
    m = LeafScore.objects.filter(pk=t.pk, version=t.version).update(
        **changes, updated_at=now, version=F("version") + 1
    )
    assert n == m == 1
    fields = ["self_points", "self_value", "updated_by_id", "updated_at"]
    got = LeafScore.objects.values_list(*fields, "version").get(pk=s.pk)
    want = LeafScore.objects.values_list(*fields, "version").get(pk=t.pk)
    assert got[:4] == want[:4] and got[4] == s.version + 1 and want[4] == t.version + 1
    # A stale version changes nothing.
    assert update_row(LeafScore, {"self_value": "y"}, {"id": s.pk, "version": s.version}) == 0


def test_record_row_stores_the_row_record_stores(world):
    s = LeafScore.objects.select_related("criterion", "assessment__unit").first()
    kw = dict(
        actor=world.staff,
        action="score.self",
        obj=s,
        field="self_points",
        before={"self_points": Decimal("1")},
        after={"self_points": None, "when": timezone.now()},
        context={"assessment": s.assessment_id},
    )
    with transaction.atomic():
        record_row(**kw)
        want = AuditEvent.objects.get(pk=record(**kw).pk)
    got = AuditEvent.objects.exclude(pk=want.pk).get(action="score.self", object_id=str(s.pk))
    cols = ["actor_id", "object_type", "object_repr", "field", "before", "after", "context"]
    assert [getattr(got, c) for c in cols] == [getattr(want, c) for c in cols]
    assert abs((got.at - want.at).total_seconds()) < 60


def test_insert_rows_ignores_conflicts_only_when_asked(world):
    c, u = world.a.cycle_id, world.a.unit_id
    DirtyUnit.objects.filter(cycle_id=c).delete()
    insert_rows(DirtyUnit, [{"cycle_id": c, "unit_id": u}], ignore_conflicts=True)
    insert_rows(
        DirtyUnit,
        [{"cycle_id": c, "unit_id": u}, {"cycle_id": c, "unit_id": world.b.unit_id}],
        ignore_conflicts=True,
    )
    assert sorted(DirtyUnit.objects.filter(cycle_id=c).values_list("unit_id", flat=True)) == (
        sorted([u, world.b.unit_id])
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(DirtyUnit, [{"cycle_id": c, "unit_id": u}])
