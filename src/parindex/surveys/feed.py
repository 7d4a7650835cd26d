""" "Đưa vào kỳ đánh giá" (issue 10 part 6): a survey's indices become the points of the
survey-sourced leaves its questionnaire maps (points = max × index / 100, or full points
from the leaf rule's ``full_at`` index on) through
:func:`parindex.assessments.services.external_points_import`, each point's note naming the
survey, the result and the number of approved responses; the unit's overall index becomes
its ``satisfaction_index`` rating metric through :func:`parindex.results.services.metric_set`.

Those services each own their transaction (durable), so the feed checks everything first
(a leaf the framework lacks, a unit without results), then writes the points (all or
nothing), then the metrics, and audits the feed."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.assessments.models import LeafScore
from parindex.assessments.services import external_points_import
from parindex.audit.services import record
from parindex.engine.survey import (
    LeafMapping,
    QuestionnaireError,
    leaf_mappings,
    round_half_up,
    survey_points,
)
from parindex.fields import POINT_DECIMAL_PLACES
from parindex.formats.scores import PointRow
from parindex.results.models import MetricSource
from parindex.results.services import metric_set
from parindex.surveys.indices import survey_indices
from parindex.surveys.models import Survey

__all__ = ["SATISFACTION_METRIC", "feed_mappings", "note_prefix", "survey_feed"]

SATISFACTION_METRIC = "satisfaction_index"
_LEVEL = {"item": "câu", "aspect": "khía cạnh", "part": "phần", "overall": "chỉ số chung"}


def note_prefix(survey: Survey) -> str:
    """How the note of a leaf point fed by ``survey`` starts."""
    return f"Khảo sát #{survey.pk} "


def feed_mappings(survey: Survey) -> tuple[list[LeafMapping], dict[str, Decimal]]:
    """The leaves the survey feeds (with their maximum and ``full_at``) and every leaf
    maximum of its cycle."""
    leaves = LeafScore.objects.filter(assessment__cycle=survey.cycle).select_related(
        "criterion__rule"
    )
    max_points: dict[str, Decimal] = {}
    full_at: dict[str, Decimal] = {}
    for s in leaves:
        c = s.criterion
        if c.max_points is not None:
            max_points[c.code] = c.max_points
        rule = getattr(c, "rule", None)
        if rule is not None and rule.params.get("full_at"):
            full_at[c.code] = Decimal(str(rule.params["full_at"]))
    try:
        found = leaf_mappings(survey.questionnaire.parsed, max_points)
    except QuestionnaireError as exc:
        raise ValidationError(str(exc).capitalize() + ".") from exc
    mappings = [
        LeafMapping(m.leaf, m.level, m.code, m.max_points, full_at.get(m.leaf, Decimal(100)))
        for m in found
    ]
    return mappings, max_points


def survey_feed(*, survey: Survey, actor: User | None) -> dict[str, int]:
    """Write the survey's points and satisfaction metrics into its cycle (see the module)."""
    require_admin(actor, "đưa kết quả khảo sát vào kỳ đánh giá", system=True)
    indices = survey_indices(survey)
    if indices.result is None:
        raise ValidationError("Chưa có phiếu nào được duyệt.")
    mappings, _ = feed_mappings(survey)
    units = list(indices.result.units)
    q = survey.questionnaire
    rows: list[PointRow] = []
    notes: dict[tuple[str, str], str] = {}
    for unit in units:
        n = indices.responses.get(unit, 0)
        for m in mappings:
            idx = indices.exact(unit, m.level, m.code)
            if idx is None:
                continue
            pts = survey_points(m.max_points, idx, m.full_at, POINT_DECIMAL_PLACES)
            rows.append(PointRow(len(rows) + 1, unit, m.leaf, pts, False))
            what = _LEVEL.get(m.level, m.level) + ("" if m.level == "overall" else f" {m.code}")
            notes[(unit, m.leaf)] = (
                f"{note_prefix(survey)}“{survey.name}” ({q.code} v{q.version}): {what} = "
                f"{str(round_half_up(idx, 2)).replace('.', ',')}%, {n} phiếu đã duyệt"
            )
    out = {"points": 0, "metrics": 0}
    if rows:
        done = external_points_import(
            cycle=survey.cycle,
            rows=rows,
            source=f"khảo sát #{survey.pk}",
            actor=actor,
            notes=notes,
        )
        out["points"] = done["rows"]
    for unit_row in survey.units.filter(code__in=units):
        idx = indices.overall(unit_row.code)
        if idx is None:
            continue
        metric_set(
            cycle=survey.cycle,
            unit=unit_row,
            metric=SATISFACTION_METRIC,
            value=round_half_up(idx, 4),
            actor=actor,
            source=MetricSource.SURVEYS,
        )
        out["metrics"] += 1
    with transaction.atomic(durable=True):
        record(
            actor=actor,
            action="survey.feed",
            obj=survey,
            after=out,
            context={"cycle": survey.cycle_id},
        )
    return out
