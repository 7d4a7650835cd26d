"""The autosave's service, ``score_set_by_id``: the same save as ``score_set`` from the ids
alone — one locked read — with the row as it was and as written, and the 404 the page's
scoped read used to give."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from parindex.assessments.models import LeafScore
from parindex.assessments.services import StaleScore, score_set_by_id
from parindex.audit.models import AuditEvent
from parindex.results.models import DirtyUnit
from parindex.testing import leaf_score

pytestmark = pytest.mark.django_db


def _save(w, s, actor, **kw):
    return score_set_by_id(
        assessment_id=s.assessment_id,
        score_id=s.pk,
        expected_version=s.version,
        actor=actor,
        **kw,
    )


def test_a_save_by_ids_writes_the_leaf_its_audit_row_and_the_recompute_request(
    world, django_capture_on_commit_callbacks
):
    s = leaf_score(world.a, "1.2.1")
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as ctx,
    ):
        done = _save(world, s, world.staff, value="80")
    assert done.before.version == s.version and done.before.self_points is None
    assert done.saved.version == s.version + 1 and done.saved.self_points == Decimal("2.5")
    # The answer's objects came with the one read: criterion, rule, assessment, cycle,
    # unit and framework.
    leaf_reads = [
        q for q in ctx.captured_queries if q["sql"].startswith('SELECT "assessments_leafscore"')
    ]
    assert len(leaf_reads) == 1
    with CaptureQueriesContext(connection) as after:
        a = done.saved.assessment
        _ = (done.saved.criterion.code, a.cycle.year, a.unit.code, a.framework.code)
    assert after.captured_queries == []
    stored = LeafScore.objects.get(pk=s.pk)
    assert (stored.self_points, stored.version, stored.updated_by) == (
        Decimal("2.5"),
        s.version + 1,
        world.staff,
    )
    event = AuditEvent.objects.get(action="score.self", object_id=str(s.pk))
    assert event.actor == world.staff and event.after["self_value"] == "80"
    assert DirtyUnit.objects.filter(cycle=world.cycle, unit=world.a.unit).exists()


def test_nothing_to_change_gives_the_row_as_it_is(world):
    s = leaf_score(world.a, "1.2.1")
    first = _save(world, s, world.staff, value="80")
    again = _save(world, first.saved, world.staff, value="80")
    assert again.saved is again.before and again.saved.version == first.saved.version
    assert AuditEvent.objects.filter(action="score.self").count() == 1


def test_a_leaf_of_another_assessment_or_an_outsider_is_a_404(world):
    s = leaf_score(world.a, "1.2.1")
    with pytest.raises(Http404):
        score_set_by_id(
            assessment_id=world.b.pk,
            score_id=s.pk,
            expected_version=s.version,
            actor=world.staff,
            value="80",
        )
    with pytest.raises(Http404):  # Y tế's staff may not even see Tư pháp's leaf
        _save(world, s, world.other_staff, value="80")
    with pytest.raises(PermissionDenied):  # the admin sees it but does not self-assess
        _save(world, s, world.admin, value="80")
    assert LeafScore.objects.get(pk=s.pk).version == s.version
    assert not AuditEvent.objects.filter(action="score.self").exists()


def test_a_stale_version_is_refused_with_the_current_row(world):
    s = leaf_score(world.a, "1.2.1")
    _save(world, s, world.staff, value="80")
    with pytest.raises(StaleScore) as e:
        _save(world, s, world.head, value="10")  # still at the version read before
    assert e.value.current.self_points == Decimal("2.5")
    assert LeafScore.objects.get(pk=s.pk).self_points == Decimal("2.5")
