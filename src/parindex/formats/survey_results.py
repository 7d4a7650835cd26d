"""Survey results (DESIGN §5): ``unit,level,code,index,valid,satisfied,ci_low,ci_high``.

One row per unit and code, units in code order; within a unit: the likert5 items
(questionnaire order), the aspects, the parts, the overall index (code ``overall``), then
the ``choice`` rows of single and multi items (code ``<item>/<choice>``).

* ``item``: ``index`` = 100 × satisfied / valid; Wilson 95 % interval.
* ``aspect`` / ``part`` / ``overall``: ``index`` = weighted mean of the children; ``valid``
  and ``satisfied`` add up the answers of the items that enter the node (so ``index`` is
  not ``satisfied / valid`` there); linearised interval (docs/surveys.md).
* ``choice`` (additive level): ``valid`` = respondents who answered the item, ``satisfied``
  = those who chose or ticked the choice, ``index`` = the share in percent (shares of a
  multi item need not add up to 100); Wilson 95 % interval.

Numbers use a dot and are rounded half-up to ``decimals`` for display only (a value at a
rounding tie is rounded from its exact fraction). An empty cell (JSON ``null``) = no index.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from fractions import Fraction
from typing import IO

from parindex.engine.survey import Questionnaire, round_half_up, wilson_interval
from parindex.engine.survey_bulk import SurveyResult, display, display_array
from parindex.formats.cells import safe_rows

__all__ = ["COLUMNS", "survey_result_rows", "write_survey_results"]

COLUMNS = ("unit", "level", "code", "index", "valid", "satisfied", "ci_low", "ci_high")


def survey_result_rows(
    result: SurveyResult, q: Questionnaire, decimals: int = 2
) -> Iterator[list[str]]:
    tree = result.tree
    valid, satisfied = result.valid.tolist(), result.satisfied.tolist()
    node_valid, node_sat = result.node_valid.tolist(), result.node_satisfied.tolist()
    item_txt, ties = display_array(result.item_index(), decimals)
    for u, j in ties:
        item_txt[u][j] = str(round_half_up(Fraction(100 * satisfied[u][j], valid[u][j]), decimals))
    node_txt, ties = display_array(result.node_index, decimals)
    for u, k in ties:
        exact = result.exact_node_index(u, k)
        if exact is not None:
            node_txt[u][k] = str(round_half_up(exact, decimals))
    item_lo, item_hi = (display_array(a, decimals)[0] for a in result.item_ci)
    node_lo, node_hi = (display_array(a, decimals)[0] for a in result.node_ci)
    choice_items = {i.code: i for i in q.choice_items()}

    def num(value: float) -> str:
        return display(value, decimals)

    for u, unit in enumerate(result.units):
        for j, code in enumerate(tree.items):
            yield [
                unit,
                "item",
                code,
                item_txt[u][j],
                str(valid[u][j]),
                str(satisfied[u][j]),
                item_lo[u][j],
                item_hi[u][j],
            ]
        for k, node in enumerate(tree.nodes):
            yield [
                unit,
                node.level,
                node.code,
                node_txt[u][k],
                str(node_valid[u][k]),
                str(node_sat[u][k]),
                node_lo[u][k],
                node_hi[u][k],
            ]
        for counts in result.choices:
            item = choice_items[counts.item]
            answered = int(counts.answered[u])
            for c, choice in enumerate(item.choices):
                chosen = int(counts.chosen[u][c]) if c < counts.chosen.shape[1] else 0
                share = Fraction(100 * chosen, answered) if answered else None
                low, high = wilson_interval(chosen / answered if answered else 0.0, answered)
                yield [
                    unit,
                    "choice",
                    f"{item.code}/{choice.code}",
                    "" if share is None else display(float(share), decimals, share),
                    str(answered),
                    str(chosen),
                    num(low),
                    num(high),
                ]


def write_survey_results(
    result: SurveyResult, q: Questionnaire, out: IO[str], fmt: str = "csv", decimals: int = 2
) -> None:
    rows = survey_result_rows(result, q, decimals)
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(safe_rows(COLUMNS, rows, COLUMNS[:3]))  # unit, level, code
        return
    records = [
        {
            c: v if k < 3 else (None if v == "" else int(v) if k in (4, 5) else float(v))
            for k, (c, v) in enumerate(zip(COLUMNS, row, strict=True))
        }
        for row in rows
    ]
    json.dump(records, out, ensure_ascii=False, indent=1)
    out.write("\n")
