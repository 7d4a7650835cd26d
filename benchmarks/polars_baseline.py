"""A plain Polars script doing the issue-2 computation (the near-limit reference).

Same inputs and semantics as ``pandas_baseline.py`` (area → criterion → leaf; N/A removes
points and maximum; bonus adds, penalty subtracts; parents clamped to ``[0, applicable
max]``; competition ranking within groups; classes by inclusive lower bounds, capped by
conditions), written the way a Polars user would: lazy frames, one pass each. Points are
integer hundredths, the index a float, as in the pandas script. It validates nothing.

With ``--same-columns`` it also writes what ``parindex compute`` writes besides: each
area's points and index (``area_<code>_points``, ``area_<code>_index``), every number with
two decimals, and the rating's reasons (each applied condition's reason with the unit's
value, then the conditions left unchecked for want of a value) — the same 24 columns.
Usage: ``python polars_baseline.py CASE_DIR OUT.csv [--same-columns]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import yaml

from baseline_leaves import leaf_rows


def leaf_table(fw: dict) -> pl.DataFrame:
    return pl.DataFrame(leaf_rows(fw))


def main(case: Path, out: Path, same_columns: bool = False) -> None:
    fw = yaml.safe_load((case / "framework.yaml").read_text(encoding="utf-8"))
    rating = yaml.safe_load((case / "rating.yaml").read_text(encoding="utf-8"))
    leaves = leaf_table(fw).lazy()
    text = {"unit": pl.String, "code": pl.String, "points": pl.String}
    scores = pl.scan_csv(case / "scores.csv", schema_overrides=text).with_columns(
        pl.col("points").cast(pl.Float64, strict=False)
    )
    units = pl.scan_csv(case / "units.csv", infer_schema=False)
    # The reasons quote each value as written: read as text too (--same-columns only).
    as_text = {"value": pl.String} if same_columns else {}
    metrics = pl.read_csv(case / "metrics.csv", schema_overrides={"unit": pl.String, **as_text})
    if same_columns:
        metrics = metrics.with_columns(text="value", value=pl.col("value").cast(pl.Float64))

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
    if same_columns:  # the areas feed the total and their own columns: computed once
        area = area.collect().lazy()
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
    reasons, unchecked = [], []
    if same_columns:  # the class from the index alone: a reason is given when it is capped
        res = res.with_columns(base="pos")
    for cond in rating.get("conditions") or []:
        value = pl.col(cond["metric"])
        met = getattr(value, ops[cond["op"]])(float(cond["value"]))
        cap = names.index(cond["cap"])
        res = res.with_columns(
            pos=pl.when(met.fill_null(False)).then(pl.max_horizontal("pos", cap)).otherwise("pos")
        )
        if not same_columns:
            continue
        why = (
            cond.get("reason")
            or f"{cond['metric']} {cond['op']} {cond['value']} → tối đa {cond['cap']}"
        )
        text = pl.col(f"{cond['metric']}__text")
        reasons.append(
            pl.when(met.fill_null(False) & (pl.col("base") < cap)).then(
                pl.format(f"{why} ({cond['metric']} = {{}})", text)
            )
        )
        unchecked.append(
            pl.when(value.is_null()).then(
                pl.lit(f"không có số liệu {cond['metric']}: chưa xét điều kiện “{why}”")
            )
        )
    res = res.with_columns(
        rating=pl.col("pos").replace_strict(list(range(len(names))), names),
        points=(pl.col("p") / 100).round(2),
        max_points=(pl.col("m") / 100).round(2),
        index=pl.col("index").round(2),
    )
    columns = ["unit", "group", "points", "max_points", "index", "rank", "rating"]
    if not same_columns:
        res.sort("group", "rank", "unit").select(columns).collect().write_csv(out)
        return
    codes = [str(a["code"]) for a in fw["nodes"]]
    per_area = area.with_columns(
        points=(pl.col("p") / 100).round(2), index=(pl.col("p") * 100 / pl.col("m")).round(2)
    ).collect()
    wide_areas = per_area.pivot(on="area", index="unit", values=["points", "index"])
    area_columns = [f"area_{c}_{k}" for c in codes for k in ("points", "index")]
    wide_areas = wide_areas.rename(
        {f"{k}_{c}": f"area_{c}_{k}" for c in codes for k in ("points", "index")}
    )
    if reasons:
        texts = metrics.pivot(on="metric", index="unit", values="text").lazy()
        texts = texts.rename({c: f"{c}__text" for c in metrics["metric"].unique()})
        res = res.join(texts, on="unit", how="left").with_columns(
            rating_reasons=pl.concat_str(reasons + unchecked, separator="; ", ignore_nulls=True)
        )
        # none applied: an empty cell, not a quoted empty text
        res = res.with_columns(pl.col("rating_reasons").replace("", None))
    else:
        res = res.with_columns(rating_reasons=pl.lit(None, pl.String))
    res.join(wide_areas.lazy(), on="unit", how="left").sort("group", "rank", "unit").select(
        *columns, *area_columns, "rating_reasons"
    ).collect().write_csv(out, float_precision=2)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), "--same-columns" in sys.argv[3:])
