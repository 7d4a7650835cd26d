"""Writes of the results app (docs/results.md), by concern: rating configuration
(:mod:`.rating`), metrics (:mod:`.metrics`), the recompute (:mod:`.recompute`), background
requests (:mod:`.background`) publication (:mod:`.publish`) and the
cycle's stage control (:mod:`.stages`). Keyword-only, actor last,
one transaction each with its audit row.

The scoring itself is the engine's (:mod:`parindex.engine.compute`); the reads, including
the cycle's rating configuration, are :mod:`parindex.results.selectors`.
"""

from __future__ import annotations

from parindex.results.selectors import (
    DEFAULT_ACCOUNTABILITY,
    default_rating,
    known_metrics,
    scheme_of,
)
from parindex.results.services.background import request_recompute
from parindex.results.services.incremental import results_recompute_units
from parindex.results.services.metrics import metric_set, metrics_import, metrics_set
from parindex.results.services.publish import cycle_publish, ranking_csv
from parindex.results.services.rating import rating_config_set, validate_rating
from parindex.results.services.recompute import results_recompute
from parindex.results.services.stages import cycle_stage_move

__all__ = [
    "DEFAULT_ACCOUNTABILITY",
    "cycle_publish",
    "cycle_stage_move",
    "default_rating",
    "known_metrics",
    "metric_set",
    "metrics_import",
    "metrics_set",
    "ranking_csv",
    "rating_config_set",
    "request_recompute",
    "results_recompute",
    "results_recompute_units",
    "scheme_of",
    "validate_rating",
]
