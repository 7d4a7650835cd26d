"""A straightforward pandas implementation of the issue-2 computation (the baseline).

Same inputs and semantics as ``parindex compute`` on the synthetic case (area → criterion
→ leaf; N/A removes points and maximum; bonus adds, penalty subtracts; parents clamped to
``[0, applicable max]``; competition ranking within groups on unrounded values; classes by
inclusive lower bounds, capped by conditions). Points are handled as integer hundredths so
that ties are exact, as in the engine. Usage: ``python pandas_baseline.py CASE_DIR OUT.csv``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from baseline_leaves import leaf_rows


def leaf_table(fw: dict) -> pd.DataFrame:
    return pd.DataFrame(leaf_rows(fw))


def main(case: Path, out: Path) -> None:
    fw = yaml.safe_load((case / "framework.yaml").read_text(encoding="utf-8"))
    rating = yaml.safe_load((case / "rating.yaml").read_text(encoding="utf-8"))
    leaves = leaf_table(fw)
    scores = pd.read_csv(case / "scores.csv", dtype={"unit": str, "code": str}, na_values=["NA"])
    units = pd.read_csv(case / "units.csv", dtype=str)
    metrics = pd.read_csv(case / "metrics.csv", dtype={"unit": str, "metric": str})

    s = scores.merge(leaves, on="code", how="left")
    na = s["points"].isna()
    regular = ~s["source"].isin(["bonus", "penalty"])
    pts = (s["points"].fillna(0) * 100).round().astype("int64")
    s["signed"] = np.where(s["source"] == "penalty", -pts, pts)
    s.loc[na, "signed"] = 0
    s["app"] = np.where(regular & ~na, s["max_c"], 0)
    s["alive"] = regular & ~na

    crit = s.groupby(["unit", "crit", "area"], sort=False).agg(
        p=("signed", "sum"), m=("app", "sum"), alive=("alive", "any")
    )
    crit = crit[crit["alive"]].reset_index()
    crit["p"] = np.minimum(crit["p"].clip(lower=0), crit["m"])

    area = crit.groupby(["unit", "area"], sort=False).agg(p=("p", "sum"), m=("m", "sum"))
    area["p"] = np.minimum(area["p"], area["m"])
    total = area.groupby("unit", sort=False).agg(p=("p", "sum"), m=("m", "sum")).reset_index()
    total["index"] = total["p"] * 100 / total["m"]

    res = total.merge(units[["unit", "group"]], on="unit", how="left")
    res["rank"] = res.groupby("group")["index"].rank(method="min", ascending=False).astype(int)

    names = [c["name"] for c in rating["classes"]]
    mins = [float(c["min"]) for c in rating["classes"]]
    pos = np.full(len(res), len(names) - 1)
    for i in reversed(range(len(names))):
        pos = np.where(res["index"] >= mins[i], i, pos)
    wide = metrics.pivot(index="unit", columns="metric", values="value")
    res = res.merge(wide, left_on="unit", right_index=True, how="left")
    ops = {
        ">=": np.greater_equal,
        ">": np.greater,
        "<=": np.less_equal,
        "<": np.less,
        "==": np.equal,
    }
    for cond in rating.get("conditions") or []:
        met = ops[cond["op"]](res[cond["metric"]], float(cond["value"])).fillna(False)
        pos = np.where(met.to_numpy(dtype=bool), np.maximum(pos, names.index(cond["cap"])), pos)
    res["rating"] = [names[i] for i in pos]
    res["points"] = (res["p"] / 100).round(2)
    res["max_points"] = (res["m"] / 100).round(2)
    res["index"] = res["index"].round(2)
    res = res.sort_values(["group", "rank", "unit"])
    res[["unit", "group", "points", "max_points", "index", "rank", "rating"]].to_csv(
        out, index=False
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
