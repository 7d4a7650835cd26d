"""A small questionnaire on the test world's survey leaf 2.1, and Kobo-style exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from parindex.formats.xlsform import write_xlsform
from parindex.surveys.models import FrameKind, Survey
from parindex.surveys.services import (
    frame_set,
    paper_entry,
    questionnaire_upload,
    survey_create,
    tokens_generate,
)
from parindex.testing import World

YAML = """\
code: hai-long-thu
name: Phiếu khảo sát thử
leaf: "2.1"
parts:
- {code: DV, name: Cung ứng dịch vụ}
aspects:
- {code: TC, name: Tiếp cận dịch vụ, part: DV}
- {code: CC, name: Công chức giải quyết công việc, part: DV}
- {code: MD, name: Mong đợi}
items:
- {code: TC1, text: Nơi đón tiếp thuận tiện, type: likert5, aspect: TC}
- {code: TC2, text: Có chỉ dẫn rõ ràng, type: likert5, aspect: TC}
- {code: CC1, text: Công chức lịch sự, type: likert5, aspect: CC}
- code: PHIEN_HA
  text: Công chức có gây phiền hà, sách nhiễu không?
  type: single
  aspect: CC
  choices: [{code: co, label: Có}, {code: khong, label: Không}]
- code: MONG_DOI
  text: Ông/bà mong muốn cải thiện nội dung nào?
  type: multi
  aspect: MD
  choices: [{code: thu_tuc, label: Thủ tục}, {code: thai_do, label: Thái độ}]
"""


def make_survey(w: World, source: str = YAML) -> Survey:
    q = questionnaire_upload(source=source, name="hai-long-thu.yaml", actor=w.admin)
    return survey_create(questionnaire=q, cycle=w.cycle, name="Khảo sát 2025", actor=w.admin)


@dataclass(frozen=True)
class SurveyObjects:
    """A survey of the world's cycle with a counter, a token and a pending response (the
    authorisation matrix points its paths at these)."""

    questionnaire_pk: int
    survey_pk: int
    frame_pk: int
    token: str
    response_pk: int


def survey_objects(w: World) -> SurveyObjects:
    survey = make_survey(w)
    frame = frame_set(
        survey=survey,
        unit=w.tuphap,
        kind=FrameKind.COUNTER,
        name="Quầy 1",
        population=500,
        target=50,
        actor=w.admin,
    )
    token = tokens_generate(survey=survey, frame=frame, count=1, actor=w.admin)[0]
    made = paper_entry(
        survey=survey, unit=w.tuphap, rows=[("P-1", {"TC1": "4"})], batch_count=1, actor=w.admin
    )
    return SurveyObjects(survey.questionnaire_id, survey.pk, frame.pk, token.token, made[0].pk)


def kobo_columns(xlsform: Path) -> list[str]:
    """The export header KoboToolbox gives for an XLSForm: meta columns, then every
    question as ``group/subgroup/name``, then ``_uuid``, ``_submission_time``,
    ``_validation_status``."""
    ws = load_workbook(xlsform, read_only=True)["survey"]
    rows = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    t, n = header.index("type"), header.index("name")
    path: list[str] = []
    out = ["start", "end"]
    for row in rows:
        kind, name = str(row[t] or ""), str(row[n] or "")
        if kind in ("begin_group", "begin group"):
            path.append(name)
        elif kind in ("end_group", "end group"):
            path.pop()
        elif kind and name:
            out.append("/".join([*path, name]))
    return [*out, "_id", "_uuid", "_submission_time", "_validation_status"]


def kobo_export(tmp: Path, rows: Sequence[dict[str, str]], survey: Survey) -> bytes:
    """A Kobo CSV export of ``rows`` ({item code or meta column: value}) for the survey's
    questionnaire, via its XLSForm."""
    form = tmp / "form.xlsx"
    write_xlsform(survey.questionnaire.parsed, form)
    header = kobo_columns(form)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for k, r in enumerate(rows):
        line = []
        for col in header:
            key = col.split("/")[-1]
            line.append(r.get(key, str(k + 1) if key == "_id" else ""))
        w.writerow(line)
    return out.getvalue().encode("utf-8")
