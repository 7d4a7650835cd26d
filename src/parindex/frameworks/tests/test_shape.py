"""The one cache of compiled frameworks (``frameworks.shape``) follows every replace."""

from __future__ import annotations

from dataclasses import replace

import pytest

from parindex.audit.models import AuditEvent
from parindex.engine.framework import Framework as EngineFramework
from parindex.frameworks.models import Framework
from parindex.frameworks.services import framework_import
from parindex.frameworks.shape import framework_shape
from parindex.testing import tiny_framework

pytestmark = pytest.mark.django_db


def _renamed(fw: EngineFramework, code: str, name: str) -> EngineFramework:
    """The same tree (same number of criteria) with one node renamed."""

    def visit(node):  # type: ignore[no-untyped-def]
        kids = tuple(visit(k) for k in node.children)
        return replace(node, name=name if node.code == code else node.name, children=kids)

    return replace(fw, nodes=tuple(visit(a) for a in fw.nodes))


def test_a_fresh_import_is_revision_one_and_each_replace_bumps_it():
    stored = framework_import(framework=tiny_framework(), actor=None)
    assert stored.revision == 1
    again = framework_import(framework=tiny_framework(), actor=None, replace=True)
    assert again.pk == stored.pk and again.revision == 2
    event = AuditEvent.objects.get(action="framework.replace", object_id=str(stored.pk))
    assert (event.before["revision"], event.after["revision"]) == (1, 2)


def test_a_replace_is_seen_by_the_next_read_in_the_same_process():
    stored = framework_import(framework=tiny_framework(), actor=None)
    first = framework_shape(stored)
    assert framework_shape(Framework.objects.get(pk=stored.pk)) is first  # cached
    names = {leaf.code: leaf.name for leaf in first.leaves.values()}
    assert names["2.1"] != "Tên mới"

    framework_import(
        framework=_renamed(tiny_framework(), "2.1", "Tên mới"), actor=None, replace=True
    )
    fresh = framework_shape(Framework.objects.get(pk=stored.pk))
    assert fresh is not first and fresh.revision == 2
    assert {leaf.code: leaf.name for leaf in fresh.leaves.values()}["2.1"] == "Tên mới"
    assert fresh.require_compiled().framework.by_code()["2.1"].name == "Tên mới"
    # The criteria were recreated: the recompute's criterion → leaf map follows them.
    assert set(fresh.leaf_of_criterion).isdisjoint(first.leaf_of_criterion)


def test_the_shape_knows_each_leaf_its_ancestors_and_the_parent_rows():
    shape = framework_shape(framework_import(framework=tiny_framework(), actor=None))
    by_code = {leaf.code: leaf for leaf in shape.leaves.values()}
    assert list(by_code) == ["1.1", "1.2.1", "1.2.2", "2.1"]
    assert by_code["1.2.2"].ancestors == ("1.2", "1")
    assert [code for _n, code, _d, _p in shape.parents] == ["1.2", "1", "2"]
    assert [(code, depth) for _n, code, depth, _p in shape.parents] == [
        ("1.2", 2),
        ("1", 1),
        ("2", 1),
    ]
