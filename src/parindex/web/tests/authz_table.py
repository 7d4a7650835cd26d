"""Who may request what: one row per page (URL name) and per API operation, read by
``test_authorisation_matrix``. A new URL or API operation needs a row here.

An answer is one of: ``ok`` (2xx, or a redirect to anything but the login page), ``login``
(redirect to the login page, or 401), ``denied`` (403: sees the object, may not act),
``hidden`` (404: not in the persona's scope), ``bad`` (400/413/422: allowed to try, the
input was refused), ``refused`` (409: allowed, but not in this state).

The personas are :data:`parindex.testing.PERSONAS`; the objects in the paths belong to Sở Tư
pháp, so ``staff``/``head`` act on their own unit, ``other_staff``/``colleague`` (Y tế) on
another unit's, ``appraiser`` is assigned to Tư pháp and ``other_appraiser`` is not. The
cycle is in self-assessment (draft), with provisional results computed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parindex.evidence.tests.samples import pdf_bytes
from parindex.surveys.tests.helpers import YAML as SURVEY_YAML
from parindex.testing import REFERENCE

UNIT = ("staff", "head")
OTHER_UNIT = ("other_staff", "colleague")
PROVINCE = ("admin", "appraiser", "other_appraiser", "council", "leader")


@dataclass(frozen=True)
class Expect:
    """The answer for every signed-in persona (``default``) unless ``only`` names it."""

    default: str
    only: dict[str, str] = field(default_factory=dict)
    anonymous: str = "login"
    method: str = "GET"
    #: The request body (JSON, or multipart when it holds a file), from the test's objects.
    body: Callable[[Any], Any] | None = None

    def expect(self, persona: str) -> str:
        if persona == "anonymous":
            return self.anonymous
        return self.only.get(persona, self.default)


def of(personas: tuple[str, ...] | list[str], answer: str) -> dict[str, str]:
    return dict.fromkeys(personas, answer)


def admin_only(method: str = "GET", ok: str = "ok", **kw: Any) -> Expect:
    """A Sở Nội vụ page: everyone else gets 404."""
    return Expect("hidden", {"admin": ok}, method=method, **kw)


def post(default: str, only: dict[str, str] | None = None, **kw: Any) -> Expect:
    return Expect(default, only or {}, method="POST", **kw)


#: Who reads Tư pháp's assessment: its unit, the province-wide roles but the appraiser
#: assigned elsewhere; Y tế's staff and an unassigned appraiser get 404.
READS_ASSESSMENT = Expect("ok", of([*OTHER_UNIT, "other_appraiser"], "hidden"))
#: A write on Tư pháp's assessment only its unit may make (POST form views): the pages
#: answer 404 to everyone else, where the API tells those who see it 403.
UNIT_FORM = post("hidden", of(UNIT, "ok"))
#: The head's own actions: on the pages even the unit's staff gets 404 (the API: 403).
HEAD_FORM = post("hidden", {"head": "ok"})


def later(days: int = 30) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


#: National results and the improvement analyses (parindex.national): admin, council, leaders.
NATIONAL = Expect("hidden", of(["admin", "council", "leader"], "ok"))


PAGES: dict[str, Expect] = {
    # Public pages: no sign-in; an unpublished cycle does not exist for anyone.
    "public:index": Expect("ok", anonymous="ok"),
    "favicon": Expect("ok", anonymous="ok"),
    "public:cycle": Expect("hidden", anonymous="hidden"),
    "public:csv": Expect("hidden", anonymous="hidden"),
    "public:download": Expect("hidden", anonymous="hidden"),
    # An earlier publication's file: the world's cycle was never published.
    "public:version": Expect("hidden", anonymous="hidden"),
    "login": Expect("ok", anonymous="ok"),
    "logout": post("login", anonymous="login"),  # back to the login page
    # Account pages (issue 9): everyone signed in, for their own account only.
    "twofactor_verify": Expect("ok"),  # no second step owed: back to the home page
    "account": Expect("ok"),
    "password_change": Expect("ok"),
    "twofactor_enrol": Expect("ok"),
    "token_list": post("ok", body=lambda o: {"name": "máy chủ báo cáo"}),
    "token_revoke": post("hidden", {"staff": "ok"}),  # the staff's own key
    "security_admin": admin_only(),
    "login_unlock": admin_only("POST"),
    "twofactor_reset": admin_only("POST"),
    "evidence:download": Expect("ok", of([*OTHER_UNIT, "other_appraiser"], "hidden")),
    # Exports: admin, council, leader.
    "reports:exports": Expect("hidden", of(["admin", "council", "leader"], "ok")),
    "reports:jobs": Expect("hidden", of(["admin", "council", "leader"], "ok")),
    "reports:download": Expect("hidden", of(["admin", "council", "leader"], "ok")),
    "reports:template": admin_only(),
    "reports:template_download": admin_only(),
    # Dossiers (hồ sơ TTHC): every reader sees its scope; the officials report is for heads
    # of unit and the province-wide roles; imports, calendar loads and feeds for Sở Nội vụ.
    "dossiers:metrics": Expect("ok"),
    "dossiers:metrics_xlsx": Expect("ok"),
    "dossiers:list": Expect("ok"),
    "dossiers:officials": Expect("ok", of(["staff", "other_staff"], "hidden")),
    "dossiers:imports": admin_only(),
    "dossiers:import_jobs": admin_only(),
    "dossiers:import_report": admin_only(),
    "dossiers:calendar": Expect("ok"),
    "dossiers:calendar_load": admin_only("POST"),
    "dossiers:feed": admin_only("POST"),
    # Dossiers, issue 11 gaps: one dossier (its unit and the province-wide roles; the other
    # unit 404); the status-mapping pages are Sở Nội vụ's.
    "dossiers:detail": Expect("ok", of(OTHER_UNIT, "hidden")),
    "dossiers:mappings": admin_only(),
    "dossiers:mapping_edit": admin_only(),
    "dossiers:mapping_delete": admin_only("POST"),
    "home": Expect("ok"),
    "results_home": Expect("ok"),
    # Provisional results: the province-wide roles; a unit sees its own unit's page only.
    "results_overview": Expect("ok", of([*UNIT, *OTHER_UNIT], "hidden")),
    "results_unit": Expect("ok", of(OTHER_UNIT, "hidden")),
    "results_criterion": Expect("ok", of([*UNIT, *OTHER_UNIT], "hidden")),
    "results_accountability": Expect("hidden", of(["admin", "council", "leader"], "ok")),
    "results_rating": admin_only(),
    "results_metrics": admin_only(),
    "results_metrics_template": admin_only(),
    "results_recompute": admin_only("POST"),
    "results_publish": admin_only("POST"),
    "unit_list": Expect("ok"),
    "unit_detail": Expect("ok", of(OTHER_UNIT, "hidden")),
    "unit_import": admin_only(),
    "unit_template": admin_only(),
    "framework_list": Expect("ok"),
    "framework_detail": Expect("ok"),
    "framework_download": Expect("ok"),
    "cycle_list": Expect("ok"),
    "cycle_open": admin_only(),
    "cycle_detail": Expect("ok"),
    "cycle_progress": Expect("hidden", of(["admin", "leader"], "ok")),
    "cycle_stage": admin_only(),
    "cycle_assignments": admin_only(),
    "cycle_extensions": admin_only(),
    "cycle_external": admin_only(),
    "cycle_external_template": admin_only(),
    "my_assessment": Expect("hidden", of([*UNIT, *OTHER_UNIT], "ok")),
    "assessment_detail": READS_ASSESSMENT,
    "assessment_submit": HEAD_FORM,
    "assessment_withdraw": HEAD_FORM,
    "assessment_resubmit": HEAD_FORM,
    "evidence_carry_forward": UNIT_FORM,
    "assessment_audit": READS_ASSESSMENT,
    "leaf": READS_ASSESSMENT,
    # Comments: the unit, the assigned appraiser and the admin (council and leader read).
    "comment_add": post(
        "hidden", of(["admin", *UNIT, "appraiser"], "ok"), body=lambda o: {"text": "Ý kiến"}
    ),
    "leaf_audit": READS_ASSESSMENT,
    "evidence_forms": Expect("hidden", of(UNIT, "ok")),
    "evidence_upload": post(
        UNIT_FORM.default,
        UNIT_FORM.only,
        body=lambda o: {"file": _file("kh.pdf", pdf_bytes()), "title": "Kế hoạch"},
    ),
    "evidence_reference": post(UNIT_FORM.default, UNIT_FORM.only, body=lambda o: REFERENCE),
    "evidence_attach": post(
        UNIT_FORM.default, UNIT_FORM.only, body=lambda o: {"document": o.document_pk}
    ),
    "evidence_detach": UNIT_FORM,
    # Appraisal pages: appraisers (of the unit, for a unit's pages) and the admin.
    "appraisal_home": Expect("hidden", of(["admin", "appraiser", "other_appraiser"], "ok")),
    "appraisal_criterion": Expect("hidden", of(["admin", "appraiser", "other_appraiser"], "ok")),
    "appraisal_unit": Expect("hidden", of(["admin", "appraiser"], "ok")),
    "appraisal_leaf": post("hidden", of(["admin", "appraiser"], "bad")),  # empty form: 422
    "appraisal_start": post("hidden", of(["admin", "appraiser"], "ok")),
    "assessment_return": post("hidden", of(["admin", "appraiser"], "ok")),
    "appraisal_round2_start": post("hidden", of(["admin", "appraiser"], "ok")),
    "assessment_reopen": admin_only("POST"),
    "council_list": Expect("hidden", of(["admin", "council", "leader"], "ok")),
    "council_approve": post("hidden", {"council": "ok"}),
    # Issue 8: the council's decision (no unit in round 2 here: refused with a message),
    # the read-only appraisal, the appraisers' "done" mark (refused in draft, with a
    # message), the unit's answer to a request for explanation, the admin's N/A.
    "council_decision": post("hidden", {"council": "ok"}),
    "council_unit": Expect("hidden", of(["admin", "council", "leader"], "ok")),
    "appraisal_done": post("hidden", of(["admin", "appraiser"], "ok")),
    "explanation_answer": post(UNIT_FORM.default, UNIT_FORM.only, body=lambda o: {"answer": "x"}),
    "cycle_external_na": admin_only("POST", body=lambda o: {"reason": "Không tổ chức khảo sát"}),
    "notification_list": Expect("ok"),
    "notification_read": post("hidden", {"staff": "ok"}),
    "notification_read_all": post("ok"),
    # Surveys (issue 10): the public form answers anyone with a valid token; the sampling,
    # import, paper entry, review and feed pages are the admin's; results are read by every
    # signed-in role within its scope (a unit's staff: their own unit).
    "surveys:form": Expect("ok", anonymous="ok"),
    "surveys:list": admin_only(),
    "surveys:questionnaire_add": admin_only("POST"),
    "surveys:add": admin_only("POST"),
    "surveys:detail": admin_only(),
    "surveys:frame_add": admin_only("POST"),
    "surveys:tokens_add": admin_only("POST"),
    "surveys:qr_sheet": admin_only(),
    "surveys:import": admin_only("POST"),
    "surveys:paper": admin_only(),
    "surveys:review": admin_only(),
    "surveys:decide": admin_only("POST", body=lambda o: {"decision": "approved"}),
    "surveys:approve_all": admin_only("POST"),
    "surveys:feed": admin_only("POST"),
    "surveys:status": admin_only("POST", body=lambda o: {"status": "closed"}),
    "surveys:results": Expect("ok"),
    "surveys:results_xlsx": Expect("ok"),
    "surveys:results_docx": Expect("ok"),
    # National results (parindex.national, issue 12 parts 1–4): national data for the admin,
    # the council and the leaders only (404 for everyone else); a unit's own internal lost
    # points and what-if once its results are final (the world's are provisional: 404).
    "national:index": NATIONAL,
    "national:import": admin_only("POST", ok="bad"),  # no file: the page again, 400
    "national:compare": NATIONAL,
    "national:lost": NATIONAL,
    "national:whatif": NATIONAL,
    "national:bands": NATIONAL,
    "national:unit_lost": NATIONAL,
    "national:unit_whatif": NATIONAL,
    "national:cycle_bands": NATIONAL,
}

A = "/api/assessments/{assessment_id}"
LEAF = A + "/leaves/{code}"
#: A unit's write on its own assessment through the API: the province-wide roles see the
#: assessment (403), Y tế's users and the unassigned appraiser do not (404).
UNIT_WRITE = Expect("denied", {**of(UNIT, "ok"), **of([*OTHER_UNIT, "other_appraiser"], "hidden")})
#: An appraiser's write on the assessment (403 for those who see it, 404 for the others);
#: the assessment is still a draft, so the assigned appraiser and the admin get 409.
APPRAISER_WRITE = Expect(
    "denied",
    {**of(["admin", "appraiser"], "refused"), **of([*OTHER_UNIT, "other_appraiser"], "hidden")},
)
#: Results (provisional): the province-wide roles; units get 400 until they are published.
RESULTS = Expect("ok", of([*UNIT, *OTHER_UNIT], "bad"))


API: dict[str, Expect] = {
    "GET /api/cycles": Expect("ok"),
    "POST /api/cycles": Expect(
        "denied",
        {"admin": "ok"},
        body=lambda o: {
            "year": 2026,
            "name": "Chỉ số CCHC năm 2026",
            "frameworks": {o.world.group.code: o.world.fw.code},
            "units": [o.world.tuphap.code],
            "deadlines": {"self_assessment": later()},
        },
    ),
    "GET /api/cycles/{cycle_id}": Expect("ok"),
    "GET /api/cycles/{cycle_id}/units": Expect("ok"),
    # The world's cycle is in self-assessment with draft assessments: the admin's move to
    # round 1 is refused with the blockers (400); everyone else may not move a cycle.
    "POST /api/cycles/{cycle_id}/transition": Expect(
        "denied",
        {"admin": "bad"},
        body=lambda o: {"to": "appraisal_round1", "reason": ""},
    ),
    # docs/api.md says "admin"; the selector scopes the rows (a unit sees its own row).
    "GET /api/cycles/{cycle_id}/progress": Expect("ok"),
    # docs/api.md says "admin"; the rows are scoped to the units the caller sees.
    "GET /api/cycles/{cycle_id}/extensions": Expect("ok"),
    # Y tế's users are told Tư pháp does not take part (400) before the role check (403):
    # their participants are their own unit only. Harmless, kept.
    "POST /api/cycles/{cycle_id}/extensions": Expect(
        "denied",
        {"admin": "ok", **of(OTHER_UNIT, "bad")},
        body=lambda o: {
            "unit": o.world.tuphap.code,
            "stage": "self_assessment",
            "until": later(15),
            "reason": "Thay đổi nhân sự",
        },
    ),
    # The appraisal team: admin only (it was every signed-in user until issue 7).
    "GET /api/cycles/{cycle_id}/assignments": Expect("denied", {"admin": "ok"}),
    "PUT /api/cycles/{cycle_id}/assignments": Expect(
        "denied",
        {"admin": "ok"},
        body=lambda o: {"appraiser": "thamdinh", "units": ["so-tu-phap"], "criteria_codes": []},
    ),
    "POST /api/cycles/{cycle_id}/external-points": Expect(
        "denied",
        {"admin": "ok"},
        body=lambda o: {"file": _file("diem.csv", b"unit,code,points\nso-tu-phap,2.1,3.5\n")},
    ),
    "GET /api/assessments": Expect("ok"),
    f"GET {A}": READS_ASSESSMENT,
    f"GET {LEAF}": READS_ASSESSMENT,
    f"PUT {LEAF}": Expect(
        UNIT_WRITE.default,
        UNIT_WRITE.only,
        body=lambda o: {"version": o.version, "value": "Kịp thời", "explanation": "Có kế hoạch"},
    ),
    f"POST {A}/submit": Expect(
        "denied", {"head": "bad", **of([*OTHER_UNIT, "other_appraiser"], "hidden")}
    ),
    f"POST {A}/withdraw": Expect(
        "denied", {"head": "refused", **of([*OTHER_UNIT, "other_appraiser"], "hidden")}
    ),
    f"POST {A}/appraisal/start": APPRAISER_WRITE,
    f"PUT {LEAF}/appraisal": Expect(
        APPRAISER_WRITE.default,
        APPRAISER_WRITE.only,
        body=lambda o: {"version": o.version, "round": 1, "points": "1", "reason": "Ban hành"},
    ),
    f"GET {LEAF}/comments": READS_ASSESSMENT,
    f"POST {LEAF}/comments": Expect(
        "ok",
        {**of(["council", "leader"], "denied"), **of([*OTHER_UNIT, "other_appraiser"], "hidden")},
        body=lambda o: {"text": "Đề nghị bổ sung văn bản"},
    ),
    f"POST {A}/return": Expect(
        APPRAISER_WRITE.default,
        APPRAISER_WRITE.only,
        body=lambda o: {
            "deadline": later(3),
            "leaves": [{"code": "1.1", "message": "Bổ sung kế hoạch"}],
        },
    ),
    f"POST {A}/resubmit": Expect(
        "denied", {"head": "refused", **of([*OTHER_UNIT, "other_appraiser"], "hidden")}
    ),
    f"POST {A}/round2/start": APPRAISER_WRITE,
    f"POST {A}/approve": Expect(
        "denied", {"council": "refused", **of([*OTHER_UNIT, "other_appraiser"], "hidden")}
    ),
    f"POST {A}/reopen": Expect(
        "denied",
        {"admin": "refused", **of([*OTHER_UNIT, "other_appraiser"], "hidden")},
        body=lambda o: {"reason": "Sai sót số liệu"},
    ),
    # Path code 1.1 is not an external leaf: the admin may try (400).
    f"PUT {LEAF}/external": Expect(
        "denied",
        {"admin": "bad", **of([*OTHER_UNIT, "other_appraiser"], "hidden")},
        body=lambda o: {"points": "1", "note": "Khảo sát SIPAS 2025"},
    ),
    f"PUT {LEAF}/adjustment": Expect(
        APPRAISER_WRITE.default,
        APPRAISER_WRITE.only,
        body=lambda o: {"points": "0.5", "reason": "Sáng kiến được công nhận"},
    ),
    f"GET {A}/audit": READS_ASSESSMENT,
    f"GET {LEAF}/audit": READS_ASSESSMENT,
    "GET /api/units/{unit_code}/documents": Expect("ok", of(OTHER_UNIT, "hidden")),
    "POST /api/units/{unit_code}/documents": Expect(
        "hidden",
        of(UNIT, "ok"),
        body=lambda o: {"file": _file("kh.pdf", pdf_bytes()), "title": "Kế hoạch"},
    ),
    "POST /api/units/{unit_code}/references": Expect(
        "hidden", of(UNIT, "ok"), body=lambda o: REFERENCE
    ),
    "GET /api/documents/{document_id}/download": Expect(
        "ok", of([*OTHER_UNIT, "other_appraiser"], "hidden")
    ),
    f"GET {LEAF}/evidence": READS_ASSESSMENT,
    f"POST {LEAF}/evidence": Expect(
        UNIT_WRITE.default,
        UNIT_WRITE.only,
        body=lambda o: {"document": o.document_pk, "page_ref": "mục II"},
    ),
    f"DELETE {LEAF}/evidence/{{link_id}}": UNIT_WRITE,
    f"POST {A}/carry-forward": UNIT_WRITE,
    "GET /api/notifications": Expect("ok"),
    "POST /api/notifications/{notification_id}/read": Expect("hidden", {"staff": "ok"}),
    "POST /api/notifications/read": Expect("ok"),
    "GET /api/tokens": Expect("ok"),
    "POST /api/tokens": Expect("ok", body=lambda o: {"name": "máy chủ báo cáo"}),
    "DELETE /api/tokens/{token_id}": Expect("hidden", {"staff": "ok"}),
    "GET /api/cycles/{cycle_id}/results": RESULTS,
    "GET /api/cycles/{cycle_id}/results.csv": RESULTS,
    "POST /api/cycles/{cycle_id}/exports": Expect(
        "hidden", of(["admin", "council", "leader"], "ok"), body=lambda o: {"kind": "csv"}
    ),
    "GET /api/exports/{job_id}": Expect("hidden", of(["admin", "council", "leader"], "ok")),
    "GET /api/exports/{job_id}/file": Expect("hidden", of(["admin", "council", "leader"], "ok")),
    "GET /api/questionnaires": Expect("ok"),
    "GET /api/questionnaires/{questionnaire_id}": Expect("ok"),
    "POST /api/questionnaires": Expect(
        "denied", {"admin": "ok"}, body=lambda o: {"source": SURVEY_YAML, "name": "q.yaml"}
    ),
    "GET /api/surveys/{survey_id}/responses": admin_only(),
    "POST /api/surveys/{survey_id}/responses": admin_only(
        "POST",
        body=lambda o: {"respondent": "API-1", "unit": "so-tu-phap", "answers": {"TC1": "5"}},
    ),
    "POST /api/surveys/{survey_id}/responses/import": admin_only(
        "POST", body=lambda o: {"file": _file("r.csv", b"respondent,unit,TC1\nX1,so-tu-phap,4\n")}
    ),
    "POST /api/surveys/{survey_id}/responses/{response_id}/review": admin_only(
        "POST", body=lambda o: {"decision": "approved"}
    ),
    "GET /api/surveys/{survey_id}/results": Expect("ok"),
    "GET /api/dossiers": Expect("ok"),
    "GET /api/dossiers/metrics": Expect("ok"),
    "GET /api/dossier-imports": admin_only(),
    "GET /api/dossier-imports/{import_id}": admin_only(),
    # National results (parindex.national): the list is scoped (empty for the others); the
    # import is the admin's (an unknown province: 400); the reads and what-ifs are 404 for
    # everyone but the admin, the council and the leaders (units: their own, once final).
    "GET /api/national/datasets": Expect("ok"),
    "POST /api/national/datasets": Expect(
        "denied",
        {"admin": "bad"},
        body=lambda o: {
            "year": 2025,
            "kind": "par",
            "framework": "mau-par-index-quoc-gia",
            "file": _file("kq.csv", "tinh;ma;diem\nTỉnh Hà Tây;;70\n".encode()),
        },
    ),
    "GET /api/national/datasets/{dataset_id}/comparison": NATIONAL,
    "GET /api/national/datasets/{dataset_id}/lost-points": NATIONAL,
    "POST /api/national/datasets/{dataset_id}/whatif": Expect(
        NATIONAL.default, NATIONAL.only, body=lambda o: {"target_rank": 1}
    ),
    "GET /api/national/datasets/{dataset_id}/rank-bands": NATIONAL,
    "GET /api/cycles/{cycle_id}/lost-points": NATIONAL,
    "POST /api/cycles/{cycle_id}/whatif": Expect(
        NATIONAL.default, NATIONAL.only, body=lambda o: {"target_rank": 1}
    ),
    "GET /api/cycles/{cycle_id}/rank-bands": NATIONAL,
}


# --------------------------------------------------------------------------- improvement
# parindex.improvement (issue 12 parts 5–6). Objects (``o.improvement``): this year's matrix
# row for 1.1 led by Tư pháp (no partner), an approved plan with a task led by Tư pháp.
# The matrix, the plans, the dashboard and the exports are the province-wide roles'; the lead
# unit (staff, head) reads and reports on its own row and task; Y tế sees neither (404).
# A page refusing a state change (approving an approved plan) answers with a message.

READS_PLAN = Expect("ok", of([*UNIT, *OTHER_UNIT], "hidden"))
LEAD_REPORTS = post("hidden", of(["admin", *UNIT], "ok"))


def _year() -> int:
    return timezone.localdate().year


PAGES |= {
    "improvement:matrix": READS_PLAN,
    "improvement:matrix_add": admin_only(
        "POST",
        body=lambda o: {
            "year": _year(),
            "framework": o.world.fw.pk,
            "criterion": "1.2",
            "lead_unit": o.world.tuphap.pk,
        },
    ),
    "improvement:matrix_copy": admin_only("POST"),
    "improvement:matrix_row": Expect("ok", of(OTHER_UNIT, "hidden")),
    "improvement:matrix_progress": post(
        LEAD_REPORTS.default, LEAD_REPORTS.only, body=lambda o: {"status": "doing"}
    ),
    "improvement:my_criteria": Expect("ok"),
    "improvement:plans": READS_PLAN,
    "improvement:plan": READS_PLAN,
    "improvement:target_set": admin_only(
        "POST", body=lambda o: {"criterion": "1.1", "target_points": "1"}
    ),
    "improvement:task_add": admin_only(
        "POST",
        body=lambda o: {
            "title": "Rà soát",
            "lead_unit": o.world.tuphap.pk,
            "deadline": "2030-01-31",
        },
    ),
    "improvement:plan_generate": admin_only("POST"),
    "improvement:plan_approve": admin_only("POST"),
    "improvement:dashboard": READS_PLAN,
    "improvement:plan_docx": READS_PLAN,
    "improvement:plan_xlsx": READS_PLAN,
    "improvement:task": Expect("ok", of(OTHER_UNIT, "hidden")),
    "improvement:task_progress": post(
        LEAD_REPORTS.default,
        LEAD_REPORTS.only,
        body=lambda o: {"status": "doing", "progress": "10"},
    ),
    "improvement:task_evidence": LEAD_REPORTS,
    # everyone who reads the task (partners too) downloads its evidence
    "improvement:task_document": Expect("ok", of(OTHER_UNIT, "hidden")),
}


def api_lead_write(body: dict[str, Any]) -> Expect:
    """A lead unit's API write: 403 for those who see the object but may not act, 404 for
    another unit."""
    return Expect(
        "denied", {"admin": "ok", **of(UNIT, "ok"), **of(OTHER_UNIT, "hidden")}, body=lambda o: body
    )


API |= {
    "GET /api/improvement/matrix": Expect("ok"),
    "POST /api/improvement/matrix": Expect(
        "denied",
        {"admin": "ok"},
        body=lambda o: {
            "year": _year(),
            "framework": o.world.fw.code,
            "criterion": "1.2",
            "lead_unit": "so-tu-phap",
        },
    ),
    "GET /api/improvement/matrix/{row_id}": Expect("ok", of(OTHER_UNIT, "hidden")),
    "POST /api/improvement/matrix/{row_id}/progress": api_lead_write({"status": "doing"}),
    "GET /api/improvement/plans": Expect("ok"),  # a unit's users get an empty list
    "POST /api/improvement/plans": Expect(
        "denied", {"admin": "ok"}, body=lambda o: {"year": 2040, "framework": o.world.fw.code}
    ),
    "GET /api/improvement/plans/{plan_id}": READS_PLAN,
    # approving an approved plan: the admin is refused (409), the others do not see it
    "POST /api/improvement/plans/{plan_id}/approve": Expect("hidden", {"admin": "refused"}),
    # drafting an approved plan: refused (409) for the admin
    "POST /api/improvement/plans/{plan_id}/draft": Expect(
        "hidden",
        {"admin": "refused"},
        body=lambda o: {"cycle_id": o.world.cycle.pk, "unit": "so-tu-phap"},
    ),
    "GET /api/improvement/plans/{plan_id}/targets": READS_PLAN,
    "PUT /api/improvement/plans/{plan_id}/targets": admin_only(
        body=lambda o: {"criterion": "1.1", "target_points": 1}
    ),
    "GET /api/improvement/plans/{plan_id}/tasks": READS_PLAN,
    "POST /api/improvement/plans/{plan_id}/tasks": admin_only(
        body=lambda o: {"title": "Rà soát", "lead_unit": "so-tu-phap", "deadline": "2030-01-31"}
    ),
    "GET /api/improvement/plans/{plan_id}/export.{fmt}": READS_PLAN,
    "GET /api/improvement/tasks/{task_id}": Expect("ok", of(OTHER_UNIT, "hidden")),
    "PUT /api/improvement/tasks/{task_id}": Expect(
        "denied",
        {"admin": "ok", **of(OTHER_UNIT, "hidden")},
        body=lambda o: {"title": "Rà soát", "lead_unit": "so-tu-phap", "deadline": "2030-01-31"},
    ),
    "POST /api/improvement/tasks/{task_id}/progress": api_lead_write(
        {"status": "doing", "progress": 10}
    ),
}


# ---- oversight (issue 12 parts 7–9, app parindex.oversight) -------------------------------
# The admin, the council and the leaders read everything, a unit's users their own unit's
# rows; appraisers and other units get 404. The admin writes; a unit resolves the findings
# addressed to it and keeps its own initiatives. The objects are Tư pháp's
# (parindex.oversight.tests.helpers.OversightObjects).
APPRAISERS = ("appraiser", "other_appraiser")
#: Read by the admin, the council, the leaders and every unit's users (their own rows).
OVERSIGHT_READ = Expect("ok", of(APPRAISERS, "hidden"))
#: Tư pháp's object: its unit and the province-wide readers; Y tế and appraisers get 404.
OVERSIGHT_OWN = Expect("ok", of([*OTHER_UNIT, *APPRAISERS], "hidden"))
#: An admin-only write through the API: readers see the object (403), appraisers do not.
OVERSIGHT_ADMIN_API = Expect("denied", {"admin": "ok", **of(APPRAISERS, "hidden")})
#: The same on a Tư pháp object, which Y tế's users do not see either.
OVERSIGHT_ADMIN_OWN_API = Expect(
    "denied", {"admin": "ok", **of([*OTHER_UNIT, *APPRAISERS], "hidden")}
)


def oversight_target_form(o: Any) -> dict[str, str]:
    return {
        "kind": "budget", "name": "Thu ngân sách nhà nước", "unit": o.world.tuphap.code,
        "lead_unit": o.world.tuphap.code, "measure": "tỷ đồng", "target": "1200",
        "actual": "1250",
    }  # fmt: skip


PAGES |= {
    "oversight:index": OVERSIGHT_READ,
    "oversight:inspections": OVERSIGHT_READ,
    "oversight:report": OVERSIGHT_READ,
    "oversight:report_xlsx": OVERSIGHT_READ,
    "oversight:initiatives": OVERSIGHT_READ,
    "oversight:targets": OVERSIGHT_READ,
    "oversight:entry": OVERSIGHT_OWN,
    "oversight:initiative_file": OVERSIGHT_OWN,
    "oversight:plan_save": admin_only("POST", body=lambda o: {"title": "Kế hoạch kiểm tra"}),
    "oversight:entry_add": admin_only(
        "POST",
        body=lambda o: {"unit": o.world.yte.code, "planned_on": "2025-11-03", "team": "Đoàn 2"},
    ),
    "oversight:entry_remove": admin_only("POST"),  # refused with a message: it has a record
    "oversight:record_add": admin_only(
        "POST", body=lambda o: {"inspected_on": "2025-10-20", "team": "Đoàn 1", "content": "x"}
    ),
    "oversight:finding_add": admin_only(
        "POST", body=lambda o: {"issue": "Thiếu báo cáo", "recommendation": "Bổ sung"}
    ),
    "oversight:record_edit": admin_only(
        "POST", body=lambda o: {"inspected_on": "2025-10-21", "team": "Đoàn 1", "content": "y"}
    ),
    "oversight:finding_edit": admin_only(
        "POST", body=lambda o: {"issue": "Thiếu báo cáo", "recommendation": "Bổ sung ngay"}
    ),
    # The council and the leaders see the finding but may not resolve it: 404 on the pages.
    "oversight:finding_resolve": post(
        "hidden", of(["admin", *UNIT], "ok"), body=lambda o: {"status": "resolved"}
    ),
    # Every unit registers its own initiatives (Y tế's users for Y tế); readers only read.
    "oversight:initiative_add": post(
        "ok",
        of([*APPRAISERS, "council", "leader"], "hidden"),
        body=lambda o: {"unit": o.world.tuphap.code, "year": "2025", "title": "Một cửa số"},
    ),
    "oversight:initiative_remove": post("hidden", of(["admin", *UNIT], "ok")),
    "oversight:initiative_goal": admin_only(
        "POST", body=lambda o: {"year": "2025", "per_department": "1", "ministry": "3"}
    ),
    "oversight:target_add": admin_only("POST", body=oversight_target_form),
    "oversight:target_edit": admin_only("POST", body=oversight_target_form),
    "oversight:targets_feed": admin_only("POST"),
}

API |= {
    "GET /api/cycles/{cycle_id}/inspection-plan": OVERSIGHT_READ,
    "PUT /api/cycles/{cycle_id}/inspection-plan": Expect(
        OVERSIGHT_ADMIN_API.default,
        OVERSIGHT_ADMIN_API.only,
        body=lambda o: {"title": "Kế hoạch kiểm tra CCHC năm 2025", "min_share": 30},
    ),
    "GET /api/inspection-plans/{inspection_plan_id}/entries": OVERSIGHT_READ,
    "POST /api/inspection-plans/{inspection_plan_id}/entries": Expect(
        OVERSIGHT_ADMIN_API.default,
        OVERSIGHT_ADMIN_API.only,
        body=lambda o: {"unit": o.world.yte.code, "planned_on": "2025-11-03", "team": "Đoàn 2"},
    ),
    "GET /api/inspection-plans/{inspection_plan_id}/records": OVERSIGHT_READ,
    "GET /api/inspection-plans/{inspection_plan_id}/findings": OVERSIGHT_READ,
    "GET /api/inspection-plans/{inspection_plan_id}/report": OVERSIGHT_READ,
    "POST /api/inspection-entries/{entry_id}/records": Expect(
        OVERSIGHT_ADMIN_OWN_API.default,
        OVERSIGHT_ADMIN_OWN_API.only,
        body=lambda o: {"inspected_on": "2025-10-20", "team": "Đoàn 1", "content": "Kiểm tra"},
    ),
    "POST /api/inspection-records/{record_id}/findings": Expect(
        OVERSIGHT_ADMIN_OWN_API.default,
        OVERSIGHT_ADMIN_OWN_API.only,
        body=lambda o: {"issue": "Thiếu báo cáo", "recommendation": "Bổ sung báo cáo"},
    ),
    "PUT /api/inspection-records/{record_id}": Expect(
        OVERSIGHT_ADMIN_OWN_API.default,
        OVERSIGHT_ADMIN_OWN_API.only,
        body=lambda o: {"inspected_on": "2025-10-21", "team": "Đoàn 1", "content": "Sửa"},
    ),
    "PUT /api/findings/{finding_id}": Expect(
        OVERSIGHT_ADMIN_OWN_API.default,
        OVERSIGHT_ADMIN_OWN_API.only,
        body=lambda o: {"issue": "Thiếu báo cáo", "recommendation": "Bổ sung ngay"},
    ),
    "PUT /api/findings/{finding_id}/resolution": Expect(
        "denied",
        {**of(["admin", *UNIT], "ok"), **of([*OTHER_UNIT, *APPRAISERS], "hidden")},
        body=lambda o: {"status": "unresolved", "reason": "Chờ bố trí kinh phí"},
    ),
    "GET /api/initiatives": OVERSIGHT_READ,
    # Y tế's users asking to register for Tư pháp: another unit's register (404).
    "POST /api/initiatives": Expect(
        "denied",
        {**of(["admin", *UNIT], "ok"), **of([*OTHER_UNIT, *APPRAISERS], "hidden")},
        body=lambda o: {"unit": o.world.tuphap.code, "year": 2025, "title": "Một cửa số"},
    ),
    "GET /api/initiatives/progress": OVERSIGHT_READ,
    "GET /api/cycles/{cycle_id}/targets": OVERSIGHT_READ,
    "POST /api/cycles/{cycle_id}/targets": Expect(
        OVERSIGHT_ADMIN_API.default, OVERSIGHT_ADMIN_API.only, body=oversight_target_form
    ),
    "PUT /api/targets/{target_id}": Expect(
        OVERSIGHT_ADMIN_OWN_API.default, OVERSIGHT_ADMIN_OWN_API.only, body=oversight_target_form
    ),
    "POST /api/cycles/{cycle_id}/targets/feed": OVERSIGHT_ADMIN_API,
    # Dossiers, issue 11 gaps: one dossier with its classification; the status mappings.
    "GET /api/dossiers/{dossier_id}": Expect("ok", of(OTHER_UNIT, "hidden")),
    "GET /api/dossier-status-mappings": admin_only(),
    "POST /api/dossier-status-mappings": admin_only(
        "POST", ok="ok", body=lambda o: {"source": "igate", "value": "Đang chờ ký", "code": 4}
    ),
    "PUT /api/dossier-status-mappings/{mapping_id}": admin_only(
        "PUT", body=lambda o: {"source": "igate", "value": "Đã xong (MT)", "code": 10}
    ),
    "DELETE /api/dossier-status-mappings/{mapping_id}": admin_only("DELETE"),
}
