"""``parindex backup`` / ``parindex restore`` of the demo province on SQLite, against the
naive baseline in the same run: ``tar czf`` of the data folder (what the old advice did,
and which is not consistent under WAL).

    .venv/bin/python benchmarks/bench_backup.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _env(data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": "",
        "PARINDEX_DATA_DIR": str(data),
        "PARINDEX_MEDIA_ROOT": str(data / "media"),
    }


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "parindex.cli"]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        subprocess.run(
            [*cli, "demo", "--no-serve"], env=_env(data), check=True, capture_output=True
        )
        (data / "media" / "evidence").mkdir(parents=True, exist_ok=True)
        for i in range(200):  # 200 evidence files of 50 kB (incompressible)
            (data / "media" / "evidence" / f"{i}.pdf").write_bytes(os.urandom(50_000))
        db_mb = (data / "parindex.sqlite3").stat().st_size / 1e6
        times: dict[str, list[float]] = {"backup": [], "tar czf": [], "restore": []}
        size = 0
        for run in range(args.runs):
            archive = tmp / f"b{run}.tar.gz"
            times["backup"].append(_timed([*cli, "backup", "-o", str(archive)], _env(data)))
            size = archive.stat().st_size
            times["tar czf"].append(
                _timed(["tar", "-C", str(data), "-czf", str(tmp / f"t{run}.tar.gz"), "."])
            )
            target = tmp / f"r{run}"
            times["restore"].append(_timed([*cli, "restore", str(archive), "--yes"], _env(target)))
            shutil.rmtree(target)
        print(f"demo province: database {db_mb:.1f} MB, 200 evidence files of 50 kB")
        print(f"archive: {size / 1e6:.1f} MB; runs: {args.runs}, fresh process each")
        for name, values in times.items():
            print(f"{name:>8}: median {statistics.median(values):.2f} s, best {min(values):.2f} s")
        ratio = statistics.median(times["backup"]) / statistics.median(times["tar czf"])
        print(f"backup / tar czf: {ratio:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
