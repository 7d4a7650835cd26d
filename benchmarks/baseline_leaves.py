"""The leaf table both baseline scripts start from (``pandas_baseline.py``,
``polars_baseline.py``): one row per leaf of the synthetic case's framework (area →
criterion → leaf) with its criterion, area, maximum in hundredths and points source.
Plain Python, so that each baseline pays only for its own library."""

from __future__ import annotations


def leaf_rows(fw: dict) -> list[dict]:
    rows = []
    for area in fw["nodes"]:
        for crit in area["children"]:
            for leaf in crit.get("children") or [crit]:
                rows.append(
                    {
                        "code": str(leaf["code"]),
                        "crit": str(crit["code"]),
                        "area": str(area["code"]),
                        "max_c": round(float(leaf["max_points"]) * 100),
                        "source": leaf.get("source", "self"),
                    }
                )
    return rows
