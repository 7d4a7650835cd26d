"""What the assessment pages show: the criteria tree of an assessment with its scores,
evidence and comments, read in a fixed number of queries (it never grows with the number
of leaves), and the totals the engine computes for each column of points.

Presentation only: every write goes through the assessments/evidence services; what keeps
an assessment from being submitted comes from ``assessments.selectors.missing_of``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from parindex.assessments.models import Assessment, Comment, LeafScore
from parindex.assessments.selectors import (
    MissingLeaf,
    adjustment_totals,
    assessment_tree,
    count_of,
    missing_reason,
    self_assessed_points,
)
from parindex.engine import aggregate as agg
from parindex.engine import framework as eng
from parindex.engine.framework import ADJUSTMENT_SOURCES, EXTERNAL_SOURCES
from parindex.evidence.models import EvidenceLink
from parindex.formats.rule_text import RULE_TYPE_LABELS
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import criterion_rule
from parindex.frameworks.shape import framework_shape
from parindex.prepared import Prepared

#: Rule type → the input the page shows for it.
#: Stored values of a yes/no leaf (a leaf without a rule is yes/no for the engine too).
YES_NO_VALUES = frozenset({"có", "co", "không", "khong"})

INPUT_KIND = {
    "tiers": "select",
    "bands": "percent",
    "proportional": "percent",
    "metric": "percent",
    "count": "integer",
    "deduction": "integer",
    "binary": "checkbox",
    "survey": "mean",
    "manual": "points",
}

SOURCE_LABELS = {
    "self": "Đơn vị tự chấm",
    "survey": "Điều tra xã hội học",
    "sipas": "Chỉ số hài lòng (SIPAS)",
    "statistic": "Số liệu thống kê",
    "bonus": "Điểm thưởng",
    "penalty": "Điểm trừ",
}

COLUMNS = ("self", "round1", "round2", "final")
COLUMN_LABELS = {
    "self": "Tự chấm",
    "round1": "Thẩm định vòng 1",
    "round2": "Thẩm định vòng 2",
    "final": "Điểm cuối cùng",
}


@dataclass
class Leaf:
    score: LeafScore
    criterion: Criterion
    rule_type: str
    params: dict[str, Any]
    evidence: list[Any] = field(default_factory=list)
    comments: list[Any] = field(default_factory=list)
    #: The leaf's address (``/phieu/<pk>/tieu-chi/<score pk>/``) and its score pk as text,
    #: computed once: the page renders them several times per leaf.
    url: str = ""
    sid: str = ""
    #: Codes of the areas and criteria above the leaf (nearest first).
    ancestors: tuple[str, ...] = ()

    @property
    def input_kind(self) -> str:
        return INPUT_KIND.get(self.rule_type, "points")

    @property
    def rule_label(self) -> str:
        """The rule type in words ("Có/Không", "Theo mức", "Tỷ lệ %", …)."""
        return RULE_TYPE_LABELS.get(self.rule_type, self.rule_type)

    @property
    def tiers(self) -> list[dict[str, Any]]:
        return list(self.params.get("tiers") or [])

    @property
    def source(self) -> str:
        return self.criterion.source or "self"

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def is_external(self) -> bool:
        return self.source in EXTERNAL_SOURCES

    @property
    def is_adjustment(self) -> bool:
        return self.source in ADJUSTMENT_SOURCES

    @property
    def is_self_scored(self) -> bool:
        return not self.is_external and not self.is_adjustment

    @property
    def self_shown_points(self) -> Decimal | None:
        """The points of the self-assessment column: external and adjustment leaves
        show the points set by the admin/appraisers."""
        return self_assessed_points(self.source, self.score)

    @property
    def binary_checked(self) -> bool:
        return (self.score.self_value or "").strip().lower() in {
            "1",
            "co",
            "có",
            "x",
            "yes",
            "true",
            "đạt",
        }

    @property
    def binary_unchecked(self) -> bool:
        value = (self.score.self_value or "").strip().lower()
        return value in {"0", "khong", "không", "no", "false", "chưa đạt"}

    @property
    def value_text(self) -> str:
        """The self-assessed value in words: a yes/no leaf reads "Đã thực hiện" /
        "Chưa thực hiện" (never "Giá trị: có"); others "Giá trị: 85"."""
        stored = (self.score.self_value or "").strip().lower()
        if self.input_kind == "checkbox" or stored in YES_NO_VALUES:
            if self.binary_checked:
                return "Đã thực hiện"
            if self.binary_unchecked:
                return "Chưa thực hiện"
            return "Chưa chọn"
        return f"Giá trị: {(self.score.self_value or '').strip() or '—'}"

    @property
    def input_max(self) -> Any:
        if self.rule_type == "survey":
            return self.params.get("scale_max", 5)
        if self.rule_type == "proportional":
            return self.params.get("scale", 100)
        if self.input_kind == "percent":
            return None if self.rule_type == "metric" else 100
        if self.input_kind == "points":
            return self.criterion.max_points
        return None

    @property
    def input_min(self) -> Any:
        if self.rule_type == "survey":
            return self.params.get("scale_min", 1)
        return 0


@dataclass
class Row:
    criterion: Criterion
    leaf: Leaf | None
    ancestors: tuple[str, ...]

    @property
    def is_leaf(self) -> bool:
        return self.leaf is not None


@dataclass
class Tree:
    assessment: Assessment
    rows: list[Row]
    leaves: list[Leaf]
    compiled: agg.CompiledFramework | None
    engine_fw: eng.Framework

    def leaf(self, score_pk: int) -> Leaf | None:
        for lf in self.leaves:
            if lf.score.pk == score_pk:
                return lf
        return None

    def self_adjustments(self) -> tuple[Decimal, Decimal]:
        """(bonus, penalty) inside "Tổng điểm tự chấm", shown apart on the pages."""
        return adjustment_totals(
            (lf.source, lf.self_shown_points) for lf in self.leaves if not lf.score.not_applicable
        )

    def totals(self, column: str = "self") -> agg.UnitScore | None:
        """The engine's aggregate of one column of points (None when it cannot run, or
        when the assessment has not reached that column's stage yet)."""
        reached = {
            "round1": ("round1", "returned", "explained", "round2", "approved"),
            "round2": ("round2", "approved"),
            "final": ("approved",),
        }
        if column in reached and self.assessment.status not in reached[column]:
            return None
        points: dict[str, Any] = {}
        for lf in self.leaves:
            s = lf.score
            if s.not_applicable:
                points[lf.criterion.code] = agg.NA
                continue
            value = lf.self_shown_points if column == "self" else _column(s, column, lf)
            if value is not None:
                points[lf.criterion.code] = value
        if self.compiled is None:
            return None
        try:
            return agg.aggregate(self.compiled, points)
        except ValueError:
            return None


def _column(score: LeafScore, column: str, leaf: Leaf) -> Decimal | None:
    value = getattr(score, f"{column}_points", None)
    if value is None and column in ("round1", "round2"):
        # Leaves the appraisers leave untouched keep the previous column's points.
        prev = score.round1_points if column == "round2" else None
        value = prev if prev is not None else leaf.self_shown_points
    return value


def _self_shown(score: LeafScore, source: str) -> Decimal | None:
    """:attr:`Leaf.self_shown_points` for a score row (the one definition,
    :func:`parindex.assessments.selectors.self_assessed_points`)."""
    return self_assessed_points(source, score)


@dataclass(slots=True)
class _ScoreRow:
    """What the totals and the missing leaves read of a score (duck-types the row for
    :func:`self_assessed_points` and :func:`missing_reason`)."""

    self_points: Any
    final_points: Any
    not_applicable: bool
    explanation: str
    evidence_count: int


@dataclass
class LeafAnswer:
    """What the autosave answer shows: the leaf, the self-assessment totals and the
    missing leaves (from one query of the assessment's scores). ``light``: the answer of
    a save that changed only the leaf's own row — its evidence and comments stay as the
    page has them, and the totals and missing leaves come only when they changed
    (``totals_changed``, ``missing_changed``); ``missing_codes`` then names the leaf if
    it is missing."""

    leaf: Leaf
    totals: agg.UnitScore | None
    missing: list[Any]
    light: bool = False
    totals_changed: bool = True
    missing_changed: bool = True
    missing_codes: frozenset[str] | None = None


def _score_rows(assessment: Assessment, *, counts: bool) -> dict[int, Any]:
    """Criterion id → what the totals (and with ``counts`` the missing leaves) read of
    each score of the assessment, as plain tuples, not model instances: every leaf is
    read (about a fifth of the answer's CPU went into building instances)."""
    if not counts:
        return {
            cid: _ScoreRow(self_points, final_points, not_applicable, "", 0)
            for cid, self_points, final_points, not_applicable in _SCORE_ROWS.all(assessment.pk)
        }
    return {
        cid: _ScoreRow(self_points, final_points, not_applicable, explanation, count)
        for cid, self_points, final_points, not_applicable, explanation, count in (
            _SCORE_ROWS.all(assessment.pk, variant="counts")
        )
    }


def _score_rows_qs(assessment_id: int, *, variant: str = "") -> QuerySet[Any, Any]:
    # Unordered: the rows go into a dict (the model's ordering joined the criteria).
    qs = LeafScore.objects.filter(assessment_id=assessment_id).order_by()
    if variant != "counts":
        return qs.values_list("criterion_id", "self_points", "final_points", "not_applicable")
    return qs.annotate(evidence_count=count_of(EvidenceLink, "score_id")).values_list(
        "criterion_id",
        "self_points",
        "final_points",
        "not_applicable",
        "explanation",
        "evidence_count",
    )


# Compiled once (parindex.prepared): the autosave reads them to give the new totals.
_SCORE_ROWS = Prepared(_score_rows_qs)


def _totals_and_missing(
    shape: Any, rows: dict[int, Any], *, with_missing: bool
) -> tuple[agg.UnitScore | None, list[Any]]:
    """The engine's self-assessment totals and the missing leaves of ``rows``."""
    points: dict[str, Any] = {}
    missing: list[Any] = []
    for cid, info in shape.leaves.items():
        r = rows.get(cid)
        if r is None:
            continue
        if r.not_applicable:
            points[info.code] = agg.NA
        else:
            value = _self_shown(r, info.source)
            if value is not None:
                points[info.code] = value
        if with_missing:
            reason = missing_reason(info.source, r, r.evidence_count)
            if reason:
                missing.append(MissingLeaf(info.code, info.name, reason))
    totals = None
    if shape.compiled is not None:
        try:
            totals = agg.aggregate(shape.compiled, points)
        except ValueError:
            totals = None
    return totals, missing


def _answer_leaf(
    assessment: Assessment, shape: Any, score: LeafScore, evidence: list[Any], comments: list[Any]
) -> Leaf:
    c = score.criterion
    rule = criterion_rule(c)
    prefix = reverse("leaf", args=[assessment.pk, 0])[: -len("0/")]
    return Leaf(
        score=score,
        criterion=c,
        rule_type=rule.type if rule is not None else "manual",
        params=dict(rule.params) if rule is not None else {},
        evidence=evidence,
        comments=comments,
        url=f"{prefix}{score.pk}/",
        sid=str(score.pk),
        ancestors=shape.leaves[c.pk].ancestors,
    )


def leaf_answer(
    assessment: Assessment,
    score_pk: int,
    *,
    score: LeafScore | None = None,
    with_missing: bool = True,
) -> LeafAnswer | None:
    """The whole answer of one leaf without building the tree (a refresh, a refused save,
    a comment or an evidence change; a successful autosave gets :func:`leaf_saved_answer`):
    the leaf's score (given by the save, or read with its criterion and rule), its evidence
    and comments, and the assessment's scores with their evidence counts (totals and
    missing leaves); the framework's shape comes from memory. ``None`` when the score is
    not a leaf of it."""
    shape = framework_shape(assessment.framework)
    if score is None or score.pk != score_pk:
        score = (
            LeafScore.objects.select_related("criterion__rule", "updated_by")
            .filter(assessment_id=assessment.pk, pk=score_pk)
            .first()
        )
    if score is None or score.criterion_id not in shape.leaves:
        return None
    score.assessment = assessment
    evidence = list(
        EvidenceLink.objects.filter(score_id=score.pk).select_related("document").order_by("id")
    )
    comments = list(
        Comment.objects.filter(score_id=score.pk)
        .select_related("author")
        .order_by("created_at", "id")
    )
    totals, missing = _totals_and_missing(
        shape, _score_rows(assessment, counts=True), with_missing=with_missing
    )
    return LeafAnswer(_answer_leaf(assessment, shape, score, evidence, comments), totals, missing)


def _needs_evidence_count(source: str, score: Any) -> bool:
    """Whether :func:`missing_reason` of ``score`` depends on its evidence count."""
    return (
        source == "self"
        and not score.not_applicable
        and score.self_points is not None
        and score.self_points > 0
        and not score.explanation.strip()
    )


def leaf_saved_answer(
    assessment: Assessment,
    before: LeafScore,
    saved: LeafScore,
    *,
    with_missing: bool = True,
) -> LeafAnswer | None:
    """The light answer of a successful autosave, from the row as the user read it
    (``before``, at the version the save started from) and the row the save wrote: the
    leaf without its evidence and comments (a save does not change them: the page keeps
    its own), the totals only when the leaf's points or "không áp dụng" changed, the
    missing leaves only when the leaf's reason for being missing changed. Queries: the
    leaf's evidence count only when its missing reason depends on it, the scores of the
    assessment only when the totals or the missing leaves are shown."""
    shape = framework_shape(assessment.framework)
    info = shape.leaves.get(saved.criterion_id)
    if info is None:
        return None
    saved.assessment = assessment
    source = info.source
    count = 0
    if with_missing and (
        _needs_evidence_count(source, before) or _needs_evidence_count(source, saved)
    ):
        count = EvidenceLink.objects.filter(score_id=saved.pk).count()
    reason = missing_reason(source, saved, count) if with_missing else None
    missing_changed = with_missing and reason != missing_reason(source, before, count)
    totals_changed = (before.not_applicable, _self_shown(before, source)) != (
        saved.not_applicable,
        _self_shown(saved, source),
    )
    totals: agg.UnitScore | None = None
    missing: list[Any] = []
    if missing_changed or totals_changed:
        rows = _score_rows(assessment, counts=missing_changed)
        totals, missing = _totals_and_missing(shape, rows, with_missing=missing_changed)
    return LeafAnswer(
        _answer_leaf(assessment, shape, saved, [], []),
        totals,
        missing,
        light=True,
        totals_changed=totals_changed,
        missing_changed=missing_changed,
        missing_codes=frozenset({info.code}) if reason else frozenset(),
    )


def build_tree(assessment: Assessment, *, only: int | None = None) -> Tree:
    """The page's tree: :func:`parindex.assessments.selectors.assessment_tree` with the
    evidence and comments (four queries whatever the number of leaves), each leaf dressed
    for its input widget and its address. With ``only`` (a score pk), evidence and comments
    are read for that leaf alone (the autosave response)."""
    tree = assessment_tree(assessment, details=True, only=only)
    prefix = reverse("leaf", args=[assessment.pk, 0])[: -len("0/")]
    leaves: list[Leaf] = []
    by_criterion: dict[int, Leaf] = {}
    for row in tree.leaves:
        s = row.score
        if s is None:
            continue
        leaf = Leaf(
            score=s,
            criterion=row.criterion,
            rule_type=row.rule.type if row.rule is not None else "manual",
            params=dict(row.rule.params) if row.rule is not None else {},
            evidence=row.evidence,
            comments=row.comments,
            url=f"{prefix}{s.pk}/",
            sid=str(s.pk),
            ancestors=row.ancestors,
        )
        leaves.append(leaf)
        by_criterion[row.criterion.pk] = leaf
    rows = [
        Row(criterion=n.criterion, leaf=by_criterion.get(n.criterion.pk), ancestors=n.ancestors)
        for n in tree.rows
    ]
    return Tree(assessment, rows, leaves, tree.compiled, tree.engine_framework)
