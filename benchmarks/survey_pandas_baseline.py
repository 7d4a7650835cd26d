"""A straightforward pandas implementation of ``parindex survey compute`` (baseline).

Same formulas (docs/surveys.md): item index and Wilson interval; aspect index = mean of
its items, overall = mean of the aspects (one part); aspect and overall intervals from the
respondent-level linearisation, Wilson with the effective sample size. Likert5 items only.

Usage: ``python survey_pandas_baseline.py questionnaire.yaml responses.csv out.csv``
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import yaml

Z = 1.959963984540054


def wilson(p: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    z2 = Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100 * (centre - half).clip(lower=0), 100 * (centre + half).clip(upper=1)


def main() -> None:
    qpath, rpath, out = sys.argv[1:4]
    with open(qpath, encoding="utf-8") as fh:
        q = yaml.safe_load(fh)
    item_aspect = {i["code"]: i["aspect"] for i in q["items"] if i["type"] == "likert5"}
    df = pd.read_csv(rpath, dtype={"respondent": str, "unit": str}, na_values=["KB", "NA"])
    long = df.melt(
        id_vars=["respondent", "unit"],
        value_vars=list(item_aspect),
        var_name="item",
        value_name="answer",
    ).dropna(subset=["answer"])
    long = long[long["answer"].between(1, 5)]
    long["s"] = (long["answer"] >= 4).astype(int)
    long["aspect"] = long["item"].map(item_aspect)

    items = long.groupby(["unit", "item"], as_index=False).agg(
        valid=("s", "size"), satisfied=("s", "sum")
    )
    items["p"] = items["satisfied"] / items["valid"]
    items["index"] = 100 * items["p"]
    items["ci_low"], items["ci_high"] = wilson(items["p"], items["valid"])
    items["aspect"] = items["item"].map(item_aspect)
    items["w_aspect"] = 1 / items.groupby(["unit", "aspect"])["item"].transform("size")
    n_aspects = items.groupby("unit")["aspect"].transform("nunique")
    items["w_overall"] = items["w_aspect"] / n_aspects

    aspects = items.groupby(["unit", "aspect"], as_index=False).agg(
        index=("index", "mean"), valid=("valid", "sum"), satisfied=("satisfied", "sum")
    )
    overall = aspects.groupby("unit", as_index=False).agg(
        index=("index", "mean"), valid=("valid", "sum"), satisfied=("satisfied", "sum")
    )

    long = long.merge(
        items[["unit", "item", "p", "valid", "w_aspect", "w_overall"]], on=["unit", "item"]
    )
    long["z"] = (long["s"] - long["p"]) / long["valid"]
    long["za"] = long["z"] * long["w_aspect"]
    long["zo"] = long["z"] * long["w_overall"]
    ua = long.groupby(["unit", "aspect", "respondent"])["za"].sum()
    var_a = (ua**2).groupby(level=["unit", "aspect"]).sum().rename("var").reset_index()
    uo = long.groupby(["unit", "respondent"])["zo"].sum()
    var_o = (uo**2).groupby(level="unit").sum().rename("var").reset_index()
    n_resp = long.groupby("unit")["respondent"].nunique().rename("n").reset_index()

    def interval(frame: pd.DataFrame, var: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        frame = frame.merge(var, on=keys).merge(n_resp, on="unit")
        p = frame["index"] / 100
        n_eff = np.where(frame["var"] > 1e-15, p * (1 - p) / frame["var"], frame["n"])
        frame["ci_low"], frame["ci_high"] = wilson(p, pd.Series(n_eff, index=frame.index))
        return frame

    aspects = interval(aspects, var_a, ["unit", "aspect"])
    overall = interval(overall, var_o, ["unit"])
    cols = ["unit", "level", "code", "index", "valid", "satisfied", "ci_low", "ci_high"]
    result = pd.concat(
        [
            items.assign(level="item", code=items["item"])[cols],
            aspects.assign(level="aspect", code=aspects["aspect"])[cols],
            overall.assign(level="overall", code="overall")[cols],
        ]
    ).sort_values(["unit", "level", "code"])
    result.to_csv(out, index=False, float_format="%.2f")


if __name__ == "__main__":
    main()
