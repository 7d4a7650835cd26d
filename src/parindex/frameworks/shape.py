"""The one cache of compiled frameworks.

A framework's tree only changes by a replace, which bumps :attr:`Framework.revision`; the
compiled form is therefore kept in process memory keyed by (pk, revision, created_at) and
shared by the assessment pages, the API tree, the council check and the recompute
(``created_at`` too: SQLite may give a new framework the primary key of a deleted one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from parindex.engine import aggregate as agg
from parindex.engine import framework as eng
from parindex.engine.framework import ADJUSTMENT_SOURCES, EXTERNAL_SOURCES
from parindex.frameworks.models import Criterion, Framework
from parindex.frameworks.selectors import criteria_of, engine_framework

__all__ = ["FrameworkShape", "LeafInfo", "framework_shape"]


@dataclass(frozen=True, slots=True)
class LeafInfo:
    """One leaf of the framework (document order)."""

    #: The criterion's primary key.
    pk: int
    code: str
    name: str
    source: str
    #: Codes of the areas and criteria above the leaf (nearest first).
    ancestors: tuple[str, ...]
    #: The leaf's number in the compiled framework (``None`` when it cannot compile).
    index: int | None


@dataclass(frozen=True, slots=True)
class FrameworkShape:
    """What every reader needs of a framework's tree, computed once per revision."""

    framework_id: int
    revision: int
    engine_fw: eng.Framework
    #: ``None`` when the framework cannot be compiled (unknown maxima, errors).
    compiled: agg.CompiledFramework | None
    #: criterion pk → leaf, leaves only, in document order.
    leaves: dict[int, LeafInfo]
    #: criterion pk → leaf index in ``compiled``.
    leaf_of_criterion: dict[int, int]
    #: Leaf indices whose points come from outside (``final_points``) / adjustments.
    external: frozenset[int]
    adjustment: frozenset[int]
    #: (node number, code, depth, position) of every parent node of ``compiled``.
    parents: tuple[tuple[int, str, int, int], ...]
    #: The same for every area that is itself a leaf (scored directly, depth 1).
    leaf_areas: tuple[tuple[int, str, int, int], ...]
    area_numbers: tuple[int, ...]

    def require_compiled(self) -> agg.CompiledFramework:
        """The compiled framework, or the engine's ``FrameworkRefused`` saying why not."""
        if self.compiled is None:
            return agg.compile_framework(self.engine_fw)  # raises with the issues
        return self.compiled


_Key = tuple[int, int, datetime | None]
_SHAPES: dict[_Key, FrameworkShape] = {}
_SHAPES_MAX = 64


def _key(framework: Framework) -> _Key:
    return (framework.pk, framework.revision, framework.created_at)


def framework_shape(
    framework: Framework, criteria: Sequence[Criterion] | None = None
) -> FrameworkShape:
    """The framework's shape from memory; on a miss it is built from ``criteria`` (the
    framework's criteria in document order with their rules, when the caller has them)
    or from one query."""
    key = _key(framework)
    shape = _SHAPES.get(key)
    if shape is not None:
        return shape
    rows = list(criteria_of(framework)) if criteria is None else list(criteria)
    shape = _build(framework, rows)
    if len(_SHAPES) >= _SHAPES_MAX:
        _SHAPES.clear()
    _SHAPES[key] = shape
    return shape


def _build(framework: Framework, rows: list[Criterion]) -> FrameworkShape:
    engine_fw = engine_framework(framework, rows)
    try:
        compiled: agg.CompiledFramework | None = agg.compile_framework(engine_fw)
    except ValueError:
        compiled = None
    has_children = {c.parent_id for c in rows}
    by_pk = {c.pk: c for c in rows}
    by_code = {c.code: c for c in rows}
    index_of = {} if compiled is None else compiled.leaf_index
    leaves: dict[int, LeafInfo] = {}
    for c in rows:
        if c.pk in has_children:
            continue
        anc: list[str] = []
        p = c.parent_id
        while p is not None:
            anc.append(by_pk[p].code)
            p = by_pk[p].parent_id
        leaves[c.pk] = LeafInfo(c.pk, c.code, c.name, c.source, tuple(anc), index_of.get(c.code))
    nodes = () if compiled is None else compiled.leaf_nodes
    codes = [] if compiled is None else compiled.codes
    n_leaves = len(nodes)
    return FrameworkShape(
        framework_id=framework.pk,
        revision=framework.revision,
        engine_fw=engine_fw,
        compiled=compiled,
        leaves=leaves,
        leaf_of_criterion={by_code[n.code].pk: j for j, n in enumerate(nodes)},
        external=frozenset(j for j, n in enumerate(nodes) if n.source in EXTERNAL_SOURCES),
        adjustment=frozenset(j for j, n in enumerate(nodes) if n.source in ADJUSTMENT_SOURCES),
        parents=tuple(
            (n, code, by_code[code].depth, by_code[code].position)
            for n, code in enumerate(codes)
            if n >= n_leaves and code
        ),
        leaf_areas=tuple(
            (n, codes[n], 1, by_code[codes[n]].position)
            for n in (() if compiled is None else compiled.area_numbers)
            if n < n_leaves
        ),
        area_numbers=() if compiled is None else tuple(compiled.area_numbers),
    )
