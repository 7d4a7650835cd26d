"""The demo province's survey of leaders and officials (issue 10): the sample questionnaire
``par-leaders-officials-2025`` (labelled a reconstruction) asked about every department of
the current cycle, one sampling frame per department (the province's communes, N = 64),
24 answers each — 22 approved, 2 left pending for the admin's review queue — and the
result fed into the cycle's survey leaves and the satisfaction metric, so that the
self-assessment pages, the results and the rank bands show survey points with their
source. The answers are generated with a fixed seed, each department with its own level.
Idempotent: nothing is added once the cycle has this survey."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from parindex.accounts.models import User
from parindex.cycles.models import Cycle
from parindex.formats.responses import ResponseRecord
from parindex.surveys.models import FrameKind, Questionnaire, Response, ResponseStatus, Survey
from parindex.surveys.services import (
    frame_set,
    questionnaire_of,
    questionnaire_upload,
    responses_approve,
    responses_import,
    survey_create,
)

SOURCE = Path(__file__).resolve().parent.parent / "data" / "questionnaires"
QUESTIONNAIRE = "par-leaders-officials-2025"
NAME = "Khảo sát lãnh đạo, công chức về CCHC của các sở (dữ liệu demo)"
ANSWERS_PER_UNIT = 24
PENDING_PER_UNIT = 2


def seed_surveys(*, cycle: Cycle, unit_codes: list[str], admin: User) -> bool:
    """Add the survey (see the module); ``True`` when something was created."""
    from parindex.surveys.feed import survey_feed

    if Survey.objects.filter(cycle=cycle, name=NAME).exists():
        return False
    q = Questionnaire.objects.filter(code=QUESTIONNAIRE).order_by("-version").first()
    if q is None:
        path = SOURCE / f"{QUESTIONNAIRE}.yaml"
        q = questionnaire_upload(
            source=path.read_text(encoding="utf-8"), name=path.name, actor=admin
        )
    units = list(cycle.units.filter(code__in=unit_codes).order_by("code"))
    survey = survey_create(questionnaire=q, cycle=cycle, name=NAME, units=units, actor=admin)
    for unit in units:
        frame_set(
            survey=survey,
            unit=unit,
            kind=FrameKind.COMMUNE,
            name="Lãnh đạo UBND xã, phường đánh giá sở",
            population=64,
            target=ANSWERS_PER_UNIT,
            actor=admin,
        )
    items = questionnaire_of(survey).items
    rng = random.Random(2025)
    records: list[ResponseRecord] = []
    for unit in units:
        level = rng.uniform(3.2, 4.6)  # each department its own mean on the 1–5 scale
        for n in range(1, ANSWERS_PER_UNIT + 1):
            answers = {i.code: _answer(i, level, rng) for i in items}
            records.append(
                ResponseRecord(
                    line=len(records) + 2,
                    respondent=f"demo-{unit.code}-{n:02d}",
                    unit=unit.code,
                    answers={k: v for k, v in answers.items() if v},
                )
            )
    responses_import(survey=survey, records=records, source_name="demo", actor=admin)
    pending = Response.objects.filter(survey=survey, status=ResponseStatus.PENDING)
    keep = {f"demo-{u.code}-{n:02d}" for u in units for n in range(1, PENDING_PER_UNIT + 1)}
    responses_approve(responses=[r for r in pending if r.respondent not in keep], actor=admin)
    survey_feed(survey=survey, actor=admin)
    return True


def _answer(item: Any, level: float, rng: random.Random) -> str:
    if item.type == "likert5":
        return str(min(5, max(1, round(rng.gauss(level, 0.8)))))
    if item.type == "single":
        return item.choices[rng.randrange(len(item.choices))].code if item.choices else ""
    if item.type == "number":
        return str(rng.randint(30, 58))
    return ""  # multi and free text: left unanswered by the generated respondents
