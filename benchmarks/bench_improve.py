"""Benchmark the improvement analyses of issue 12 (rank bands, reverse what-if).

Generates its own data (fixed seed) into a temporary directory:

* rank bands: 200 units (two groups) × 90 leaves (6 areas × 3 criteria × 5 leaves),
  2,000 draws, weight spread 0.2. Times, in the same run:
  - the engine function :func:`parindex.engine.rank_bands.rank_bands` (results computed
    once beforehand, as the app would hold them), and a plain numpy implementation of the
    same draws on the same area matrix (:func:`plain_numpy_bands`);
  - ``parindex rank-bands`` as a fresh subprocess, and a plain numpy *script* doing the
    same from the same CSV files (:data:`PLAIN_SCRIPT`: csv module + numpy, area sums,
    draws, ranks, percentiles) — both include Python start-up and file reading.
  Both pairs must agree exactly (same seed, same draws); the benchmark checks it.
* reverse what-if: a 100-leaf framework (5 areas × 4 criteria × 5 leaves, with penalty
  leaves and capped criteria), 200 units; the least-effort path to +1, +3 and +10 ranks for
  the median unit with random effort weights (engine), and ``parindex whatif`` end to end.

Every figure is the median of ``--runs`` repetitions (default 5); subprocess peak RSS from
``os.wait4``. The machine is shared (2 cores, other engineers' test runs): figures are
indicative and noisy; the ratio of the two sides measured in the same run is the
meaningful one.

Usage: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_improve.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from parindex.engine.aggregate import compile_framework, from_micro
from parindex.engine.compute import UnitResult, compute
from parindex.engine.rank_bands import rank_bands
from parindex.engine.whatif import cheapest_path
from parindex.formats.framework_yaml import read_framework_yaml
from parindex.formats.scores import read_scores
from parindex.formats.units import read_units

DRAWS, SPREAD, SEED = 2000, 0.2, 12


def write_case(
    folder: Path, areas: int, criteria: int, leaves: int, units: int, penalties: bool, seed: int
) -> None:
    """framework.yaml (written as JSON, which YAML reads), scores.csv and units.csv.

    With ``penalties``: the last leaf of every odd criterion is a penalty leaf, and every
    third criterion is capped one point below its children's sum.
    """
    rnd = random.Random(seed)
    nodes = []
    for a in range(1, areas + 1):
        crits = []
        for c in range(1, criteria + 1):
            kids = []
            for i in range(1, leaves + 1):
                penalty = penalties and i == leaves and c % 2 == 1
                kid = {"code": f"{a}.{c}.{i}", "name": f"L{a}.{c}.{i}"}
                kid["max_points"] = rnd.randint(1, 4)
                if penalty:
                    kid["source"] = "penalty"
                kids.append(kid)
            full = sum(k["max_points"] for k in kids if "source" not in k)
            crit: dict[str, Any] = {"code": f"{a}.{c}", "name": f"C{a}.{c}", "max_points": full}
            if penalties and c % 3 == 0:
                crit.update(max_points=full - 1, note="trần điểm")
            crits.append({**crit, "children": kids})
        area_max = sum(c["max_points"] for c in crits)
        nodes.append(
            {"code": str(a), "name": f"Lĩnh vực {a}", "max_points": area_max, "children": crits}
        )
    fw = {"code": "bench", "name": "Bộ tiêu chí thử hiệu năng", "nodes": nodes}
    fw["total"] = sum(n["max_points"] for n in nodes)
    (folder / "framework.yaml").write_text(json.dumps(fw, ensure_ascii=False), encoding="utf-8")
    rows = ["unit,code,points"]
    for u in range(units):
        skill = rnd.random()
        for area in nodes:
            for crit in area["children"]:
                for kid in crit["children"]:
                    mx = kid["max_points"]
                    if "source" in kid:
                        p = 1 if rnd.random() < 0.2 else 0
                    else:
                        p = min(mx, round(mx * min(1.0, skill + rnd.random() * 0.5), 1))
                    rows.append(f"U{u:03d},{kid['code']},{p}")
    (folder / "scores.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    listed = "".join(f"U{u:03d},Đơn vị {u},{'so' if u % 2 else 'xa'}\n" for u in range(units))
    (folder / "units.csv").write_text("unit,name,group\n" + listed, encoding="utf-8")


#: The plain numpy implementation of the same draws (areas all regular, no caps binding):
#: run in process on the area matrix, and as a stand-alone script (numpy and csv only).
PLAIN_FUNCTION = """
def plain_numpy_bands(points, maxima, groups, draws, spread, seed):
    rng = np.random.default_rng(seed)
    f = rng.uniform(1 - spread, 1 + spread, size=(draws, points.shape[1]))
    index = (f @ points.T) / (f @ maxima.T)
    ranks = np.zeros(index.shape, dtype=np.int64)
    for g in sorted(set(groups)):
        cols = [i for i, x in enumerate(groups) if x == g]
        sub = index[:, cols]
        # competition rank = 1 + how many are strictly higher, plainly (n² per draw)
        ranks[:, cols] = 1 + (sub[:, None, :] > sub[:, :, None]).sum(axis=2)
    ordered = np.sort(ranks, axis=0)
    picks = [max(int(np.ceil(draws * q / 100)), 1) - 1 for q in (5, 50, 95)]
    return ordered[picks, :]
"""
_plain: dict[str, Any] = {"np": np}
exec(PLAIN_FUNCTION, _plain)
plain_numpy_bands: Callable[..., np.ndarray[Any, Any]] = _plain["plain_numpy_bands"]


#: The plain-numpy baseline as a script, reading the same files (area = code prefix).
PLAIN_SCRIPT = (
    "import csv, json, sys\nimport numpy as np\n"
    + PLAIN_FUNCTION
    + r"""
fw_path, scores_path, units_path, draws, spread, seed = sys.argv[1:7]
fw = json.load(open(fw_path, encoding="utf-8"))
area_of, sign, M = {}, {}, []
for a, area in enumerate(fw["nodes"]):
    M.append(area["max_points"])
    for crit in area["children"]:
        for leaf in crit["children"]:
            area_of[leaf["code"]] = a
            sign[leaf["code"]] = -1.0 if leaf.get("source") == "penalty" else 1.0
units = list(csv.DictReader(open(units_path, encoding="utf-8")))
uix = {r["unit"]: i for i, r in enumerate(units)}
P = np.zeros((len(units), len(M)))
for r in csv.DictReader(open(scores_path, encoding="utf-8")):
    P[uix[r["unit"]], area_of[r["code"]]] += sign[r["code"]] * float(r["points"])
groups = [r["group"] for r in units]
bands = plain_numpy_bands(P, np.tile(np.array(M, float), (len(units), 1)), groups,
                          int(draws), float(spread), int(seed))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["unit", "p05", "p50", "p95"])
for i, r in enumerate(units):
    w.writerow([r["unit"], *bands[:, i]])
"""
)


def timed(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MB) and stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err}")
    return wall, usage.ru_maxrss // 1024, out


def median_time(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def load(folder: Path) -> tuple[Any, list[UnitResult]]:
    cf = compile_framework(read_framework_yaml(folder / "framework.yaml"))
    units = read_units(folder / "units.csv")
    table = read_scores(folder / "scores.csv", cf, units)
    return cf, compute(cf, table, units)


def bench_bands(folder: Path, runs: int) -> list[str]:
    write_case(folder, 6, 3, 5, 200, False, 1)
    cf, results = load(folder)
    engine_t, bands = median_time(
        lambda: rank_bands(cf, results, draws=DRAWS, spread=SPREAD, seed=SEED), runs
    )
    points = np.array([[p / 1e6 for p in r.area_points_micro] for r in results])
    maxima = np.array([[(m or 0) / 1e6 for m in r.area_max_micro] for r in results])
    groups = [r.group for r in results]
    plain_t, plain = median_time(
        lambda: plain_numpy_bands(points, maxima, groups, DRAWS, SPREAD, SEED), runs
    )
    assert isinstance(bands, list) and isinstance(plain, np.ndarray)
    same = all(
        (b.p05, b.p50, b.p95) == tuple(int(x) for x in plain[:, u]) for u, b in enumerate(bands)
    )
    cli = [sys.executable, "-m", "parindex.cli", "rank-bands", "--framework"]
    cli += [str(folder / "framework.yaml"), "--scores", str(folder / "scores.csv")]
    cli += ["--units", str(folder / "units.csv"), "--draws", str(DRAWS)]
    cli += ["--weight-spread", str(SPREAD), "--seed", str(SEED)]
    script = folder / "plain.py"
    script.write_text(PLAIN_SCRIPT, encoding="utf-8")
    base = [sys.executable, str(script)]
    base += [str(folder / n) for n in ("framework.yaml", "scores.csv", "units.csv")]
    base += [str(DRAWS), str(SPREAD), str(SEED)]
    cli_runs, base_runs = [], []
    for _ in range(runs):  # interleaved, so both see the same load
        cli_runs.append(timed(cli))
        base_runs.append(timed(base))
    cli_out = {ln.split(",")[0]: ln.split(",")[3:] for ln in cli_runs[0][2].splitlines()[1:]}
    base_out = {ln.split(",")[0]: ln.split(",")[1:] for ln in base_runs[0][2].splitlines()[1:]}
    same_cli = cli_out == base_out
    c_t = statistics.median(t for t, _, _ in cli_runs)
    b_t = statistics.median(t for t, _, _ in base_runs)
    c_m = max(m for _, m, _ in cli_runs)
    b_m = max(m for _, m, _ in base_runs)
    return [
        "| rank bands, 200 units × 90 leaves, 2,000 draws | median s | peak MB | same bands |",
        "|---|---:|---:|---|",
        f"| engine `rank_bands` (in process) | {engine_t:.3f} | – | {same} |",
        f"| plain numpy, same draws (in process) | {plain_t:.3f} | – | |",
        f"| `parindex rank-bands` (subprocess) | {c_t:.3f} | {c_m} | {same_cli} |",
        f"| plain numpy script, same files (subprocess) | {b_t:.3f} | {b_m} | |",
        f"| ratio CLI / plain script | {c_t / b_t:.2f}× | | |",
    ]


def bench_whatif(folder: Path, runs: int) -> list[str]:
    write_case(folder, 5, 4, 5, 200, True, 2)
    cf, results = load(folder)
    rnd = random.Random(3)
    effort = {c: rnd.choice([0.5, 1, 1, 2, 3]) for c in cf.leaf_codes}
    table = read_scores(folder / "scores.csv", cf, read_units(folder / "units.csv"))
    group = [r for r in results if r.group == "so"]
    me = group[len(group) // 2]
    others = [(r.points_micro, r.max_micro or 1) for r in group if r.unit != me.unit]
    u = table.units.index(me.unit)
    L = cf.n_leaves
    row = table.row(u)
    leaves = {c: from_micro(x) for c, x in zip(cf.leaf_codes, row, strict=True)}
    eff = {c: Decimal(str(v)) for c, v in effort.items()}
    out = [
        f"| reverse what-if, {L}-leaf framework, unit {me.unit} (rank {me.rank} of "
        f"{len(group)}) | median s | to rank | changes |",
        "|---|---:|---:|---:|",
    ]
    for k in (1, 3, 10):
        target = max((me.rank or 1) - k, 1)
        t, a = median_time(lambda t=target: cheapest_path(cf, leaves, t, others, effort=eff), runs)
        out.append(f"| engine, +{k} ranks → {target} | {t:.4f} | {a.to_rank} | {len(a.changes)} |")  # type: ignore[attr-defined]
    # worst case met so far: nothing scored but every penalty → 10 deficit parents
    bare = {
        c: Decimal(1 if n.source == "penalty" else 0)
        for c, n in zip(cf.leaf_codes, cf.leaf_nodes, strict=True)
    }
    for k in (20, 50, 90):
        t, a = median_time(lambda k=k: cheapest_path(cf, bare, k, others, effort=eff), runs)
        moved = f"{a.to_rank} | {len(a.changes)}"  # type: ignore[attr-defined]
        out.append(f"| engine, 10 deficit parents, 0 → rank {k} | {t:.4f} | {moved} |")
    (folder / "effort.csv").write_text(
        "code,effort\n" + "".join(f"{c},{v}\n" for c, v in effort.items()), encoding="utf-8"
    )
    cmd = [sys.executable, "-m", "parindex.cli", "whatif", "--framework"]
    cmd += [str(folder / "framework.yaml"), "--scores", str(folder / "scores.csv")]
    cmd += ["--units", str(folder / "units.csv"), "--unit", me.unit]
    cmd += [
        "--target-rank",
        str(max((me.rank or 1) - 3, 1)),
        "--effort",
        str(folder / "effort.csv"),
    ]
    walls = [timed(cmd) for _ in range(runs)]
    wall, peak = statistics.median(w for w, _, _ in walls), max(m for _, m, _ in walls)
    out.append(f"| `parindex whatif` +3 ranks (subprocess) | {wall:.3f} | peak {peak} MB | |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = os.environ
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent / "src"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = bench_bands(folder, args.runs)
        lines += ["", *bench_whatif(folder, args.runs)]
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
