"""Writes of the oversight app, by part: inspections, initiatives, the target register."""

from parindex.oversight.services.initiatives import (
    initiative_goal_set,
    initiative_register,
    initiative_remove,
)
from parindex.oversight.services.inspections import (
    finding_correct,
    finding_create,
    finding_resolve,
    inspection_plan_save,
    inspection_record_correct,
    inspection_record_create,
    planned_inspection_add,
    planned_inspection_remove,
)
from parindex.oversight.services.targets import TargetFields, target_save, targets_feed

__all__ = [
    "TargetFields",
    "finding_correct",
    "finding_create",
    "finding_resolve",
    "initiative_goal_set",
    "initiative_register",
    "initiative_remove",
    "inspection_plan_save",
    "inspection_record_correct",
    "inspection_record_create",
    "planned_inspection_add",
    "planned_inspection_remove",
    "target_save",
    "targets_feed",
]
