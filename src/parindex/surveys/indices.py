"""Indices of a survey from its approved responses (issue 10 part 5 in the app): the
stored answers go through the same reader and engine as ``parindex survey compute``
(:func:`parindex.formats.responses.read_responses`, :func:`compute_survey`), computed on
read and cached until a response is reviewed again (the cache key holds the count and the
last review time)."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max

from parindex.engine.survey import OVERALL, margin_for, sample_size, survey_tree
from parindex.engine.survey_bulk import SurveyResult, compute_survey
from parindex.formats.responses import read_responses
from parindex.formats.survey_results import COLUMNS, survey_result_rows
from parindex.surveys.models import Response, ResponseStatus, Survey

__all__ = ["SurveyIndices", "approved_csv", "survey_indices"]


@dataclass(frozen=True)
class SurveyIndices:
    """The computed indices of one survey: the engine's result, the display rows
    (:data:`parindex.formats.survey_results.COLUMNS`) and per-unit counts."""

    result: SurveyResult | None
    rows: list[dict[str, str]]
    #: unit code → approved responses
    responses: dict[str, int]

    def exact(self, unit: str, level: str, code: str) -> Fraction | None:
        """The exact index of one result row (for points)."""
        r = self.result
        if r is None or unit not in r.units:
            return None
        u = r.units.index(unit)
        if level == "item":
            j = r.tree.items.index(code)
            valid = int(r.valid[u][j])
            return Fraction(100 * int(r.satisfied[u][j]), valid) if valid else None
        key = (level, code)
        for k, node in enumerate(r.tree.nodes):
            if (node.level, node.code) == key:
                return r.exact_node_index(u, k)
        return None

    def overall(self, unit: str) -> Fraction | None:
        return self.exact(unit, OVERALL, OVERALL)

    def by_unit(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for row in self.rows:
            out.setdefault(row["unit"], []).append(row)
        return out

    def small_samples(self, populations: dict[str, int | None] | None = None) -> dict[str, str]:
        """unit → the small-sample warning (too few respondents for ±5 %)."""
        if self.result is None:
            return {}
        out: dict[str, str] = {}
        for u, unit in enumerate(self.result.units):
            n = int(self.result.respondents[u])
            pop = (populations or {}).get(unit)
            need = sample_size(pop)
            if n < need:
                got = margin_for(n, pop)
                shown = f"±{100 * got:.1f}%".replace(".", ",") if got is not None else "?"
                out[unit] = (
                    f"Mẫu nhỏ: {n} người trả lời, cần {need} cho sai số ±5% "
                    f"(n = N/(1+N·e²)); sai số đạt {shown}."
                )
        return out


def approved_csv(survey: Survey) -> str:
    """The approved responses as the responses CSV (``respondent,unit,<item>…``)."""
    q = survey.questionnaire.parsed
    codes = [i.code for i in q.items]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["respondent", "unit", *codes])
    rows = Response.objects.filter(survey=survey, status=ResponseStatus.APPROVED).values_list(
        "respondent", "unit__code", "answers"
    )
    for respondent, unit, answers in rows.order_by("pk"):
        w.writerow([respondent, unit, *(answers.get(c, "") for c in codes)])
    return out.getvalue()


def _key(survey: Survey) -> str:
    agg: dict[str, Any] = Response.objects.filter(survey=survey).aggregate(
        n=Count("pk"), last=Max("reviewed_at"), made=Max("created_at")
    )
    raw = f"{agg['n']}|{agg['last']}|{agg['made']}"
    return f"survey-indices:{survey.pk}:{hashlib.sha1(raw.encode()).hexdigest()}"


def survey_indices(survey: Survey, decimals: int = 2) -> SurveyIndices:
    """Indices per unit from the approved responses (cached until a review changes them)."""
    key = f"{_key(survey)}:{decimals}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    q = survey.questionnaire.parsed
    text = approved_csv(survey)
    counts = dict(
        Response.objects.filter(survey=survey, status=ResponseStatus.APPROVED)
        .values_list("unit__code")
        .annotate(n=Count("pk"))
        .values_list("unit__code", "n")
    )
    if not counts:
        value = SurveyIndices(None, [], {})
    else:
        data, problems = read_responses(text, name="phiếu đã duyệt", questionnaire=q)
        if data is None:  # stored answers were checked when saved
            raise ValueError("; ".join(str(p) for p in problems))
        result = compute_survey(survey_tree(q), data.data)
        rows = [dict(zip(COLUMNS, r, strict=True)) for r in survey_result_rows(result, q, decimals)]
        value = SurveyIndices(result, rows, counts)
    cache.set(key, value, 600)
    return value
