"""Writes of the improvement app: one durable transaction each, with its audit row;
admin-only ones start with :func:`parindex.accounts.permissions.require_admin`."""

from parindex.improvement.services.matrix import (
    CopyNeedsConfirm,
    matrix_copy,
    matrix_row_progress,
    matrix_row_save,
)
from parindex.improvement.services.plans import (
    DraftResult,
    plan_approve,
    plan_create,
    plan_draft_generate,
    plan_reopen,
    plan_update,
    target_set,
)
from parindex.improvement.services.tasks import task_evidence_add, task_progress, task_save

__all__ = [
    "CopyNeedsConfirm",
    "DraftResult",
    "matrix_copy",
    "matrix_row_progress",
    "matrix_row_save",
    "plan_approve",
    "plan_create",
    "plan_draft_generate",
    "plan_reopen",
    "plan_update",
    "target_set",
    "task_evidence_add",
    "task_progress",
    "task_save",
]
