"""Compare-and-set state changes shared by the workflow apps (cycles, assessments).

A transition is ``filter(pk=…, <field>=OLD).update(<field>=NEW)``: a count other than 1
means someone else changed the row first, and the caller gets :class:`ConcurrentChange`
instead of silently overwriting their work.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class ConcurrentChange(Exception):
    """The row changed between reading and writing (someone else got there first)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại trang và thực hiện lại."
        )


class InvalidTransition(Exception):
    """The requested state change is not in the transition table."""


def compare_and_set(
    model: type[models.Model], *, pk: Any, field: str, old: Any, new: Any, **extra: Any
) -> None:
    """Set ``field`` from ``old`` to ``new`` on row ``pk`` (plus ``extra`` columns), or raise
    :class:`ConcurrentChange` when the row is no longer at ``old``."""
    count = model._default_manager.filter(pk=pk, **{field: old}).update(**{field: new}, **extra)
    if count != 1:
        raise ConcurrentChange()
