"""Where the columnar core pays off (issue 14, part 5): ``score_units`` unit by unit
(the reference evaluator) against column-wise (Polars), on the national-scale framework
(90 leaves) for tables of 1 to 3,355 units, in one process.

Also times a cold ``import polars`` in a fresh interpreter: a caller that scores a small
table once (the web app's recompute of one province, ``parindex compute`` on a small
file) pays it on top of the columnar figure, which is what sets
:data:`parindex.engine.compute.COLUMNAR_MIN_UNITS`.

Usage: ``.venv/bin/python benchmarks/bench_columnar_threshold.py [--runs 7]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_compute_case import build  # noqa: E402
from parindex.engine import compute as engine  # noqa: E402
from parindex.engine.aggregate import compile_framework  # noqa: E402
from parindex.engine.compute import ScoreTable, score_units  # noqa: E402
from parindex.formats.framework_yaml import read_framework_yaml  # noqa: E402
from parindex.formats.scores import read_scores  # noqa: E402


def median_ms(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    opts = ap.parse_args()
    case = build(Path(tempfile.mkdtemp(prefix="parindex-threshold-")))
    cf = compile_framework(read_framework_yaml(case["framework"]))
    full = read_scores(case["scores"], cf)
    values, L = full.values, cf.n_leaves
    cold = []
    for _ in range(opts.runs):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import time; t = time.perf_counter(); import polars; "
                "print(time.perf_counter() - t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        cold.append(float(out.stdout) * 1000)
    print("## Columnar core: where it pays off (issue 14)\n")
    print(f"- Framework: national case, {L} leaves; median of {opts.runs} runs, one process")
    print(f"- Cold `import polars` in a fresh interpreter: {statistics.median(cold):.0f} ms\n")
    print("| units | unit by unit (ms) | columnar (ms) | columnar + cold import (ms) |")
    print("|---:|---:|---:|---:|")
    for n in (1, 10, 150, 300, 600, 1000, len(full.units)):
        table = ScoreTable(cf.leaf_codes, full.units[:n], values[: n * L])
        timings = []
        for threshold in (10**9, 0):
            engine.COLUMNAR_MIN_UNITS = threshold
            timings.append(median_ms(lambda t=table: score_units(cf, t), opts.runs))
        rows, cols = timings
        print(f"| {n:,} | {rows:.2f} | {cols:.2f} | {cols + statistics.median(cold):.0f} |")


if __name__ == "__main__":
    main()
