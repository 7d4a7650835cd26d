"""Reads of the surveys app, the user first. The Sở Nội vụ admin sees every survey; the
other province-wide roles (appraisers, council, leaders) read results and progress; a unit's
staff reads only its own unit's rows, and a survey without their unit is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from parindex.accounts.permissions import is_admin
from parindex.assessments.models import LeafScore
from parindex.cycles.models import Cycle
from parindex.engine.survey import margin_for, points_interval, survey_points
from parindex.surveys.feed import feed_mappings, note_prefix
from parindex.surveys.indices import survey_indices
from parindex.surveys.models import (
    RespondentToken,
    Response,
    ResponseStatus,
    SamplingFrame,
    Survey,
)


def province_wide(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "sees_all_units", False)
        or getattr(user, "is_superuser", False)
        or getattr(user, "role", "") in ("admin", "appraiser", "council", "leader")
    )


def surveys_for(user: Any) -> QuerySet[Survey]:
    qs = Survey.objects.select_related("questionnaire", "cycle")
    if province_wide(user):
        return qs
    unit_id = getattr(user, "unit_id", None)
    if not getattr(user, "is_authenticated", False) or unit_id is None:
        return qs.none()
    return qs.filter(units=unit_id)


def survey_get(user: Any, pk: int) -> Survey:
    found = surveys_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def admin_survey_get(user: Any, pk: int) -> Survey:
    """A survey for an admin-only page (404 for anyone else)."""
    if not is_admin(user):
        raise Http404
    return survey_get(user, pk)


def visible_units(user: Any, survey: Survey) -> list[str]:
    """Codes of the survey's units the user may read results of."""
    codes = list(survey.units.order_by("code").values_list("code", flat=True))
    if province_wide(user):
        return codes
    own = getattr(getattr(user, "unit", None), "code", None)
    return [c for c in codes if c == own]


def responses_for(
    user: Any, survey: Survey, *, unit: str = "", status: str = "", source: str = ""
) -> QuerySet[Response]:
    if not is_admin(user):
        raise Http404
    qs = Response.objects.filter(survey=survey).exclude(status=ResponseStatus.DRAFT)
    if unit:
        qs = qs.filter(unit__code=unit)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    return qs.select_related("unit", "reviewed_by").order_by("unit__code", "pk")


def response_get(user: Any, survey: Survey, pk: int) -> Response:
    found = responses_for(user, survey).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def frames_with_progress(user: Any, survey: Survey) -> list[SamplingFrame]:
    """The survey's frames (the user's units) with ``target`` and ``answered`` counts."""
    codes = visible_units(user, survey)
    submitted = ~Q(tokens__response__status=ResponseStatus.DRAFT) & Q(
        tokens__response__isnull=False
    )
    frames = (
        SamplingFrame.objects.filter(survey=survey, unit__code__in=codes)
        .select_related("unit", "quota")
        .annotate(
            issued=Count("tokens", distinct=True),
            answered=Count("tokens", filter=submitted, distinct=True),
        )
    )
    return list(frames)


def unit_progress(user: Any, survey: Survey) -> list[dict[str, Any]]:
    """Per unit: the quota (sum over its frames), responses received and approved."""
    codes = visible_units(user, survey)
    targets: dict[str, int] = {}
    for code, wanted in SamplingFrame.objects.filter(
        survey=survey, unit__code__in=codes, quota__isnull=False
    ).values_list("unit__code", "quota__target"):
        targets[code] = targets.get(code, 0) + wanted
    counts: dict[str, dict[str, Any]] = {
        row["unit__code"]: dict(row)
        for row in Response.objects.filter(survey=survey, unit__code__in=codes)
        .exclude(status=ResponseStatus.DRAFT)
        .values("unit__code")
        .annotate(
            received=Count("pk"),
            approved=Count("pk", filter=Q(status=ResponseStatus.APPROVED)),
        )
    }
    names = dict(survey.units.filter(code__in=codes).values_list("code", "name"))
    out = []
    for code in codes:
        row = counts.get(code, {})
        target = targets.get(code)
        received = row.get("received", 0)
        out.append(
            {
                "code": code,
                "name": names.get(code, code),
                "target": target,
                "received": received,
                "approved": row.get("approved", 0),
                "percent": None if not target else round(100 * received / target),
            }
        )
    return out


def token_lookup(token: str) -> RespondentToken | None:
    """The token of a public link (no user: the token is the key), or ``None``."""
    return (
        RespondentToken.objects.select_related("survey__questionnaire", "response")
        .filter(token=token)
        .first()
    )


@dataclass(frozen=True, slots=True)
class LeafInterval:
    """A survey-fed leaf's points and their sampling interval (issue 12 part 4)."""

    points: Decimal
    low: Decimal
    high: Decimal
    #: the sampling margin e (a fraction) and the respondents it comes from
    margin: float
    respondents: int
    survey: str

    @property
    def margin_percent(self) -> float:
        return 100 * self.margin


def fed_intervals(user: Any, cycle: Cycle) -> dict[tuple[str, str], LeafInterval]:
    """``(unit code, leaf code) → LeafInterval`` for every leaf of the cycle whose stored
    points come from a survey's feed (its note names the survey): the points at the index
    ± the margin :func:`margin_for` gives the unit's respondents (with N the sum of the
    unit's frame populations when all are known). Province-wide readers only (else ``{}``);
    no interval where the margin is unknown (no respondent)."""
    if not province_wide(user):
        return {}
    notes = list(
        LeafScore.objects.filter(
            assessment__cycle=cycle, external_note__startswith="Khảo sát #"
        ).values_list("assessment__unit__code", "criterion__code", "external_note")
    )
    out: dict[tuple[str, str], LeafInterval] = {}
    for survey in Survey.objects.filter(cycle=cycle).select_related("questionnaire"):
        fed = {(u, c) for u, c, note in notes if note.startswith(note_prefix(survey))}
        indices = survey_indices(survey) if fed else None
        if indices is None or indices.result is None:
            continue
        populations = _populations(survey)
        mappings, _ = feed_mappings(survey)
        for u, unit in enumerate(indices.result.units):
            n = int(indices.result.respondents[u])
            margin = margin_for(n, populations.get(unit))
            for m in mappings:
                idx = indices.exact(unit, m.level, m.code)
                if margin is None or idx is None or (unit, m.leaf) not in fed:
                    continue
                low, high = points_interval(m.max_points, idx, margin, m.full_at)
                now = survey_points(m.max_points, idx, m.full_at)
                out[(unit, m.leaf)] = LeafInterval(now, low, high, margin, n, survey.name)
    return out


def _populations(survey: Survey) -> dict[str, int | None]:
    """unit code → the sum of its frames' populations (``None`` if any is unknown)."""
    out: dict[str, int | None] = {}
    for code, n in SamplingFrame.objects.filter(survey=survey).values_list(
        "unit__code", "population"
    ):
        before = out.get(code, 0)
        out[code] = None if n is None or before is None else before + n
    return out
