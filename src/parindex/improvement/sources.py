"""Where a draft plan's lost points come from. A source is a small function taking the
acting user (whose scope it respects: 404 outside it) and what it needs, and returning
:class:`parindex.engine.lost_points.LostRow` rows for :func:`plan_draft_generate`.

Two sources, both computed by the national-results app so that one rule decides what a
loss is: :func:`national_lost` — the province in a national PAR INDEX/SIPAS dataset (what
seed 003 asks the plan to answer), and :func:`internal_unit_lost` — one unit of an internal
cycle, from its stored results."""

from __future__ import annotations

from typing import Any

from parindex.cycles.models import Cycle
from parindex.engine.lost_points import LostRow
from parindex.national.internal import unit_lost_points
from parindex.national.models import NationalDataset
from parindex.national.selectors import province_lost_points
from parindex.units.models import Unit

__all__ = ["internal_unit_lost", "national_label", "national_lost", "source_label"]


def internal_unit_lost(user: Any, *, cycle: Cycle, unit: Unit) -> list[LostRow]:
    """The points ``unit`` lost in ``cycle`` per area, criterion and sub-criterion, largest
    first (N/A nodes left out); 404 outside the user's scope or without a result."""
    return unit_lost_points(user, cycle, unit.code)


def national_lost(user: Any, *, dataset: NationalDataset) -> list[LostRow]:
    """The points the home province lost in a national dataset, largest first."""
    return province_lost_points(user, dataset=dataset)


def source_label(cycle: Cycle, unit: Unit) -> str:
    return f"Kết quả {cycle.name} — {unit.name}"


def national_label(dataset: NationalDataset) -> str:
    home = dataset.home.name if dataset.home_id else "tỉnh"
    return f"{dataset} — {home}"
