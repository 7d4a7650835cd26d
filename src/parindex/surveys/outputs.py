"""What the results page shows per unit (issue 10 parts 5 and 7): the overall, part and
aspect indices with their 95 % intervals and rank among the survey's units, the
small-sample warning, the change since the previous survey of the same questionnaire code,
and the shares of the single/multi items (harassment, extra payment, expectations)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from parindex.engine.ranking import rank
from parindex.surveys.indices import SurveyIndices, survey_indices
from parindex.surveys.models import Survey


def _previous(survey: Survey) -> Survey | None:
    return (
        Survey.objects.filter(
            questionnaire__code=survey.questionnaire.code, cycle__year__lt=survey.cycle.year
        )
        .select_related("questionnaire", "cycle")
        .order_by("-cycle__year", "-pk")
        .first()
    )


def _ranks(indices: SurveyIndices, level: str, code: str, units: list[str]) -> dict[str, int]:
    values = [indices.exact(u, level, code) for u in units]
    return {u: r for u, r in zip(units, rank(values), strict=True) if r is not None}


def unit_outputs(survey: Survey, indices: SurveyIndices, codes: list[str]) -> list[dict[str, Any]]:
    if indices.result is None:
        return []
    q = survey.questionnaire.parsed
    names = dict(survey.units.values_list("code", "name"))
    all_units = list(indices.result.units)
    by_unit = indices.by_unit()
    previous = _previous(survey)
    before = survey_indices(previous) if previous is not None else None
    warnings = indices.small_samples()
    aspect_names = {a.code: a.name for a in q.aspects}
    aspect_names |= {p.code: p.name for p in q.parts}
    item_text = {i.code: i.text for i in q.items}
    choice_label = {f"{i.code}/{c.code}": c.label for i in q.items for c in i.choices}
    ranks = {
        (lvl, code): _ranks(indices, lvl, code, all_units)
        for lvl, code in [("overall", "overall")]
        + [("aspect", a.code) for a in q.aspects]
        + [("part", p.code) for p in q.parts]
    }
    out = []
    for unit in codes:
        rows = by_unit.get(unit)
        if not rows:
            continue
        overall = next((r for r in rows if r["level"] == "overall"), None)
        change = None
        if before is not None and overall is not None:
            now, then = indices.overall(unit), before.overall(unit)
            if now is not None and then is not None:
                change = float(Fraction(now) - Fraction(then))
        nodes = [
            {
                **r,
                "name": aspect_names.get(r["code"], r["code"]),
                "rank": ranks.get((r["level"], r["code"]), {}).get(unit),
            }
            for r in rows
            if r["level"] in ("aspect", "part")
        ]
        out.append(
            {
                "code": unit,
                "name": names.get(unit, unit),
                "responses": indices.responses.get(unit, 0),
                "overall": overall,
                "rank": ranks[("overall", "overall")].get(unit),
                "change": change,
                "warning": warnings.get(unit, ""),
                "nodes": nodes,
                "items": [
                    {**r, "text": item_text.get(r["code"], "")}
                    for r in rows
                    if r["level"] == "item"
                ],
                "choices": [
                    {
                        **r,
                        "label": choice_label.get(r["code"], r["code"]),
                        "question": item_text.get(r["code"].split("/")[0], ""),
                    }
                    for r in rows
                    if r["level"] == "choice"
                ],
            }
        )
    return out


def survey_charts(survey: Survey, units: list[dict[str, Any]]) -> dict[str, Any]:
    """Chart data: per unit its aspects' indices with intervals; across units the overall
    indices with intervals and the aspect heat map (charts.js kinds ``intervals``, ``heat``)."""
    from parindex.web.charts import heat_chart, interval_chart

    q = survey.questionnaire.parsed
    aspects = [a for a in q.aspects if any(n["code"] == a.code for u in units for n in u["nodes"])]
    heat: dict[tuple[int, int], float | None] = {}
    for k, u in enumerate(units):
        by_code = {n["code"]: n for n in u["nodes"] if n["level"] == "aspect"}
        for j, a in enumerate(aspects):
            node = by_code.get(a.code)
            heat[(j, k)] = float(node["index"]) if node and node["index"] else None
    overall = [
        {**u["overall"], "name": u["name"], "code": u["name"]} for u in units if u["overall"]
    ]
    for u in units:
        u["chart"] = interval_chart([n for n in u["nodes"] if n["level"] == "aspect"])
    return {
        "overall": interval_chart(overall),
        "heat": heat_chart([u["name"] for u in units], [a.code for a in aspects], heat),
    }
