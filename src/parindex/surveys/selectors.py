"""Reads of the surveys app, the user first. The Sở Nội vụ admin sees every survey; the
other province-wide roles (appraisers, council, leaders) read results and progress; a unit's
staff reads only its own unit's rows, and a survey without their unit is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from parindex.accounts.permissions import is_admin
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
