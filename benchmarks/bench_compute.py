"""Benchmark ``parindex compute`` on the national-scale synthetic case (issue 2).

Generates the case (benchmarks/generate_compute_case.py, fixed seed) into a temporary
directory, then times, each as a fresh subprocess (Python start-up, imports, CSV parsing
and output included):

* ``parindex compute`` (the installed entry point of this virtualenv), and
* ``benchmarks/pandas_baseline.py``, a straightforward pandas implementation, and
* ``benchmarks/polars_baseline.py``, the same in plain Polars (the near-limit reference),
  and the same script with ``--same-columns``, which writes the 24 columns the command
  writes (areas and rating reasons too), not only the 7 of the pandas script,

``--runs`` times each (default 5), interleaved, reporting the best and median wall time
and the peak resident memory of the child (``os.wait4``), and the ratio to the Polars
script round by round (min–median–max). It checks that both produce the
same rank and rating for every unit, and prints a Markdown table.

Usage: ``.venv/bin/python benchmarks/bench_compute.py [--runs 5] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_compute_case import build  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one child process; fails on a non-zero exit.

    The child's CPU time (user + system, its own children included) is appended to
    :data:`CPU` as a side record.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    CPU.append(usage.ru_utime + usage.ru_stime)
    return wall, usage.ru_maxrss // 1024


CPU: list[float] = []


def ranks_and_classes(path: Path) -> dict[str, tuple[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return {r["unit"]: (r["rank"], r["rating"]) for r in csv.DictReader(fh)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="generate the case into this directory and keep it")
    opts = ap.parse_args()
    case = Path(opts.keep) if opts.keep else Path(tempfile.mkdtemp(prefix="parindex-bench-"))
    files = build(case)
    n_scores = files["scores"].read_text(encoding="utf-8").count("\n") - 1
    n_units = files["units"].read_text(encoding="utf-8").count("\n") - 1
    parindex = str(Path(sys.executable).parent / "parindex")
    ours_out, base_out = case / "results.csv", case / "baseline.csv"
    ours = [
        parindex,
        "compute",
        "--framework",
        str(files["framework"]),
        "--scores",
        str(files["scores"]),
        "--units",
        str(files["units"]),
        "--metrics",
        str(files["metrics"]),
        "--rating",
        str(files["rating"]),
        "-o",
        str(ours_out),
    ]
    base = [sys.executable, str(HERE / "pandas_baseline.py"), str(case), str(base_out)]
    # The same scores with the rows shuffled: not the one-block-per-unit layout, so the
    # reader takes its general (slot-by-slot) path.
    lines = files["scores"].read_text(encoding="utf-8").splitlines(keepends=True)
    body = lines[1:]
    random.Random(7).shuffle(body)
    shuffled = case / "scores_shuffled.csv"
    shuffled.write_text(lines[0] + "".join(body), encoding="utf-8")
    ours_shuffled = [shuffled if x == str(files["scores"]) else x for x in ours]
    ours_shuffled = [str(x) for x in ours_shuffled]
    ours_shuffled[-1] = str(case / "results_shuffled.csv")
    # Byte-compile the package once, as a regular (non-editable) pip install does: this
    # environment sets PYTHONDONTWRITEBYTECODE=1, which would otherwise make every run
    # compile parindex from source while pandas' modules come precompiled.
    src = HERE.parent / "src" / "parindex"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            str(src / "engine"),
            str(src / "formats"),
            str(src / "commands"),
            str(src / "cli.py"),
            str(src / "__init__.py"),
        ],
        check=True,
    )
    polars_out = case / "polars.csv"
    plain = [sys.executable, str(HERE / "polars_baseline.py"), str(case), str(polars_out)]
    same_out = case / "polars_same.csv"
    same_cols = [*plain[:-1], str(same_out), "--same-columns"]
    commands = {
        "ours": ours,
        "base": base,
        "shuffled": ours_shuffled,
        "polars": plain,
        "polars_same": same_cols,
    }
    for cmd in commands.values():  # warm the page cache once
        timed(cmd)
    load0 = f"{os.getloadavg()[0]:.2f}"
    wall: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, list[int]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(opts.runs):
        for key, cmd in commands.items():  # interleaved: each round times every command
            w, m = timed(cmd)
            wall[key].append(w)
            rss[key].append(m)
            cpu[key].append(CPU[-1])
    t_ours, t_base, t_shuf, t_pl, t_same = (wall[k] for k in commands)
    c_ours, c_base, c_shuf, c_pl, c_same = (cpu[k] for k in commands)
    m_ours, m_base, m_shuf, m_pl, m_same = (rss[k] for k in commands)
    a, b = ranks_and_classes(ours_out), ranks_and_classes(base_out)
    shuffled_same = ours_out.read_bytes() == (case / "results_shuffled.csv").read_bytes()
    same = a == b == ranks_and_classes(polars_out) == ranks_and_classes(same_out) and shuffled_same
    diff = sum(1 for u in a if a[u] != b.get(u))
    # The 24-column script's cells against ours: only float rounding may differ (its
    # half-to-even on binary fractions against the engine's exact half-up).
    with open(ours_out, encoding="utf-8") as f1, open(same_out, encoding="utf-8") as f2:
        cells = [
            (x, y)
            for r1, r2 in zip(csv.reader(f1), csv.reader(f2), strict=True)
            for x, y in zip(r1, r2, strict=True)
        ]
    cell_diff = sum(1 for x, y in cells if x != y)

    print("## parindex compute (issue 2)\n")
    print(f"- Date: {datetime.date.today().isoformat()}")
    print(
        f"- Machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.machine()}, Python {platform.python_version()}, {platform.system()}"
    )
    print(
        f"- Case: {n_units:,} units × 90 leaves = {n_scores:,} scores, 3 groups, "
        f"5 classes + 2 conditions (generate_compute_case.py, seed fixed)"
    )
    print(f"- Command: `{' '.join(['parindex', *ours[1:]]).replace(str(case) + '/', '')}`")
    print(
        f"- Runs: {opts.runs} each, interleaved, fresh process each (Python start-up, "
        f"imports, CSV parsing and writing included); package byte-compiled first"
    )
    print(f"- Load average before/after: {load0} / {os.getloadavg()[0]:.2f} (shared machine)")
    print(
        f"- Same rank and rating for every unit as the baseline (and identical output "
        f"for shuffled rows): "
        f"{'yes' if same else f'NO ({diff} differ)'}\n"
    )
    print(
        f"- The Polars script with the same 24 columns: {cell_diff} of {len(cells):,} cells "
        "differ from ours (its float rounding of exact halves)\n"
    )
    print("| | best wall (s) | median wall (s) | median CPU user+sys (s) | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| parindex compute | {min(t_ours):.3f} | {statistics.median(t_ours):.3f} | "
        f"{statistics.median(c_ours):.3f} | {max(m_ours)} |"
    )
    print(
        f"| parindex compute, rows shuffled | {min(t_shuf):.3f} | "
        f"{statistics.median(t_shuf):.3f} | {statistics.median(c_shuf):.3f} | {max(m_shuf)} |"
    )
    print(
        f"| pandas baseline | {min(t_base):.3f} | {statistics.median(t_base):.3f} | "
        f"{statistics.median(c_base):.3f} | {max(m_base)} |"
    )
    print(
        f"| plain Polars script | {min(t_pl):.3f} | {statistics.median(t_pl):.3f} | "
        f"{statistics.median(c_pl):.3f} | {max(m_pl)} |"
    )
    print(
        f"| Polars script, same 24 columns | {min(t_same):.3f} | {statistics.median(t_same):.3f} | "
        f"{statistics.median(c_same):.3f} | {max(m_same)} |"
    )
    # Pair by pair too (each round's two runs are seconds apart): steadier on a machine
    # whose speed drifts than the ratio of the two medians.
    for label, ref in (("Polars script", t_pl), ("Polars script, same 24 columns", t_same)):
        pairs = sorted(o / p for o, p in zip(t_ours, ref, strict=True))
        print(
            f"| parindex compute / {label} | best {min(t_ours) / min(ref):.2f}×, median "
            f"{statistics.median(t_ours) / statistics.median(ref):.2f}×, pair by pair "
            f"{pairs[0]:.2f}–{statistics.median(pairs):.2f}–{pairs[-1]:.2f}× | | | |"
        )
    print(
        f"| speed-up vs pandas | best {min(t_base) / min(t_ours):.2f}×, median "
        f"{statistics.median(t_base) / statistics.median(t_ours):.2f}× | | CPU "
        f"{statistics.median(c_base) / statistics.median(c_ours):.2f}× | |"
    )
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
