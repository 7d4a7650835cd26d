"""Writes for the annual cycle (docs/workflow.md): self-assessment, submission, appraisal
rounds, explanation, council approval, external points, deadlines and assignments.

Every service is keyword-only with the actor last, runs in one durable transaction
(plain ``atomic`` where a caller legitimately nests it, said at the service), re-checks the
actor's permission inside it (:mod:`parindex.assessments.permissions`), writes its audit
row in the same transaction (``context`` carries ``assessment`` and ``score`` ids so
:func:`~parindex.assessments.selectors.audit_of` finds it) and sends notifications only on
commit. Every state change goes through :func:`assessment_move`, along
``ASSESSMENT_FLOW``.
"""

from __future__ import annotations

from parindex.assessments.services._common import StaleScore, assessment_move
from parindex.assessments.services.appraisal import (
    adjustment_set,
    appraisal_done_set,
    appraisal_round2_start,
    appraisal_set,
    appraisal_start,
    assessment_resubmit,
    assessment_return,
    comment_add,
    explanation_answer,
)
from parindex.assessments.services.council import (
    assessment_reopen,
    council_approve,
    council_decision_record,
    missing_leaves,
)
from parindex.assessments.services.external import (
    external_na_mark,
    external_points_import,
    external_points_set,
)
from parindex.assessments.services.opening import assessments_open, cycle_open
from parindex.assessments.services.self_assessment import (
    ScoreSaved,
    assessment_submit,
    assessment_withdraw,
    score_set,
    score_set_by_id,
)
from parindex.assessments.services.setup import assignment_set, deadline_extend
from parindex.workflow import ConcurrentChange, InvalidTransition

__all__ = [
    "ConcurrentChange",
    "InvalidTransition",
    "ScoreSaved",
    "StaleScore",
    "adjustment_set",
    "appraisal_done_set",
    "appraisal_round2_start",
    "appraisal_set",
    "appraisal_start",
    "assessment_move",
    "assessment_reopen",
    "assessment_resubmit",
    "assessment_return",
    "assessment_submit",
    "assessment_withdraw",
    "assessments_open",
    "assignment_set",
    "comment_add",
    "council_approve",
    "council_decision_record",
    "cycle_open",
    "deadline_extend",
    "explanation_answer",
    "external_na_mark",
    "external_points_import",
    "external_points_set",
    "missing_leaves",
    "score_set",
    "score_set_by_id",
]
