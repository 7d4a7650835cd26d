"""The Decision 766 indicator catalogue file (``data/dossiers/indicators-766.yaml``).

``versions: [{version, decision, label, uncertain?, groups: [{code, name, max}],
indicators: [{code, group, name, max, threshold?, formula, api?}]}]``; ``max: null`` marks
an informational indicator. :func:`read_catalogues` returns ``(catalogues, problems)``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from parindex.engine.index766 import Catalogue, Group, Indicator, catalogue_problems
from parindex.formats.errors import Problem
from parindex.formats.text import SafeLoader


def shipped_catalogue_file() -> Path:
    return Path(str(resources.files("parindex") / "data" / "dossiers" / "indicators-766.yaml"))


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"không phải là số: {value!r}") from exc


def read_catalogues(path: str | Path | None = None) -> tuple[list[Catalogue], list[Problem]]:
    file = Path(path) if path else shipped_catalogue_file()
    name = str(file)
    try:
        data = yaml.load(file.read_text(encoding="utf-8-sig"), Loader=SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [], [Problem(name, None, None, f"không đọc được bộ chỉ số: {exc}")]
    versions = data.get("versions") if isinstance(data, dict) else None
    if not isinstance(versions, list):
        return [], [Problem(name, None, "versions", "phải là danh sách phiên bản")]
    out: list[Catalogue] = []
    problems: list[Problem] = []
    for v in versions:
        label = str(v.get("version", "?")) if isinstance(v, dict) else "?"
        try:
            cat = Catalogue(
                version=label,
                decision=str(v.get("decision") or ""),
                groups=tuple(
                    Group(str(g["code"]), str(g["name"]), _number(g["max"]) or Decimal(0))
                    for g in v["groups"]
                ),
                indicators=tuple(
                    Indicator(
                        code=str(i["code"]),
                        name=str(i["name"]),
                        group=str(i["group"]),
                        max_points=_number(i.get("max")),
                        formula=str(i.get("formula") or "external"),
                        threshold=_number(i.get("threshold")),
                        api=str(i.get("api") or ""),
                    )
                    for i in v["indicators"]
                ),
                uncertain=bool(v.get("uncertain", False)),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            problems.append(Problem(name, None, f"version {label}", f"thiếu hoặc sai khoá: {exc}"))
            continue
        keys = {"code", "group", "name", "max", "threshold", "formula", "api"}
        for i in v["indicators"]:
            for k in sorted(set(i) - keys, key=str):
                problems.append(Problem(name, None, f"chỉ số {i['code']}", f"khoá lạ: {k!r}"))
        problems += [Problem(name, None, f"version {label}", p) for p in catalogue_problems(cat)]
        out.append(cat)
    return out, problems
