"""Reads for the annual cycle, scoped to the user (outsiders get 404), with a fixed
number of queries whatever the size of the framework."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parindex.assessments.models import (
    AppraisalAssignment,
    Assessment,
    AssessmentStatus,
    Comment,
    CouncilDecision,
    DeadlineExtension,
    ExplanationRequest,
    LeafScore,
)
from parindex.assessments.permissions import can_view
from parindex.audit.models import AuditEvent
from parindex.audit.selectors import audit_events_for
from parindex.cycles.models import Cycle, CycleStatus
from parindex.engine import framework as eng
from parindex.engine.aggregate import NA, CompiledFramework, UnitScore, aggregate
from parindex.evidence.models import EvidenceLink
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import criteria_of, criterion_rule
from parindex.frameworks.shape import framework_shape

S = AssessmentStatus


# ---------------------------------------------------------------- scope


def _scope(user: Any, to: str = "") -> Q | Exists | bool:
    """The filter of what ``user`` may see, on the assessment reached by the path ``to``
    (``"assessment__"`` from a leaf score): ``True`` for everything, ``False`` for
    nothing. Admin, council and leaders see every assessment; appraisers the units
    assigned to them (an assignment without units covers every unit of its cycle); unit
    staff and heads their own unit's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.is_province_admin or user.is_council or user.is_leader:
        return True
    if user.is_appraiser:
        assigned = AppraisalAssignment.objects.filter(
            appraiser=user, cycle_id=OuterRef(f"{to}cycle_id")
        ).filter(Q(units__isnull=True) | Q(units=OuterRef(f"{to}unit_id")))
        return Exists(assigned)
    if not user.unit_id or not user.is_unit_user:
        return False
    return Q(**{f"{to}unit_id": user.unit_id})


def assessments_for(user: Any) -> QuerySet[Assessment]:
    """The assessments ``user`` may see (:func:`_scope`)."""
    return _scoped(
        Assessment.objects.select_related("cycle", "unit", "unit__group", "framework"),
        _scope(user),
    )


def _scoped(qs: QuerySet[Any], scope: Q | Exists | bool) -> QuerySet[Any]:
    if scope is True:
        return qs
    return qs.none() if scope is False else qs.filter(scope)


def assessment_get(user: Any, pk: int) -> Assessment:
    """The assessment if the user may see it; 404 otherwise (never 403)."""
    return get_object_or_404(assessments_for(user), pk=pk)


def scores_of(assessment: Assessment) -> QuerySet[LeafScore]:
    return assessment.scores.select_related("criterion").order_by("criterion__position")


# ---------------------------------------------------------------- the tree


def count_of(model: Any, fk: str) -> Coalesce:
    sub = (
        model.objects.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def _scores_with_counts(assessment: Assessment) -> QuerySet[LeafScore]:
    return (
        LeafScore.objects.filter(assessment_id=assessment.pk)
        .select_related("updated_by")
        .annotate(
            evidence_count=count_of(EvidenceLink, "score_id"),
            comments_count=count_of(Comment, "score_id"),
        )
    )


@dataclass(frozen=True, slots=True)
class MissingLeaf:
    """A self-scored leaf that keeps the assessment from being submitted."""

    code: str
    name: str
    reason: str


def missing_reason(source: str, score: LeafScore, evidence_count: int) -> str | None:
    if source != "self" or score.not_applicable:
        return None
    if score.self_points is None:
        return "chưa chấm điểm (hoặc chọn “không áp dụng”)"
    if score.self_points > 0 and evidence_count == 0 and not score.explanation.strip():
        return "có điểm nhưng chưa có tài liệu kiểm chứng hoặc giải trình"
    return None


def missing_of(assessment: Assessment) -> list[MissingLeaf]:
    """Leaves missing points, or claiming points without evidence or explanation, in
    document order (one query)."""
    out = []
    for s in (
        _scores_with_counts(assessment).select_related("criterion").order_by("criterion__position")
    ):
        reason = missing_reason(s.criterion.source, s, getattr(s, "evidence_count", 0))
        if reason:
            out.append(MissingLeaf(s.criterion.code, s.criterion.name, reason))
    return out


@dataclass(slots=True)
class LeafRow:
    """One leaf: its criterion, score row (``None`` only if the row was never opened),
    the engine rule for the input widget, counts and what is missing."""

    criterion: Criterion
    score: LeafScore | None
    rule: eng.Rule | None
    evidence_count: int = 0
    comments_count: int = 0
    missing: str | None = None
    #: Codes of the areas and criteria above the leaf (nearest first).
    ancestors: tuple[str, ...] = ()
    #: With ``details``: the evidence links (with documents) and comments (with authors).
    evidence: list[EvidenceLink] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.criterion.source


@dataclass(slots=True)
class TreeNode:
    """An area, criterion or leaf; ``self_score``/``final`` are the engine's points for
    the node (``None`` when the framework cannot be computed)."""

    criterion: Criterion
    children: list[TreeNode] = field(default_factory=list)
    leaf: LeafRow | None = None
    self_score: Any = None
    final: Any = None
    #: Codes of the areas and criteria above the node (nearest first).
    ancestors: tuple[str, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return self.leaf is not None

    @property
    def code(self) -> str:
        return self.criterion.code


@dataclass(slots=True)
class AssessmentTree:
    """The assessment's criteria tree with scores and engine totals.

    ``self_total``: the unit's self points (external leaves count with the points the
    admin set). ``final``: final points where set, else round 2 → round 1 → self points.
    Both are :class:`parindex.engine.aggregate.UnitScore` (``points``, ``max_points``,
    ``index``, ``nodes``) or ``None`` when the framework is incomplete.
    """

    assessment: Assessment
    areas: list[TreeNode]
    leaves: list[LeafRow]
    self_total: UnitScore | None
    final: UnitScore | None
    missing: list[MissingLeaf]
    engine_framework: eng.Framework
    #: Every node in document order (areas, criteria and leaves).
    rows: list[TreeNode] = field(default_factory=list)
    #: The framework's compiled form (``None`` when it cannot be compiled).
    compiled: CompiledFramework | None = None

    def leaf(self, code: str) -> LeafRow | None:
        return next((r for r in self.leaves if r.criterion.code == code), None)

    def self_adjustments(self) -> tuple[Decimal, Decimal]:
        """(bonus, penalty) included in the self total (:func:`adjustment_totals`)."""
        return adjustment_totals(
            (r.criterion.source, self_assessed_points(r.criterion.source, r.score))
            for r in self.leaves
            if r.score is not None and not r.score.not_applicable
        )


def self_assessed_points(source: str, s: LeafScore) -> Decimal | None:
    """The one definition of a leaf's points in "Tổng điểm tự chấm" (self-assessment
    page, appraisal page, council, API totals, results' ``self_points``): the unit's own
    points on self-scored leaves; on survey/SIPAS/statistic and bonus/penalty leaves, the
    points set for the unit (``final_points``, else what the unit entered)."""
    source = source or "self"
    if source in eng.EXTERNAL_SOURCES or source in eng.ADJUSTMENT_SOURCES:
        return s.final_points if s.final_points is not None else s.self_points
    return s.self_points


def adjustment_totals(
    leaves: Iterable[tuple[str, Decimal | None]],
) -> tuple[Decimal, Decimal]:
    """(bonus, penalty) inside "Tổng điểm tự chấm", shown apart: the sums of the
    self-assessed points of the bonus and of the penalty leaves (``(source, points)``)."""
    bonus = penalty = Decimal(0)
    for source, points in leaves:
        if points is None:
            continue
        if source == "bonus":
            bonus += points
        elif source == "penalty":
            penalty += points
    return bonus, penalty


def _self_points(c: Criterion, s: LeafScore) -> Decimal | None:
    return self_assessed_points(c.source, s)


def _final_points(c: Criterion, s: LeafScore) -> Decimal | None:
    """Final points where set, else round 2 → round 1 → self points."""
    points = (s.final_points, s.round2_points, s.round1_points, s.self_points)
    return next((p for p in points if p is not None), None)


def _totals(
    cf: CompiledFramework | None,
    rows: list[LeafRow],
    pick: Callable[[Criterion, LeafScore], Decimal | None],
) -> UnitScore | None:
    """The engine's aggregate of the points ``pick`` chooses on each scored leaf (N/A
    leaves count as N/A); ``None`` when the framework cannot be computed."""
    if cf is None:
        return None
    points: dict[str, Any] = {}
    for r in rows:
        if r.score is None:
            continue
        p = NA if r.score.not_applicable else pick(r.criterion, r.score)
        if p is not None:
            points[r.criterion.code] = p
    try:
        return aggregate(cf, points)
    except ValueError:
        return None


def assessment_tree(
    assessment: Assessment, *, details: bool = False, only: int | None = None
) -> AssessmentTree:
    """The one tree of an assessment, for the pages, the API and the council check:
    areas → criteria → leaves (and every node in document order), each leaf with its score
    row, rule, evidence and comment counts and what is missing; engine totals per node for
    self and final points. Two queries whatever the number of leaves (the framework's
    compiled form comes from :func:`parindex.frameworks.shape.framework_shape`); with
    ``details`` two more read the evidence links and comments, of the leaf ``only`` (a
    score pk) when given."""
    fw = assessment.framework
    crits = list(criteria_of(fw))
    # With every leaf's evidence and comments read, their counts are the lists' lengths.
    counted = not details or only is not None
    score_rows = (
        _scores_with_counts(assessment)
        if counted
        else LeafScore.objects.filter(assessment_id=assessment.pk)
    )
    scores = {s.criterion_id: s for s in score_rows}
    links: dict[int, list[EvidenceLink]] = defaultdict(list)
    comments: dict[int, list[Comment]] = defaultdict(list)
    if details:
        scope = {"score_id": only} if only is not None else {"score__assessment": assessment}
        for link in EvidenceLink.objects.filter(**scope).select_related("document").order_by("id"):
            links[link.score_id].append(link)
        for cm in (
            Comment.objects.filter(**scope).select_related("author").order_by("created_at", "id")
        ):
            comments[cm.score_id].append(cm)
    kids: dict[int | None, list[Criterion]] = {}
    for c in crits:
        kids.setdefault(c.parent_id, []).append(c)
    leaves: list[LeafRow] = []
    missing: list[MissingLeaf] = []
    rows: list[TreeNode] = []

    def build(c: Criterion, anc: tuple[str, ...]) -> TreeNode:
        node = TreeNode(criterion=c, ancestors=anc)
        rows.append(node)
        children = kids.get(c.pk, [])
        if children:
            node.children = [build(k, (c.code, *anc)) for k in children]
            return node
        s = scores.get(c.pk)
        evidence = links.get(s.pk, []) if s else []
        notes = comments.get(s.pk, []) if s else []
        if s is None:
            ev = n_comments = 0
        elif counted:
            ev, n_comments = getattr(s, "evidence_count", 0), getattr(s, "comments_count", 0)
        else:
            ev, n_comments = len(evidence), len(notes)
        row = LeafRow(
            criterion=c,
            score=s,
            rule=criterion_rule(c),
            evidence_count=ev,
            comments_count=n_comments,
            missing=missing_reason(c.source, s, ev) if s else None,
            ancestors=anc,
            evidence=evidence,
            comments=notes,
        )
        if s is not None:
            s.criterion = c  # no extra query when a page reads score.criterion
            s.assessment = assessment
        if row.missing:
            missing.append(MissingLeaf(c.code, c.name, row.missing))
        leaves.append(row)
        node.leaf = row
        return node

    areas = [build(c, ()) for c in kids.get(None, [])]
    shape = framework_shape(fw, crits)
    self_total = _totals(shape.compiled, leaves, _self_points)
    final = _totals(shape.compiled, leaves, _final_points)
    for node in rows:
        if self_total is not None:
            node.self_score = self_total.nodes.get(node.code)
        if final is not None:
            node.final = final.nodes.get(node.code)
    return AssessmentTree(
        assessment=assessment,
        areas=areas,
        leaves=leaves,
        self_total=self_total,
        final=final,
        missing=missing,
        engine_framework=shape.engine_fw,
        rows=rows,
        compiled=shape.compiled,
    )


# ---------------------------------------------------------------- progress

#: The deadline that matters in each status (``None``: nothing pending).
STAGE_OF_STATUS: dict[str, str | None] = {
    S.DRAFT: CycleStatus.SELF_ASSESSMENT,
    S.SUBMITTED: CycleStatus.APPRAISAL_ROUND1,
    S.ROUND1: CycleStatus.APPRAISAL_ROUND1,
    S.RETURNED: CycleStatus.EXPLANATION,
    S.EXPLAINED: CycleStatus.APPRAISAL_ROUND2,
    S.ROUND2: CycleStatus.APPRAISAL_ROUND2,
    S.APPROVED: None,
}


@dataclass(frozen=True, slots=True)
class ProgressRow:
    assessment: Assessment
    unit: Any
    status: str
    status_label: str
    self_leaves: int
    scored: int
    claimed: int
    supported: int
    #: Share (0–1) of self-scored leaves with points or N/A.
    scored_share: Decimal
    #: Share (0–1) of leaves claiming points that have evidence or an explanation;
    #: 1 when nothing is claimed yet.
    evidenced_share: Decimal
    stage: str | None
    deadline: datetime | None
    #: Calendar days until the deadline (negative when passed); None = no deadline.
    days_left: int | None
    overdue: bool


def _share(part: int, whole: int, empty: Decimal) -> Decimal:
    return empty if whole == 0 else Decimal(part) / Decimal(whole)


def progress(user: Any, cycle: Cycle) -> list[ProgressRow]:
    """One row per participating unit the user may see: status, share scored, share
    evidenced (or explained), days left to the effective deadline; overdue units first,
    then the nearest deadline. Four queries whatever the number of units."""
    assessments = list(assessments_for(user).filter(cycle=cycle).order_by("unit__name"))
    ids = [a.pk for a in assessments]
    has_evidence = Exists(EvidenceLink.objects.filter(score_id=OuterRef("pk")))
    claims = Q(not_applicable=False, self_points__gt=0)
    stats = {
        r["assessment_id"]: r
        for r in LeafScore.objects.filter(assessment_id__in=ids, criterion__source="self")
        .values("assessment_id")
        .annotate(
            total=Count("pk"),
            scored=Count("pk", filter=Q(not_applicable=True) | Q(self_points__isnull=False)),
            claimed=Count("pk", filter=claims),
            supported=Count("pk", filter=claims & (~Q(explanation="") | Q(has_evidence))),
        )
        .order_by()
    }
    extensions = {
        (e.unit_id, e.stage): e.until for e in DeadlineExtension.objects.filter(cycle=cycle)
    }
    now = timezone.now()
    today = timezone.localdate(now)
    rows = []
    for a in assessments:
        st = stats.get(a.pk, {"total": 0, "scored": 0, "claimed": 0, "supported": 0})
        stage = STAGE_OF_STATUS.get(a.status)
        deadline = None
        if stage is not None:
            deadline = extensions.get((a.unit_id, stage))
            if deadline is None and stage == CycleStatus.EXPLANATION:
                deadline = a.explanation_due
            if deadline is None:
                deadline = cycle.deadline_for(stage)
        rows.append(
            ProgressRow(
                assessment=a,
                unit=a.unit,
                status=a.status,
                status_label=S(a.status).label,
                self_leaves=st["total"],
                scored=st["scored"],
                claimed=st["claimed"],
                supported=st["supported"],
                scored_share=_share(st["scored"], st["total"], Decimal(0)),
                evidenced_share=_share(st["supported"], st["claimed"], Decimal(1)),
                stage=stage,
                deadline=deadline,
                days_left=None if deadline is None else (timezone.localdate(deadline) - today).days,
                overdue=deadline is not None and now > deadline,
            )
        )
    rows.sort(
        key=lambda r: (
            not r.overdue,
            r.days_left if r.days_left is not None else 10**6,
            r.unit.name,
        )
    )
    return rows


# ---------------------------------------------------------------- audit


def audit_of(
    user: Any, assessment: Assessment | None = None, score: LeafScore | None = None
) -> QuerySet[AuditEvent]:
    """The audit trail of one leaf (``score``) or one assessment, for anyone who may see
    the assessment (404 otherwise); without either, the whole trail (admin only)."""
    if score is not None:
        if not can_view(user, score.assessment):
            raise Http404("Không tìm thấy phiếu đánh giá.")
        return AuditEvent.objects.select_related("actor").filter(context__score=score.pk)
    if assessment is not None:
        if not can_view(user, assessment):
            raise Http404("Không tìm thấy phiếu đánh giá.")
        return AuditEvent.objects.select_related("actor").filter(context__assessment=assessment.pk)
    return audit_events_for(user)


#: The states in which an assessment may carry leaves returned for explanation.
AFTER_RETURN = (
    AssessmentStatus.RETURNED,
    AssessmentStatus.EXPLAINED,
    AssessmentStatus.ROUND2,
    AssessmentStatus.APPROVED,
)


def explanation_requests(assessment: Assessment) -> dict[int, ExplanationRequest]:
    """Leaf score pk → the request for explanation on it (with its answer); no query
    before the assessment was ever returned."""
    if assessment.status not in AFTER_RETURN:
        return {}
    return {
        r.score_id: r
        for r in ExplanationRequest.objects.filter(assessment_id=assessment.pk).select_related(
            "requested_by", "answered_by"
        )
    }


def council_decisions(cycle: Cycle) -> list[CouncilDecision]:
    """The council's decisions of ``cycle``, oldest first (the public page names them)."""
    return list(CouncilDecision.objects.filter(cycle_id=cycle.pk).order_by("decided_on", "id"))
