from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from parindex.audit.models import AuditEvent
from parindex.cycles.services import cycle_create
from parindex.engine.framework import Node
from parindex.frameworks import codec
from parindex.frameworks.models import Criterion, Framework, ScoringRule
from parindex.frameworks.selectors import engine_framework, frameworks_for
from parindex.frameworks.services import FrameworkInUse, framework_import
from parindex.testing import make_group, make_unit, make_user, tiny_framework

pytestmark = pytest.mark.django_db


def test_import_then_export_gives_back_the_same_framework():
    original = tiny_framework()
    stored = framework_import(framework=original, actor=None, imported_from="thu.yaml")
    assert engine_framework(stored) == original
    # Tier label "1" stays text, points stay Decimal.
    tiers = engine_framework(stored).by_code()["1.1"].rule.params["tiers"]
    assert tiers[1] == {"label": "1", "points": Decimal("0.5")}


def test_import_stores_the_tree_in_document_order():
    stored = framework_import(framework=tiny_framework(), actor=None)
    rows = list(Criterion.objects.filter(framework=stored).order_by("position"))
    assert [c.code for c in rows] == ["1", "1.1", "1.2", "1.2.1", "1.2.2", "2", "2.1"]
    assert [c.depth for c in rows] == [1, 2, 2, 3, 3, 1, 2]
    assert Criterion.objects.get(framework=stored, code="1.2.1").parent.code == "1.2"
    assert ScoringRule.objects.filter(criterion__framework=stored).count() == 3
    assert stored.status == "complete" and stored.is_sample
    assert AuditEvent.objects.filter(action="framework.import", object_id=str(stored.pk)).exists()


def test_rule_params_keep_decimals_as_strings_in_the_database():
    stored = framework_import(framework=tiny_framework(), actor=None)
    params = ScoringRule.objects.get(criterion__framework=stored, criterion__code="2.1").params
    assert params == {"scale_min": "1", "scale_max": "5"}


def test_codec_round_trips_numbers_and_number_like_text():
    value = {"a": Decimal("1.50"), "b": "1.5", "c": "\\x", "d": [True, None, 3, "chữ"]}
    assert codec.decode(codec.encode(value)) == value
    assert codec.encode(value)["a"] == "1.50"


def test_a_framework_with_unknown_maxima_is_stored_as_incomplete():
    fw = tiny_framework("chua-ro")
    area = fw.nodes[1]
    blank = Node(code="2", name=area.name, max_points=None, children=area.children)
    fw = type(fw)(code=fw.code, name=fw.name, total=None, nodes=(fw.nodes[0], blank))
    stored = framework_import(framework=fw, actor=None)
    assert stored.status == "incomplete"
    assert any("2" in issue for issue in stored.issues)
    assert engine_framework(stored) == fw


def test_an_existing_code_needs_replace():
    framework_import(framework=tiny_framework(), actor=None)
    with pytest.raises(ValidationError, match="--replace"):
        framework_import(framework=tiny_framework(), actor=None)
    again = framework_import(framework=tiny_framework(), actor=None, replace=True)
    assert Framework.objects.count() == 1
    assert again.criteria.count() == 7
    assert AuditEvent.objects.filter(action="framework.replace").count() == 1


def test_replace_is_refused_once_a_cycle_uses_the_framework():
    stored = framework_import(framework=tiny_framework(), actor=None)
    group = make_group()
    cycle_create(
        year=2025,
        name="Kỳ 2025",
        frameworks={group: stored},
        units=[make_unit("so-tu-phap", group=group)],
        actor=None,
    )
    assert stored.is_used
    with pytest.raises(FrameworkInUse, match="đã được dùng"):
        framework_import(framework=tiny_framework(), actor=None, replace=True)
    assert stored.criteria.count() == 7


def test_frameworks_are_readable_by_signed_in_users_only():
    from django.contrib.auth.models import AnonymousUser

    framework_import(framework=tiny_framework(), actor=None)
    staff = make_user("canbo", "unit_staff", unit=make_unit("so-y-te"))
    assert frameworks_for(staff).count() == 1
    assert frameworks_for(AnonymousUser()).count() == 0
