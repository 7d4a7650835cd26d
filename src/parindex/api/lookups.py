"""Objects a request body names by code (a unit, a framework, a criterion, a user). The
body is input: a code no object has is invalid input (400 on that field, in the one
error format), not a missing page (404, which is for the path)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from parindex.units.models import Unit


def found_or_invalid[M: Model](queryset: QuerySet[M], field: str, message: str) -> M:
    """The first object of ``queryset``; a ``ValidationError`` on ``field`` saying
    ``message`` when there is none."""
    found = queryset.first()
    if found is None:
        raise ValidationError({field: message})
    return found


def unit_by_code(code: str, field: str = "unit") -> Unit:
    """The unit with ``code`` (any unit: the service checks that it takes part)."""
    return found_or_invalid(Unit.objects.filter(code=code), field, f"Không có đơn vị mã “{code}”.")
