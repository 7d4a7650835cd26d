"""Field factories for the fields many models declare the same way.

Each returns a fresh field with exactly the options the models used to spell out, so the
migrations do not change. Use them for a new model's "who did it", "when", cycle and unit
links; spell a field out when its options differ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from parindex.accounts.models import User
    from parindex.assessments.models import Assessment, LeafScore
    from parindex.cycles.models import Cycle
    from parindex.frameworks.models import Framework
    from parindex.units.models import Unit, UnitGroup

__all__ = [
    "assessment_ref",
    "creation_time",
    "cycle_one",
    "cycle_ref",
    "enforce_lengths",
    "framework_ref",
    "group_ref",
    "length_problems",
    "moment",
    "optional_points",
    "optional_ref",
    "score_ref",
    "unique",
    "unit_ref",
    "update_time",
    "user_owner",
    "user_ref",
]


def user_ref(verbose_name: str, *, blank: bool = True) -> models.ForeignKey[User | None]:
    """Who did something (created, updated, approved…): kept when the user is deleted
    (set to NULL), no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def user_owner(verbose_name: str, related_name: str) -> models.ForeignKey[User]:
    """The user a row belongs to; deleted with the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.CASCADE,
        related_name=related_name,
    )


def _link(
    to: str, verbose_name: str, on_delete: Any, related_name: str, kind: Any = models.ForeignKey
) -> Any:
    return kind(to, verbose_name=verbose_name, on_delete=on_delete, related_name=related_name)


def optional_ref(
    to: str, verbose_name: str, *, on_delete: Any, related_name: str, db_constraint: bool = True
) -> Any:
    """An optional link (``null=True, blank=True``) to ``to`` (a model label or ``"self"``);
    ``db_constraint=False`` leaves the check to Django's ``on_delete`` (bulk tables)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        db_constraint=db_constraint,
    )


def cycle_ref(related_name: str = "+") -> models.ForeignKey[Cycle]:
    """The cycle a row belongs to; deleted with the cycle."""
    return _link("cycles.Cycle", "kỳ đánh giá", models.CASCADE, related_name)


def cycle_one(related_name: str = "+") -> models.OneToOneField[Cycle]:
    """The cycle a row is the only one of (configuration, results); deleted with it."""
    return _link("cycles.Cycle", "kỳ đánh giá", models.CASCADE, related_name, models.OneToOneField)


def assessment_ref(related_name: str) -> models.ForeignKey[Assessment]:
    """The assessment (one unit's form in one cycle) a row belongs to; deleted with it."""
    return _link("assessments.Assessment", "phiếu tự chấm", models.CASCADE, related_name)


def score_ref(related_name: str) -> models.ForeignKey[LeafScore]:
    """The leaf score (one leaf of one assessment) a row belongs to; deleted with it."""
    return _link("assessments.LeafScore", "điểm tiêu chí", models.CASCADE, related_name)


def unit_ref(
    related_name: str = "+", *, on_delete: Any = models.PROTECT
) -> models.ForeignKey[Unit]:
    """The unit a row belongs to (protected from deletion unless ``on_delete`` says)."""
    return _link("units.Unit", "đơn vị", on_delete, related_name)


def group_ref(related_name: str = "+") -> models.ForeignKey[UnitGroup]:
    """The group a unit is ranked in (a snapshot kept with the row)."""
    return _link("units.UnitGroup", "nhóm xếp hạng", models.PROTECT, related_name)


def framework_ref(related_name: str) -> models.ForeignKey[Framework]:
    """The framework a row is scored with (protected from deletion)."""
    return _link("frameworks.Framework", "bộ tiêu chí", models.PROTECT, related_name)


#: Decimals kept by every stored points column: the engine computes to 6, what is written
#: into a cycle (typed, appraised, imported or fed from a survey) has at most these.
POINT_DECIMAL_PLACES = 3


def optional_points(verbose_name: str) -> models.DecimalField[Any, Any]:
    """Optional points of a criterion (8 digits, 3 after the point)."""
    return models.DecimalField(
        verbose_name,
        max_digits=8,
        decimal_places=POINT_DECIMAL_PLACES,
        null=True,
        blank=True,
    )


def moment(verbose_name: str) -> models.DateTimeField[Any, Any]:
    """When something happened, empty until it has."""
    return models.DateTimeField(verbose_name, null=True, blank=True)


def creation_time(verbose_name: str = "ngày tạo") -> models.DateTimeField[Any, Any]:
    """Set once, when the row is created."""
    return models.DateTimeField(verbose_name, auto_now_add=True)


def update_time() -> models.DateTimeField[Any, Any]:
    """Set on every save."""
    return models.DateTimeField("cập nhật lúc", auto_now=True)


def unique(name: str, *fields: str) -> models.UniqueConstraint:
    """The rows are unique on ``fields`` together (a constraint called ``name``)."""
    return models.UniqueConstraint(fields=list(fields), name=name)


# --------------------------------------------------------------------------- lengths


def length_problems(instance: models.Model, fields: Any = None) -> list[str]:
    """Vietnamese messages for the text fields of ``instance`` longer than their column
    (``fields``: names to check, default all). SQLite does not enforce ``max_length`` and
    PostgreSQL answers with a bare DataError, so every save is checked here
    (:func:`enforce_lengths`)."""
    out: list[str] = []
    wanted = None if fields is None else set(fields)
    for f in instance._meta.concrete_fields:
        if not isinstance(f, models.CharField) or not f.max_length:
            continue
        if wanted is not None and f.name not in wanted and f.attname not in wanted:
            continue
        value = getattr(instance, f.attname, None)
        if isinstance(value, str) and len(value) > f.max_length:
            out.append(
                f"{str(f.verbose_name).capitalize()} dài {len(value)} ký tự, tối đa "
                f"{f.max_length} ký tự."
            )
    return out


def enforce_lengths(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """``pre_save`` receiver for parindex models: refuse an over-long text with a
    Vietnamese :class:`~django.core.exceptions.ValidationError` (both databases)."""
    if not sender.__module__.startswith("parindex."):
        return
    problems = length_problems(instance, kwargs.get("update_fields"))
    if problems:
        from django.core.exceptions import ValidationError

        raise ValidationError(problems, code="max_length")
