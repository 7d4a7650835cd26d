"""Writes for frameworks: import an engine :class:`~parindex.engine.framework.Framework`
(from YAML/Excel) into the database."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user
from parindex.audit.services import record
from parindex.engine import framework as eng
from parindex.formats.frameworks import load_framework_file
from parindex.frameworks import codec
from parindex.frameworks.models import Criterion, Framework, FrameworkStatus, ScoringRule


class FrameworkInUse(ValidationError):
    """The framework is used by a cycle and can no longer be changed."""


def _field_max(model: type[Framework] | type[Criterion], name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


def _length_errors(fw: eng.Framework) -> list[str]:
    """Texts longer than their database column, each named by where it is in the tree (the
    database would otherwise refuse the whole import with a bare DataError)."""
    out: list[str] = []
    for field, label in (
        ("code", "mã"),
        ("name", "tên"),
        ("decision", "quyết định"),
        ("label", "nhãn"),
    ):
        limit = _field_max(Framework, field)
        value = str(getattr(fw, field) or "")
        if limit is not None and len(value) > limit:
            out.append(f"{label} bộ tiêu chí dài {len(value)} ký tự, tối đa {limit}")
    limits = {f: _field_max(Criterion, f) for f in ("code", "name")}
    for node in fw.walk():
        for field, label in (("code", "mã"), ("name", "nội dung")):
            limit, value = limits[field], getattr(node, field)
            if limit is not None and len(value) > limit:
                where = node.code if len(node.code) <= 50 else node.code[:50] + "…"
                out.append(f"tiêu chí {where}: {label} dài {len(value)} ký tự, tối đa {limit}")
    return out


def _validate(fw: eng.Framework) -> tuple[str, list[str]]:
    """(status, issue texts). Errors refuse the import; unknown maxima mark it incomplete."""
    issues = eng.validate_framework(fw)
    errors = [str(i) for i in issues if i.level == "error"]
    if not errors:  # a too-deep tree is refused above without walking it
        errors = _length_errors(fw)
    if errors:
        raise ValidationError([f"Bộ tiêu chí {fw.code} không hợp lệ: {e}" for e in errors])
    unknown = [str(i) for i in issues]
    return (FrameworkStatus.INCOMPLETE if unknown else FrameworkStatus.COMPLETE), unknown


def framework_import(
    *,
    framework: eng.Framework,
    actor: User | None,
    imported_from: str = "",
    replace: bool = False,
    is_sample: bool | None = None,
) -> Framework:
    """Store ``framework`` (criteria tree and rules) in one transaction.

    A framework with the same code is replaced only with ``replace=True`` and only while
    no cycle uses it; otherwise :class:`ValidationError` with a message for the user.
    A replace bumps :attr:`Framework.revision`, so every cached compile of the old tree
    (:func:`parindex.frameworks.shape.framework_shape`) is left behind.
    """
    status, issues = _validate(framework)
    if is_sample is None:
        is_sample = "mẫu" in framework.label.lower() or framework.code.startswith("sample")
    # Plain atomic, not durable: the demo loader imports the shipped frameworks inside
    # its own transaction.
    with transaction.atomic():
        existing = Framework.objects.select_for_update().filter(code=framework.code).first()
        before = None
        if existing is not None:
            if not replace:
                raise ValidationError(
                    f"Đã có bộ tiêu chí mã “{framework.code}”. Dùng tuỳ chọn thay thế "
                    "(--replace) nếu muốn nhập lại."
                )
            if existing.is_used:
                raise FrameworkInUse(
                    f"Bộ tiêu chí “{framework.code}” đã được dùng trong kỳ đánh giá nên không "
                    "thể thay thế. Hãy nhập với mã mới (ví dụ thêm năm hoặc phiên bản)."
                )
            before = {
                "name": existing.name,
                "total": existing.total,
                "criteria": existing.criteria.count(),
                "revision": existing.revision,
            }
            existing.criteria.all().delete()
            existing.revision += 1
            fw_model = existing
        else:
            fw_model = Framework(code=framework.code, created_by=actor_user(actor))
        fw_model.name = framework.name
        fw_model.decision = framework.decision
        fw_model.year = framework.year
        fw_model.total = framework.total
        fw_model.label = framework.label
        fw_model.is_sample = is_sample
        fw_model.status = status
        fw_model.issues = issues
        fw_model.imported_from = str(imported_from)[:300]
        fw_model.save()
        count = _create_criteria(fw_model, framework)
        record(
            actor=actor,
            action="framework.replace" if before is not None else "framework.import",
            obj=fw_model,
            before=before,
            after={
                "name": fw_model.name,
                "total": fw_model.total,
                "criteria": count,
                "status": status,
                "imported_from": fw_model.imported_from,
                "revision": fw_model.revision,
            },
        )
    return fw_model


def _create_criteria(fw_model: Framework, framework: eng.Framework) -> int:
    """Bulk-create the tree level by level (parents need their primary keys first)."""
    level: list[tuple[eng.Node, Criterion | None]] = [(n, None) for n in framework.nodes]
    # document order → position
    order = {node.code: position for position, node in enumerate(framework.walk())}
    depth = 1
    rules: list[ScoringRule] = []
    total = 0
    while level:
        objs = [
            Criterion(
                framework=fw_model,
                parent=parent,
                code=node.code,
                name=node.name,
                depth=depth,
                position=order[node.code],
                max_points=node.max_points,
                source=node.source,
                guidance=node.guidance,
                evidence=node.evidence,
                note=node.note,
            )
            for node, parent in level
        ]
        Criterion.objects.bulk_create(objs)
        if any(o.pk is None for o in objs):  # backends that do not return primary keys
            by_code = dict(
                Criterion.objects.filter(
                    framework=fw_model, code__in=[o.code for o in objs]
                ).values_list("code", "pk")
            )
            for o in objs:
                o.pk = by_code[o.code]
        total += len(objs)
        nxt: list[tuple[eng.Node, Criterion | None]] = []
        for (node, _parent), obj in zip(level, objs, strict=True):
            if node.rule is not None:
                rules.append(
                    ScoringRule(
                        criterion=obj,
                        type=node.rule.type,
                        params=codec.encode(dict(node.rule.params)),
                    )
                )
            nxt.extend((child, obj) for child in node.children)
        level = nxt
        depth += 1
    ScoringRule.objects.bulk_create(rules)
    return total


def framework_import_file(
    *, path: str | Path, actor: User | None, replace: bool = False
) -> Framework:
    """Read a framework file (YAML or Excel) and import it. Raises
    :class:`~parindex.formats.errors.FormatError` for a bad file, ValidationError when the
    import is refused."""
    fw = load_framework_file(path)
    return framework_import(
        framework=fw, actor=actor, imported_from=Path(path).name, replace=replace
    )
