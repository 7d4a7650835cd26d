"""Synthetic national survey case for ``bench_survey.py`` (fixed seed, numpy).

``build(directory, respondents=1_000_000, items=25, units=3321)`` writes:

* ``questionnaire.yaml``: ``items`` likert5 items in 5 aspects (5 each) of one part;
* ``units.csv``: ``unit,name,group,population`` for ``units`` communes (5-digit codes);
* ``responses.csv``: ``respondent,unit,<item>…`` with answers 1–5 and about 5 % blank,
  2 % ``KB`` and 1 % ``NA`` cells, units drawn at random (about 300 respondents each),
  rows in random unit order (as an export comes).

Usage: ``python benchmarks/generate_survey_case.py DIR [--respondents N]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def build(
    directory: Path, respondents: int = 1_000_000, items: int = 25, units: int = 3321
) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20251201)
    n_aspects = 5
    codes = [f"Q{j + 1:02d}" for j in range(items)]
    q = ["code: bench", "name: Phiếu khảo sát thử", "aspects:"]
    q += [f"- {{code: A{a + 1}, name: Khía cạnh {a + 1}, part: dv}}" for a in range(n_aspects)]
    q.append("items:")
    for j, code in enumerate(codes):
        q.append(f"- {{code: {code}, text: Câu {j + 1}, type: likert5, aspect: A{j % 5 + 1}}}")
    (directory / "questionnaire.yaml").write_text("\n".join(q) + "\n", encoding="utf-8")
    unit_codes = [f"{u + 1:05d}" for u in range(units)]
    with open(directory / "units.csv", "w", encoding="utf-8") as fh:
        fh.write("unit,name,group,population\n")
        for u, code in enumerate(unit_codes):
            fh.write(f"{code},Xã {u + 1},xa,{int(rng.integers(500, 20000))}\n")
    # Answers: a per-unit satisfaction level so that units differ.
    unit_of = rng.integers(0, units, respondents)
    level = rng.uniform(2.8, 4.6, units)[unit_of]
    raw = np.clip(np.rint(level[:, None] + rng.normal(0, 0.9, (respondents, items))), 1, 5)
    cell = raw.astype(np.int8)
    u = rng.random((respondents, items))
    cell[u < 0.05] = 0  # blank
    cell[(u >= 0.05) & (u < 0.07)] = 6  # KB
    cell[(u >= 0.07) & (u < 0.08)] = 7  # NA
    words = np.array(["", "1", "2", "3", "4", "5", "KB", "NA"], dtype=object)
    path = directory / "responses.csv"
    unit_arr = np.array(unit_codes, dtype=object)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("respondent,unit," + ",".join(codes) + "\n")
        step = 100_000
        for start in range(0, respondents, step):
            stop = min(start + step, respondents)
            block = words[cell[start:stop]]
            us = unit_arr[unit_of[start:stop]]
            fh.write(
                "".join(
                    f"R{start + i + 1:07d},{us[i]},{','.join(block[i])}\n"
                    for i in range(stop - start)
                )
            )
    return {
        "questionnaire": directory / "questionnaire.yaml",
        "units": directory / "units.csv",
        "responses": path,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("directory", type=Path)
    ap.add_argument("--respondents", type=int, default=1_000_000)
    opts = ap.parse_args()
    for name, path in build(opts.directory, opts.respondents).items():
        print(name, path)


if __name__ == "__main__":
    main()
