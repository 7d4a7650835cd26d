"""A plain Polars script doing the issue-2 computation (the near-limit reference).

Same inputs and semantics as ``pandas_baseline.py`` (area → criterion → leaf; N/A removes
points and maximum; bonus adds, penalty subtracts; parents clamped to ``[0, applicable
max]``; competition ranking within groups; classes by inclusive lower bounds, capped by
conditions), written the way a Polars user would: lazy frames, one pass each. Points are
integer hundredths, the index a float, as in the pandas script. It validates nothing.
Usage: ``python polars_baseline.py CASE_DIR OUT.csv``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import yaml

from baseline_leaves import leaf_rows


def leaf_table(fw: dict) -> pl.DataFrame:
    return pl.DataFrame(leaf_rows(fw))


def main(case: Path, out: Path) -> None:
    fw = yaml.safe_load((case / "framework.yaml").read_text(encoding="utf-8"))
    rating = yaml.safe_load((case / "rating.yaml").read_text(encoding="utf-8"))
    leaves = leaf_table(fw).lazy()
    text = {"unit": pl.String, "code": pl.String, "points": pl.String}
    scores = pl.scan_csv(case / "scores.csv", schema_overrides=text).with_columns(
        pl.col("points").cast(pl.Float64, strict=False)
    )
    units = pl.scan_csv(case / "units.csv", infer_schema=False)
    metrics = pl.read_csv(case / "metrics.csv", schema_overrides={"unit": pl.String})

    na = pl.col("points").is_null()
    regular = ~pl.col("source").is_in(["bonus", "penalty"])
    pts = (pl.col("points").fill_null(0) * 100).round().cast(pl.Int64)
    s = scores.join(leaves, on="code", how="left").with_columns(
        signed=pl.when(na).then(0).when(pl.col("source") == "penalty").then(-pts).otherwise(pts),
        app=pl.when(regular & ~na).then(pl.col("max_c")).otherwise(0),
        alive=regular & ~na,
    )
    crit = (
        s.group_by("unit", "crit", "area")
        .agg(p=pl.col("signed").sum(), m=pl.col("app").sum(), alive=pl.col("alive").any())
        .filter(pl.col("alive"))
        .with_columns(p=pl.min_horizontal(pl.col("p").clip(lower_bound=0), pl.col("m")))
    )
    area = (
        crit.group_by("unit", "area")
        .agg(p=pl.col("p").sum(), m=pl.col("m").sum())
        .with_columns(p=pl.min_horizontal("p", "m"))
    )
    total = (
        area.group_by("unit")
        .agg(p=pl.col("p").sum(), m=pl.col("m").sum())
        .with_columns(index=pl.col("p") * 100 / pl.col("m"))
    )
    wide = metrics.pivot(on="metric", index="unit", values="value").lazy()
    names = [c["name"] for c in rating["classes"]]
    pos = pl.lit(len(names) - 1)
    for i in reversed(range(len(names))):
        pos = pl.when(pl.col("index") >= float(rating["classes"][i]["min"])).then(i).otherwise(pos)
    res = (
        total.join(units.select("unit", "group"), on="unit", how="left")
        .join(wide, on="unit", how="left")
        .with_columns(
            rank=pl.col("index").rank("min", descending=True).over("group").cast(pl.Int64),
            pos=pos,
        )
    )
    ops = {">=": "__ge__", ">": "__gt__", "<=": "__le__", "<": "__lt__", "==": "__eq__"}
    for cond in rating.get("conditions") or []:
        met = getattr(pl.col(cond["metric"]), ops[cond["op"]])(float(cond["value"]))
        cap = names.index(cond["cap"])
        res = res.with_columns(
            pos=pl.when(met.fill_null(False)).then(pl.max_horizontal("pos", cap)).otherwise("pos")
        )
    res.with_columns(
        rating=pl.col("pos").replace_strict(list(range(len(names))), names),
        points=(pl.col("p") / 100).round(2),
        max_points=(pl.col("m") / 100).round(2),
        index=pl.col("index").round(2),
    ).sort("group", "rank", "unit").select(
        "unit", "group", "points", "max_points", "index", "rank", "rating"
    ).collect().write_csv(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
