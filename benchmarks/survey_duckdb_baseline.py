"""The same aggregation as ``parindex survey compute`` written as DuckDB SQL (reference).

Item counts, index and Wilson interval; aspect = mean of its items, overall = mean of the
aspects (one part); aspect and overall intervals from the respondent-level linearisation
(Σᵣ uᵣ², uᵣ = Σⱼ eⱼ (sᵣⱼ − pⱼ) / Vⱼ over the respondent's valid answers), Wilson with the
effective sample size. Likert5 items only.

Usage: ``python survey_duckdb_baseline.py questionnaire.yaml responses.csv out.csv``
"""

from __future__ import annotations

import sys

import duckdb
import yaml

Z = 1.959963984540054


def wilson_sql(p: str, n: str, side: str) -> str:
    z2 = Z * Z
    sign = "-" if side == "low" else "+"
    clip = "greatest(0, {x})" if side == "low" else "least(1, {x})"
    expr = (
        f"(({p}) + {z2} / (2 * ({n}))) / (1 + {z2} / ({n})) {sign} {Z} * "
        f"sqrt(({p}) * (1 - ({p})) / ({n}) + {z2} / (4 * ({n}) * ({n}))) / (1 + {z2} / ({n}))"
    )
    return "100 * " + clip.format(x=expr)


def main() -> None:
    qpath, rpath, out = sys.argv[1:4]
    with open(qpath, encoding="utf-8") as fh:
        q = yaml.safe_load(fh)
    items = [(i["code"], i["aspect"]) for i in q["items"] if i["type"] == "likert5"]
    con = duckdb.connect()
    con.execute("CREATE TABLE map(item VARCHAR, aspect VARCHAR)")
    con.executemany("INSERT INTO map VALUES (?, ?)", items)
    cols = ", ".join(f'"{c}"' for c, _ in items)
    path = rpath.replace("'", "''")
    con.execute(
        f"""
        CREATE TABLE r AS
        SELECT row_number() OVER () AS rid, *
        FROM read_csv('{path}', all_varchar = true);

        CREATE TABLE long AS
        SELECT rid, unit, item, CAST(answer AS TINYINT) AS a
        FROM (UNPIVOT (SELECT * EXCLUDE (respondent) FROM r)
              ON {cols} INTO NAME item VALUE answer)
        WHERE answer IN ('1', '2', '3', '4', '5');

        CREATE TABLE items AS
        SELECT unit, item, aspect, count(*) AS valid, sum(CAST(a >= 4 AS INTEGER)) AS satisfied,
               sum(CAST(a >= 4 AS INTEGER)) / count(*) AS p
        FROM long JOIN map USING (item) GROUP BY ALL;

        CREATE TABLE weights AS
        SELECT i.*, 1.0 / count(*) OVER (PARTITION BY unit, aspect) AS w_aspect,
               1.0 / count(*) OVER (PARTITION BY unit, aspect) / na.n_aspects AS w_overall
        FROM items i JOIN (SELECT unit, count(DISTINCT aspect) AS n_aspects FROM items
                           GROUP BY unit) na USING (unit);

        CREATE TABLE z AS
        SELECT l.unit, l.rid, w.aspect,
               (CAST(l.a >= 4 AS INTEGER) - w.p) / w.valid AS z, w.w_aspect, w.w_overall
        FROM long l JOIN weights w USING (unit, item);

        CREATE TABLE n_resp AS SELECT unit, count(DISTINCT rid) AS n FROM long GROUP BY unit;

        CREATE TABLE aspects AS
        SELECT a.unit, a.aspect AS code, a.idx, a.valid, a.satisfied, v.var
        FROM (SELECT unit, aspect, avg(100 * p) AS idx, sum(valid) AS valid,
                     sum(satisfied) AS satisfied FROM items GROUP BY ALL) a
        JOIN (SELECT unit, aspect, sum(u * u) AS var
              FROM (SELECT unit, aspect, rid, sum(z * w_aspect) AS u FROM z GROUP BY ALL)
              GROUP BY ALL) v USING (unit, aspect);

        CREATE TABLE overall AS
        SELECT o.unit, 'overall' AS code, o.idx, o.valid, o.satisfied, v.var
        FROM (SELECT unit, avg(idx) AS idx, sum(valid) AS valid, sum(satisfied) AS satisfied
              FROM aspects GROUP BY unit) o
        JOIN (SELECT unit, sum(u * u) AS var
              FROM (SELECT unit, rid, sum(z * w_overall) AS u FROM z GROUP BY ALL)
              GROUP BY unit) v USING (unit);
        """
    )
    neff = "(CASE WHEN var > 1e-15 THEN (idx / 100) * (1 - idx / 100) / var ELSE n END)"
    node = (
        "SELECT unit, '{level}' AS level, code, round(idx, 2) AS index, valid, satisfied, "
        f"round({wilson_sql('idx / 100', neff, 'low')}, 2) AS ci_low, "
        f"round({wilson_sql('idx / 100', neff, 'high')}, 2) AS ci_high "
        "FROM {table} JOIN n_resp USING (unit)"
    )
    con.execute(
        f"""
        COPY (
          SELECT unit, 'item' AS level, item AS code, round(100 * p, 2) AS index, valid,
                 satisfied, round({wilson_sql("p", "valid", "low")}, 2) AS ci_low,
                 round({wilson_sql("p", "valid", "high")}, 2) AS ci_high
          FROM items
          UNION ALL {node.format(level="aspect", table="aspects")}
          UNION ALL {node.format(level="overall", table="overall")}
          ORDER BY unit, level, code
        ) TO '{out.replace("'", "''")}' (HEADER, DELIMITER ',')
        """
    )


if __name__ == "__main__":
    main()
