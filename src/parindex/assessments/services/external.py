"""Points from outside the unit's self-assessment (survey, SIPAS, statistics), entered by
the Sở Nội vụ admin one leaf at a time or imported from a file read by
:func:`parindex.formats.scores.read_points` (the service receives the rows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.assessments import permissions as perm
from parindex.assessments.models import ASSESSMENT_EDITS, FinalSource, LeafScore
from parindex.assessments.services._common import (
    _audit_score,
    _fresh_score,
    _points_in_range,
    _results_stale,
    _save_leaf,
    _versioned_update,
)
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleUnit
from parindex.cycles.services import require_unfrozen
from parindex.engine.framework import EXTERNAL_SOURCES
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import is_na
from parindex.formats.scores import PointRow


def _parse_external(score: LeafScore, points: Any, field: str) -> tuple[Decimal | None, bool]:
    """(points, not_applicable) from a number, "NA" or ``None`` (clears)."""
    if points is None or str(points).strip() == "":
        return None, False
    if isinstance(points, str) and is_na(points):
        return None, True
    return _points_in_range(score, points, field), False


def external_points_set(
    *, score: LeafScore, points: Any, note: str, actor: User | None
) -> LeafScore:
    """Survey, SIPAS or statistic points entered by the admin (``"NA"`` = not
    applicable, ``None`` clears); they are the leaf's final points."""
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        require_unfrozen(row.assessment.cycle)
        perm.check_set_external(actor, row.assessment, row)
        pts, na = _parse_external(row, points, "points")
        return _save_leaf(
            row=row,
            changes=_external_changes(row, pts, na, note),
            expected_version=row.version,
            actor=actor,
            action="score.external",
        )


def external_na_mark(*, score: LeafScore, reason: str, actor: User | None) -> LeafScore:
    """The admin marks a survey, SIPAS or statistic leaf not applicable to the unit, with
    a reason (kept as the leaf's source note and in the audit row): the leaf then leaves
    the unit's points and maximum, and no longer blocks the council's approval."""
    reason = (reason or "").strip()
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        perm.check_set_external(actor, row.assessment, row)
        require_unfrozen(row.assessment.cycle)
        if not reason:
            raise ValidationError(
                {"reason": f"Tiêu chí {row.criterion.code}: cần nêu lý do không áp dụng."}
            )
        return _save_leaf(
            row=row,
            changes=_external_changes(row, None, True, f"Không áp dụng: {reason}"),
            expected_version=row.version,
            actor=actor,
            action="score.external_na",
            reason=reason,
        )


def _external_changes(row: LeafScore, pts: Decimal | None, na: bool, note: str) -> dict[str, Any]:
    changes = {
        "final_points": pts,
        "not_applicable": na,
        "final_source": FinalSource.EXTERNAL if (pts is not None or na) else "",
        "external_note": (note or "").strip(),
    }
    return {k: v for k, v in changes.items() if getattr(row, k) != v}


def external_points_import(
    *,
    cycle: Cycle,
    rows: Sequence[PointRow],
    source: str,
    actor: User | None,
    problems: Sequence[Problem] = (),
    notes: Mapping[tuple[str, str], str] | None = None,
) -> dict[str, int]:
    """Import external points read by :func:`parindex.formats.scores.read_points`.

    All-or-nothing: the reader's ``problems`` and those found against the cycle (a unit
    not taking part, a leaf that is not external, a repeated leaf, an approved assessment,
    points above the leaf's maximum) are raised together, in line order, as one
    :class:`FormatError`. ``source`` names the file in the notes and the audit row;
    ``notes`` may give a row its own note by ``(unit, code)`` (the survey feed says which
    survey and how many responses each point comes from)."""
    require_admin(actor, "nhập điểm khảo sát, SIPAS, thống kê", system=True)
    require_unfrozen(cycle)
    name = source
    note = f"Nhập từ {name}"
    found: list[Problem] = []
    scores = {
        (s.assessment.unit.code, s.criterion.code): s
        for s in LeafScore.objects.filter(assessment__cycle=cycle).select_related(
            "criterion", "assessment__unit", "updated_by"
        )
    }
    units = set(CycleUnit.objects.filter(cycle=cycle).values_list("unit__code", flat=True))
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[LeafScore, dict[str, Any]]] = []
    for r in rows:
        line, unit, code = r.line, r.unit, r.code
        if unit not in units:
            found.append(
                Problem(name, line, "unit", f"đơn vị “{unit}” không tham gia kỳ đánh giá này")
            )
            continue
        row = scores.get((unit, code))
        if row is None:
            found.append(
                Problem(
                    name,
                    line,
                    "code",
                    f"không có tiêu chí lá “{code}” trong bộ tiêu chí của đơn vị “{unit}”",
                )
            )
            continue
        if row.criterion.source not in EXTERNAL_SOURCES:
            found.append(
                Problem(
                    name,
                    line,
                    "code",
                    f"tiêu chí {code} không lấy điểm từ nguồn bên "
                    f"ngoài (nguồn: {row.criterion.source})",
                )
            )
            continue
        if (unit, code) in seen:
            found.append(Problem(name, line, "code", f"trùng với dòng {seen[(unit, code)]}"))
            continue
        seen[(unit, code)] = line
        if row.assessment.status not in ASSESSMENT_EDITS["external"]:
            found.append(
                Problem(name, line, "unit", f"kết quả của đơn vị “{unit}” đã được phê duyệt")
            )
            continue
        if r.points is None and not r.not_applicable:
            found.append(Problem(name, line, "points", "thiếu điểm (ghi NA nếu không áp dụng)"))
            continue
        try:
            pts = None if r.points is None else _points_in_range(row, r.points, "points")
        except ValidationError as exc:
            reason = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
            found.append(Problem(name, line, "points", reason))
            continue
        row_note = (notes or {}).get((unit, code), note)
        planned.append((row, _external_changes(row, pts, r.not_applicable, row_note)))
    if problems or found:
        raise FormatError(sorted([*problems, *found], key=lambda p: p.line or 0))
    changed: list[int] = []
    with transaction.atomic(durable=True):
        for row, changes in planned:
            if not changes:
                continue
            _versioned_update(score=row, expected_version=row.version, changes=changes, actor=actor)
            _audit_score(actor=actor, action="score.external", before=row, changes=changes)
            changed.append(row.assessment.unit_id)
        if changed:
            _results_stale(cycle.pk, *changed)
        record(
            actor=actor,
            action="score.external_import",
            obj=cycle,
            after={"rows": len(planned), "changed": len(changed)},
            context={"cycle": cycle.pk, "file": name},
        )
    return {"rows": len(planned), "changed": len(changed), "unchanged": len(planned) - len(changed)}
