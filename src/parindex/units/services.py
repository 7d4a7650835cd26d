"""Writes for units: administrative divisions from vietnam-provinces, CSV import, lineage."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from importlib import metadata
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.permissions import require_admin
from parindex.audit.services import record, save_created
from parindex.formats.errors import FormatError, Problem
from parindex.formats.units import CODE_RE, UnitRow
from parindex.units.models import (
    DivisionDataset,
    GroupKind,
    LineageKind,
    Unit,
    UnitGroup,
    UnitKind,
    UnitLineage,
    code_validator,
    loop_text,
    parent_loop,
    predecessors,
)

if TYPE_CHECKING:
    from parindex.accounts.models import User

#: A group's kind follows the kind of the units put in it, when the group is created.
#: Keyed by the ``UnitKind`` value (the import's ``kind`` cell is a plain string).
_GROUP_KIND_FOR_UNIT: dict[str, GroupKind] = {
    UnitKind.PROVINCE: GroupKind.PROVINCE,
    UnitKind.DEPARTMENT: GroupKind.DEPARTMENT,
    UnitKind.COMMUNE: GroupKind.COMMUNE,
    UnitKind.VERTICAL: GroupKind.VERTICAL,
    UnitKind.OTHER: GroupKind.OTHER,
}


def vn_slug(text: str, sep: str = "-") -> str:
    """ASCII code from Vietnamese text: ``"Sở Tư pháp"`` → ``"so-tu-phap"``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", sep, text).strip(sep).lower()
    return text or "x"


# --------------------------------------------------------------------------- divisions


def _divisions() -> tuple[list[dict[str, Any]], str, str]:
    import vietnam_provinces

    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    try:
        package_version = metadata.version("vietnam-provinces")
    except metadata.PackageNotFoundError:  # pragma: no cover
        package_version = getattr(vietnam_provinces, "__version__", "")
    data_version = str(getattr(vietnam_provinces, "__data_version__", ""))
    return data, package_version, data_version


def _match_province(provinces: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    key = wanted.strip().lower()
    slug = vn_slug(wanted, "_")
    for p in provinces:
        names = {str(p["code"]), p["codename"].lower(), p["name"].lower()}
        short = re.sub(r"^(tỉnh|thành phố)\s+", "", p["name"].lower())
        names.add(short)
        if key in names or slug in {p["codename"], vn_slug(short, "_")}:
            return p
    raise ValidationError(f"Không tìm thấy tỉnh, thành phố “{wanted}” trong danh mục.")


def _province_code(p: dict[str, Any]) -> str:
    return p["codename"]


def _commune_code(w: dict[str, Any]) -> str:
    # Ward codenames repeat across provinces; the official code makes them unique.
    return f"{w['codename']}_{w['code']}"


def _commune_short_name(name: str) -> str:
    return re.sub(r"^(xã|phường|đặc khu)\s+", "", name, flags=re.IGNORECASE)


def _province_short_name(name: str) -> str:
    return re.sub(r"^(tỉnh|thành phố)\s+", "", name, flags=re.IGNORECASE)


def _upsert(kind: str, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Create or update units of ``kind`` keyed by official code; returns (created, updated)."""
    codes = [r["official_code"] for r in rows]
    existing = {u.official_code: u for u in Unit.objects.filter(kind=kind, official_code__in=codes)}
    fields = ["code", "name", "short_name", "division_type", "parent_id", "group_id", "is_active"]
    to_create, to_update = [], []
    for row in rows:
        unit = existing.get(row["official_code"])
        if unit is None:
            to_create.append(Unit(kind=kind, **row))
            continue
        changed = False
        for f in fields:
            if f in row and getattr(unit, f) != row[f]:
                setattr(unit, f, row[f])
                changed = True
        if changed:
            to_update.append(unit)
    Unit.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Unit.objects.bulk_update(to_update, fields, batch_size=500)
    return len(to_create), len(to_update)


def units_load_divisions(
    *,
    actor: User | None = None,
    province: str | None = None,
    commune_group: UnitGroup | None = None,
) -> dict[str, Any]:
    """Load the provinces and communes (xã, phường, đặc khu) of the installed
    vietnam-provinces package. Idempotent: units are matched by their official code.

    With ``province`` only that province and its communes are loaded, and the communes are
    put in ``commune_group`` (default: a group of that province's communes, created when
    missing). Without it the 34 provinces and all 3,321 communes are loaded, without group.
    """
    data, package_version, data_version = _divisions()
    provinces = [_match_province(data, province)] if province else data
    with transaction.atomic():
        if province and commune_group is None:
            p = provinces[0]
            commune_group, _ = UnitGroup.objects.get_or_create(
                code=f"xa-{vn_slug(p['codename'])}",
                defaults={"name": f"UBND xã, phường — {p['name']}", "kind": GroupKind.COMMUNE},
            )
        p_created, p_updated = _upsert(
            UnitKind.PROVINCE,
            [
                {
                    "official_code": p["code"],
                    "code": _province_code(p),
                    "name": p["name"],
                    "short_name": _province_short_name(p["name"]),
                    "division_type": p["division_type"],
                    "is_active": True,
                }
                for p in provinces
            ],
        )
        parent_ids = dict(
            Unit.objects.filter(
                kind=UnitKind.PROVINCE, official_code__in=[p["code"] for p in provinces]
            ).values_list("official_code", "pk")
        )
        commune_rows = []
        for p in provinces:
            for w in p.get("wards", []):
                row = {
                    "official_code": w["code"],
                    "code": _commune_code(w),
                    "name": w["name"],
                    "short_name": _commune_short_name(w["name"]),
                    "division_type": w["division_type"],
                    "parent_id": parent_ids[p["code"]],
                    "is_active": True,
                }
                if commune_group is not None:
                    row["group_id"] = commune_group.pk
                commune_rows.append(row)
        c_created, c_updated = _upsert(UnitKind.COMMUNE, commune_rows)
        dataset = DivisionDataset.objects.create(
            source="vietnam-provinces",
            package_version=package_version,
            data_version=data_version,
            province_filter=province or "",
            province_count=len(provinces),
            commune_count=len(commune_rows),
        )
        stats = {
            "provinces": len(provinces),
            "communes": len(commune_rows),
            "created": p_created + c_created,
            "updated": p_updated + c_updated,
            "package_version": package_version,
            "data_version": data_version,
        }
        record(
            actor=actor,
            action="units.load_divisions",
            obj=dataset,
            after=stats,
            context={"province": province or ""},
        )
    return stats


# --------------------------------------------------------------------------- single unit


def unit_create(
    *,
    code: str,
    name: str,
    actor: User | None,
    kind: str = UnitKind.OTHER,
    group: UnitGroup | None = None,
    parent: Unit | None = None,
    short_name: str = "",
    division_type: str = "",
    official_code: int | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Unit:
    with transaction.atomic():
        unit = Unit(
            code=code,
            name=name,
            kind=kind,
            group=group,
            parent=parent,
            short_name=short_name,
            division_type=division_type,
            official_code=official_code,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        unit.full_clean()
        unit.save()
        record(
            actor=actor,
            action="unit.create",
            obj=unit,
            after={
                "code": code,
                "name": name,
                "kind": kind,
                "group": group.code if group else None,
                "parent": parent.code if parent else None,
            },
        )
    return unit


def unit_group_get_or_create(
    *, name: str, actor: User | None, kind: str = GroupKind.OTHER, code: str = "", position: int = 0
) -> UnitGroup:
    """The group named ``name`` (or with code ``code``), created when missing."""
    code = code or vn_slug(name)
    with transaction.atomic():
        group = (
            UnitGroup.objects.filter(code=code).first()
            or UnitGroup.objects.filter(name=name).first()
        )
        if group is None:
            group = UnitGroup(code=code, name=name, kind=kind, position=position)
            save_created(
                group,
                actor=actor,
                action="unit_group.create",
                after={"code": code, "name": name, "kind": kind},
            )
    return group


# --------------------------------------------------------------------------- CSV import


def units_import(
    *,
    rows: Sequence[UnitRow],
    source: str,
    actor: User | None,
    problems: Sequence[Problem] = (),
) -> dict[str, int]:
    """Import units read by :func:`parindex.formats.units.read_units_csv`.

    All-or-nothing: the reader's ``problems`` and those found against the database (a
    ``parent`` that is neither in the database nor in the file, a unit its own parent)
    are raised together as one :class:`FormatError`. Missing groups are created; existing
    units (same code) are updated. ``source`` names the file in the audit rows.
    """
    require_admin(actor, "nhập danh sách đơn vị", system=True)
    name = source
    problems = list(problems)
    in_file = {r.code for r in rows if r.code}
    parent_codes = {r.parent for r in rows if r.parent}
    in_db = set(Unit.objects.filter(code__in=parent_codes).values_list("code", flat=True))
    for r in rows:
        if r.parent and r.parent not in in_file and r.parent not in in_db:
            problems.append(
                Problem(name, r.line, "parent", f"Không tìm thấy đơn vị cấp trên “{r.parent}”.")
            )
        if r.parent and r.parent == r.code:
            problems.append(
                Problem(name, r.line, "parent", "Đơn vị không thể là cấp trên của chính nó.")
            )
    problems += _row_problems(rows, name)
    if problems:
        raise FormatError(problems)

    created = updated = groups_created = 0
    with transaction.atomic(durable=True):
        groups: dict[str, UnitGroup] = {}
        for r in rows:
            key = r.group
            if key in groups:
                continue
            g = (
                UnitGroup.objects.filter(code=key).first()
                or UnitGroup.objects.filter(name=key).first()
            )
            if g is None:
                gkind = _GROUP_KIND_FOR_UNIT.get(r.kind or UnitKind.OTHER, GroupKind.OTHER)
                gcode = key if CODE_RE.match(key) and len(key) <= 64 else vn_slug(key)
                g = UnitGroup.objects.create(
                    code=gcode, name=key, kind=gkind, position=UnitGroup.objects.count()
                )
                record(
                    actor=actor,
                    action="unit_group.create",
                    obj=g,
                    after={"code": g.code, "name": g.name, "kind": g.kind},
                    context={"import": name},
                )
                groups_created += 1
            groups[key] = g
        existing = {u.code: u for u in Unit.objects.filter(code__in=list(in_file))}
        units: dict[str, Unit] = {}
        for r in rows:
            g = groups[r.group]
            kind = r.kind or _kind_for_group(g)
            unit = existing.get(r.code)
            if unit is None:
                unit = Unit.objects.create(code=r.code, name=r.name, kind=kind, group=g)
                record(
                    actor=actor,
                    action="unit.create",
                    obj=unit,
                    after={"code": unit.code, "name": unit.name, "group": g.code, "kind": kind},
                    context={"import": name, "line": r.line},
                )
                created += 1
            else:
                before = {
                    "name": unit.name,
                    "group": unit.group.code if unit.group else None,
                    "kind": unit.kind,
                }
                after = {"name": r.name, "group": g.code, "kind": r.kind or unit.kind}
                if before != after:
                    unit.name, unit.group, unit.kind = r.name, g, after["kind"]
                    unit.save(update_fields=["name", "group", "kind"])
                    record(
                        actor=actor,
                        action="unit.update",
                        obj=unit,
                        before=before,
                        after=after,
                        context={"import": name, "line": r.line},
                    )
                    updated += 1
            units[r.code] = unit
        parents = {u.code: u for u in Unit.objects.filter(code__in=parent_codes)}
        parents.update(units)
        for r in rows:
            if not r.parent:
                continue
            unit, parent = units[r.code], parents[r.parent]
            if unit.parent_id != parent.pk:
                old = unit.parent.code if unit.parent else None
                unit.parent = parent
                unit.save(update_fields=["parent"])
                record(
                    actor=actor,
                    action="unit.update",
                    obj=unit,
                    field="parent",
                    before=old,
                    after=parent.code,
                    context={"import": name},
                )
    return {
        "created": created,
        "updated": updated,
        "groups_created": groups_created,
        "rows": len(rows),
    }


_UNIT_LIMITS = {
    "code": ("mã đơn vị", Unit._meta.get_field("code").max_length),
    "name": ("tên đơn vị", Unit._meta.get_field("name").max_length),
    "group": ("tên nhóm", UnitGroup._meta.get_field("name").max_length),
}


def _row_problems(rows: Sequence[UnitRow], name: str) -> list[Problem]:
    """Texts longer than their column and parent loops (``A → B → A``, also through units
    already in the database), located by line."""
    out: list[Problem] = []
    for r in rows:
        for col, (label, limit) in _UNIT_LIMITS.items():
            value = getattr(r, col)
            if limit and len(value) > limit:
                out.append(
                    Problem(name, r.line, col, f"{label.capitalize()} dài {len(value)} ký tự, "
                            f"tối đa {limit} ký tự.")
                )  # fmt: skip
    if not any(r.parent for r in rows):
        return out
    parent_of: dict[str, str | None] = dict(
        Unit.objects.filter(parent__isnull=False).values_list("code", "parent__code")
    )
    parent_of.update({r.code: r.parent for r in rows if r.parent and r.parent != r.code})
    reported: set[frozenset[str]] = set()
    for r in rows:
        if not r.parent or r.parent == r.code:
            continue
        chain = parent_loop(r.code, parent_of)
        if chain is not None and frozenset(chain) not in reported:
            reported.add(frozenset(chain))
            out.append(Problem(name, r.line, "parent", loop_text(chain)))
    return out


def _kind_for_group(group: UnitGroup) -> str:
    for ukind, gkind in _GROUP_KIND_FOR_UNIT.items():
        if gkind == group.kind:
            return ukind
    return UnitKind.OTHER


# --------------------------------------------------------------------------- lineage


def lineage_add(
    *,
    predecessor: Unit,
    successor: Unit,
    kind: str,
    effective: date,
    actor: User | None,
    note: str = "",
) -> UnitLineage:
    """Record that ``predecessor`` became (part of) ``successor`` on ``effective``."""
    if kind not in LineageKind.values:
        raise ValidationError({"kind": f"Hình thức không hợp lệ: {kind}."})
    if predecessor.pk == successor.pk:
        raise ValidationError("Đơn vị trước và đơn vị sau phải khác nhau.")
    if any(u.pk == successor.pk for u in predecessors(predecessor)):
        raise ValidationError(
            f"“{successor}” đã là đơn vị trước của “{predecessor}”; không thể tạo vòng lặp."
        )
    with transaction.atomic():
        link, created = UnitLineage.objects.get_or_create(
            predecessor=predecessor,
            successor=successor,
            defaults={"kind": kind, "effective": effective, "note": note},
        )
        if created:
            record(
                actor=actor,
                action="lineage.add",
                obj=link,
                after={
                    "predecessor": predecessor.code,
                    "successor": successor.code,
                    "kind": kind,
                    "effective": effective.isoformat(),
                    "note": note,
                },
            )
    return link


__all__ = [
    "code_validator",
    "lineage_add",
    "unit_create",
    "unit_group_get_or_create",
    "units_import",
    "units_load_divisions",
    "vn_slug",
]
