"""Points from outside the unit's self-assessment (survey, SIPAS, statistics), entered by
the Sở Nội vụ admin one leaf at a time or imported from CSV.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.assessments import permissions as perm
from parindex.assessments.models import FinalSource, LeafScore
from parindex.assessments.services._common import (
    S,
    _audit_score,
    _fresh_score,
    _points_in_range,
    _results_stale,
    _versioned_update,
)
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleUnit
from parindex.engine.framework import EXTERNAL_SOURCES
from parindex.formats.errors import FormatError, Problem

NA_TOKENS = frozenset({"na", "n/a", "kad", "không áp dụng"})


def _parse_external(score: LeafScore, points: Any, field: str) -> tuple[Decimal | None, bool]:
    """(points, not_applicable) from a number, "NA" or ``None`` (clears)."""
    if points is None or str(points).strip() == "":
        return None, False
    if isinstance(points, str) and points.strip().lower() in NA_TOKENS:
        return None, True
    return _points_in_range(score, points, field), False


def external_points_set(
    *, score: LeafScore, points: Any, note: str, actor: User | None
) -> LeafScore:
    """Survey, SIPAS or statistic points entered by the admin (``"NA"`` = not
    applicable, ``None`` clears); they are the leaf's final points."""
    with transaction.atomic(durable=True):
        row = _fresh_score(score)
        perm.check_set_external(actor, row.assessment, row)
        pts, na = _parse_external(row, points, "points")
        changes = _external_changes(row, pts, na, note)
        if not changes:
            return row
        fresh = _versioned_update(
            score=row, expected_version=row.version, changes=changes, actor=actor
        )
        _audit_score(actor=actor, action="score.external", before=row, changes=changes)
        _results_stale(row.assessment.cycle_id)
    return fresh


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
    actor: User | None,
    file_path: str | Path | None = None,
    text: str | None = None,
) -> dict[str, int]:
    """Import CSV ``unit,code,points`` (unit code, leaf code, points with dot or decimal
    comma, or NA). Every bad row is reported in one :class:`FormatError`; nothing is
    imported unless every row is good."""
    if (file_path is None) == (text is None):
        raise ValueError("external_points_import needs exactly one of file_path or text")
    require_admin(actor, "nhập điểm khảo sát, SIPAS, thống kê", system=True)
    if file_path is not None:
        name = Path(file_path).name
        raw = Path(file_path).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError([Problem(name, None, None, "tệp không phải UTF-8")]) from exc
    else:
        name = "dữ liệu nhập"
    assert text is not None
    note = f"Nhập từ {name}"
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    problems: list[Problem] = []
    start = 1
    if rows and [c.strip().lower() for c in rows[0][:3]] == ["unit", "code", "points"]:
        start = 2
    elif rows and rows[0] and rows[0][0].strip().lower() in ("unit", "đơn vị", "don_vi"):
        problems.append(Problem(name, 1, None, "tiêu đề phải là unit,code,points"))
        start = 2
    body = [(i, r) for i, r in enumerate(rows[start - 1 :], start) if any(c.strip() for c in r)]
    if not body and not problems:
        problems.append(Problem(name, None, None, "tệp không có dòng dữ liệu nào"))
    scores = {
        (s.assessment.unit.code, s.criterion.code): s
        for s in LeafScore.objects.filter(assessment__cycle=cycle).select_related(
            "criterion", "assessment__unit", "updated_by"
        )
    }
    units = set(CycleUnit.objects.filter(cycle=cycle).values_list("unit__code", flat=True))
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[LeafScore, dict[str, Any]]] = []
    for line, r in body:
        if len(r) != 3:
            problems.append(
                Problem(name, line, None, f"cần đúng 3 cột unit,code,points, có {len(r)} cột")
            )
            continue
        unit, code, points = (c.strip() for c in r)
        if unit not in units:
            problems.append(
                Problem(name, line, "unit", f"đơn vị “{unit}” không tham gia kỳ đánh giá này")
            )
            continue
        row = scores.get((unit, code))
        if row is None:
            problems.append(
                Problem(
                    name,
                    line,
                    "code",
                    f"không có tiêu chí lá “{code}” trong bộ tiêu chí của đơn vị “{unit}”",
                )
            )
            continue
        if row.criterion.source not in EXTERNAL_SOURCES:
            problems.append(
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
            problems.append(Problem(name, line, "code", f"trùng với dòng {seen[(unit, code)]}"))
            continue
        seen[(unit, code)] = line
        if row.assessment.status == S.APPROVED:
            problems.append(
                Problem(name, line, "unit", f"kết quả của đơn vị “{unit}” đã được phê duyệt")
            )
            continue
        try:
            pts, na = _parse_external(row, points, "points")
        except ValidationError as exc:
            reason = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
            problems.append(Problem(name, line, "points", reason))
            continue
        if pts is None and not na:
            problems.append(Problem(name, line, "points", "thiếu điểm (ghi NA nếu không áp dụng)"))
            continue
        planned.append((row, _external_changes(row, pts, na, note)))
    if problems:
        raise FormatError(problems)
    changed = 0
    with transaction.atomic(durable=True):
        for row, changes in planned:
            if not changes:
                continue
            _versioned_update(score=row, expected_version=row.version, changes=changes, actor=actor)
            _audit_score(actor=actor, action="score.external", before=row, changes=changes)
            changed += 1
        if changed:
            _results_stale(cycle.pk)
        record(
            actor=actor,
            action="score.external_import",
            obj=cycle,
            after={"rows": len(planned), "changed": changed},
            context={"cycle": cycle.pk, "file": name},
        )
    return {"rows": len(planned), "changed": changed, "unchanged": len(planned) - changed}
