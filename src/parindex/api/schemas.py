"""Request and response shapes. Responses are plain dicts built here, so every endpoint
shows the same fields for the same object."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.urls import reverse
from ninja import Field, Schema

from parindex.cycles.models import DEADLINE_STAGES


class ErrorItem(Schema):
    field: str = ""
    message: str


class Error(Schema):
    detail: str
    errors: list[ErrorItem] = []


class Conflict(Error):
    current: dict[str, Any] | None = None


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Conflict, 422: Error}
UPLOAD_ERRORS = {**ERRORS, 413: Error}


def file_content(media_types: Iterable[str], description: str) -> dict[str, Any]:
    """``openapi_extra`` of an endpoint whose 200 is a file: its content types (the
    endpoint declares ``200: None``, so no JSON body is documented for it)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    content = {t.split(";")[0].strip(): binary for t in media_types}
    return {"responses": {200: {"description": description, "content": content}}}


# ---- bounded scalars ---------------------------------------------------------------
# The bounds are in the schema, so a client (and schemathesis) sees them, and a number
# the database cannot hold is a 422 rather than a server error.

#: Object ids: BigAutoField on both databases (signed 64-bit).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=1900, le=9999)]
#: A small counter (versions, rounds).
Small = Annotated[int, Field(ge=0, le=2**31 - 1)]
#: A required text: the empty string is refused by the schema (``minLength: 1``).
Text = Annotated[str, Field(min_length=1)]
#: Points: a JSON number or a decimal string with a dot (``"1.5"``).
Points = Annotated[
    Decimal,
    Field(
        json_schema_extra={
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^[+-]?[0-9]{1,12}(\.[0-9]{1,6})?$"},
            ]
        }
    ),
]


# ---- inputs -------------------------------------------------------------------------


class CycleOpenIn(Schema):
    year: Year
    name: Text
    #: unit group code → framework code
    frameworks: dict[str, str]
    #: participating unit codes
    units: list[str]
    #: stage → deadline, e.g. {"self_assessment": "2026-01-15T17:00:00+07:00"}
    deadlines: dict[str, datetime] = {}


class TransitionIn(Schema):
    to: Text
    reason: str = ""


class ExtensionIn(Schema):
    unit: Text
    stage: Text
    until: datetime
    reason: Text


class AssignmentIn(Schema):
    appraiser: Text
    units: list[str] = []
    criteria_codes: list[str] = []


class ScoreIn(Schema):
    version: Small
    value: str | None = None
    points: Points | None = None
    not_applicable: bool | None = None
    explanation: str | None = None


class AppraisalIn(Schema):
    version: Small
    round: Small
    points: Points | None = None
    reason: str = ""


class CommentIn(Schema):
    text: Text


class ReturnLeafIn(Schema):
    code: Text
    message: Text


class ReturnIn(Schema):
    deadline: datetime
    #: The leaves that need an explanation, each with its message (at least one).
    leaves: list[ReturnLeafIn] = []
    #: An optional note for the whole assessment.
    message: str = ""


class ReasonIn(Schema):
    reason: Text


class ExternalIn(Schema):
    points: Points | None = None
    note: str = ""


class AdjustmentIn(Schema):
    points: Points | None = None
    reason: str = ""


class ReferenceIn(Schema):
    title: str = ""
    number: Text
    issued_on: date | None = None
    issuer: str = ""
    summary: str = ""
    page_ref: str = ""


class AttachIn(Schema):
    document: Id
    page_ref: str = ""


class TokenIn(Schema):
    name: Text
    #: days the key lives (default PARINDEX_API_TOKEN_DAYS)
    days: int | None = Field(None, ge=1, le=366)


# ---- outputs ------------------------------------------------------------------------


class CycleOut(Schema):
    id: int
    year: int
    name: str
    status: str
    status_label: str
    deadlines: dict[str, datetime | None]


class AssessmentOut(Schema):
    id: int
    cycle: int
    unit: str
    unit_name: str
    framework: str
    status: str
    status_label: str
    version: int
    submitted_at: datetime | None = None
    explanation_due: datetime | None = None
    return_message: str = ""
    approved_at: datetime | None = None


class ScoreOut(Schema):
    id: int
    code: str
    name: str
    max_points: Decimal | None = None
    source: str
    self_value: str
    self_points: Decimal | None = None
    not_applicable: bool
    explanation: str
    round1_points: Decimal | None = None
    round1_reason: str
    round2_points: Decimal | None = None
    round2_reason: str
    final_points: Decimal | None = None
    final_source: str
    adjustment_reason: str
    external_note: str
    version: int
    updated_at: datetime | None = None


class NodeScoreOut(Schema):
    points: str | None = None
    max_points: str | None = None
    index: str | None = None


class RuleOut(Schema):
    type: str
    params: dict[str, Any]


class LeafOut(ScoreOut):
    evidence_count: int
    comments_count: int
    #: why the leaf blocks submission (None when it does not)
    missing: str | None = None
    rule: RuleOut | None = None
    guidance: str
    evidence_hint: str


class NodeOut(Schema):
    code: str
    name: str
    max_points: str | None = None
    source: str
    self: NodeScoreOut | None = None
    final: NodeScoreOut | None = None
    leaf: LeafOut | None = None
    children: list[NodeOut]


class MissingOut(Schema):
    code: str
    name: str
    reason: str


class TotalsOut(Schema):
    #: "Tổng điểm tự chấm" (one definition: assessments.selectors.self_assessed_points),
    #: bonus and penalty included; ``self_bonus`` / ``self_penalty`` show them apart.
    self: NodeScoreOut | None = None
    final: NodeScoreOut | None = None
    self_bonus: Decimal | None = None
    self_penalty: Decimal | None = None


class TreeOut(Schema):
    assessment: AssessmentOut
    totals: TotalsOut
    missing: list[MissingOut]
    areas: list[NodeOut]


class ProgressOut(Schema):
    assessment: int
    unit: str
    unit_name: str
    status: str
    status_label: str
    self_leaves: int
    scored: int
    claimed: int
    supported: int
    scored_share: str
    evidenced_share: str
    stage: str | None = None
    deadline: datetime | None = None
    days_left: int | None = None
    overdue: bool


class ParticipantOut(Schema):
    unit: str
    name: str
    group: str


class CommentOut(Schema):
    id: int
    author: str
    round: int
    text: str
    created_at: datetime


class ExtensionOut(Schema):
    id: int
    unit: str
    stage: str
    until: datetime
    reason: str
    granted_by: str


class AssignmentOut(Schema):
    id: int
    appraiser: str
    units: list[str]
    criteria_codes: list[str]


class DocumentOut(Schema):
    id: int
    unit: str
    kind: str
    title: str
    original_name: str
    content_type: str
    size: int
    number: str
    issued_on: date | None = None
    issuer: str
    summary: str
    page_ref: str
    year: int
    created_at: datetime
    download_url: str | None = None


class LinkOut(Schema):
    id: int
    score: int
    document: DocumentOut
    page_ref: str


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    field: str
    before: Any = None
    after: Any = None
    reason: str


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class TokenCreatedOut(TokenOut):
    #: the plaintext key — shown once, never stored
    key: str


class Done(Schema):
    detail: str


# ---- serialisers --------------------------------------------------------------------


def _name(user: Any) -> str:
    return "" if user is None else str(user)


def _attrs(obj: Any, names: str) -> dict[str, Any]:
    """The attributes of ``obj`` named in ``names`` (separated by spaces), by name."""
    return {name: getattr(obj, name) for name in names.split()}


def cycle_out(cycle: Any) -> dict[str, Any]:
    return {
        "id": cycle.pk,
        **_attrs(cycle, "year name status"),
        "status_label": cycle.get_status_display(),
        "deadlines": {s: cycle.deadline_for(s) for s in DEADLINE_STAGES},
    }


def assessment_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "cycle": a.cycle_id,
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "framework": a.framework.code,
        "status": a.status,
        "status_label": a.get_status_display(),
        **_attrs(a, "version submitted_at explanation_due return_message approved_at"),
    }


def score_out(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        **_attrs(s.criterion, "code name max_points source"),
        **_attrs(
            s,
            "self_value self_points not_applicable explanation round1_points round1_reason "
            "round2_points round2_reason final_points final_source adjustment_reason "
            "external_note version updated_at",
        ),
    }


def comment_out(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "author": _name(c.author), **_attrs(c, "round text created_at")}


def extension_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "unit": e.unit.code,
        **_attrs(e, "stage until reason"),
        "granted_by": _name(e.granted_by),
    }


def assignment_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "appraiser": a.appraiser.username,
        "units": sorted(u.code for u in a.units.all()),
        "criteria_codes": list(a.criteria_codes or []),
    }


def document_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "unit": d.unit.code,
        **_attrs(
            d,
            "kind title original_name content_type size number issued_on issuer summary "
            "page_ref year created_at",
        ),
        "download_url": (
            reverse("api:document_download", args=[d.pk]) if d.is_file and d.file else None
        ),
    }


def link_out(link: Any) -> dict[str, Any]:
    return {
        "id": link.pk,
        "score": link.score_id,
        "document": document_out(link.document),
        "page_ref": link.page_ref,
    }


def audit_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "at": e.at,
        "actor": _name(e.actor),
        **_attrs(e, "action object_type object_id object_repr field before after reason"),
    }


def notification_out(n: Any) -> dict[str, Any]:
    return {"id": n.pk, **_attrs(n, "kind title body url created_at read_at")}


def token_out(t: Any) -> dict[str, Any]:
    return {"id": t.pk, **_attrs(t, "name prefix created_at expires_at last_used_at revoked_at")}
