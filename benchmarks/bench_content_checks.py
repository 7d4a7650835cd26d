"""What the hostile-content protections (issue 9 parts 3 and 7) cost, each against the
unprotected code path timed in the same run (alternated, median of ``--repeat``):

* results CSV of 3,355 units: ``formats.results.write_csv`` (text cells made safe) vs a
  bare ``csv.writer``;
* a 20 MB PDF of 2,000 pages: ``validate_upload`` (pypdf, whole object tree) vs the old
  magic-byte detection (``detect`` + SHA-256);
* a 60,000-row .xlsx (about 2 MB): ``inspect_zip`` (real inflated size) vs ``zipfile``
  reading the declared sizes.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_content_checks.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.config.settings")

import django

django.setup()

from parindex.evidence.validation import detect, validate_upload  # noqa: E402
from parindex.formats.archive import inspect_zip  # noqa: E402
from parindex.formats.results import result_columns, write_csv  # noqa: E402


def _pdf(pages: int, pad: int) -> bytes:
    """A PDF of ``pages`` pages, each with a ``pad``-byte content stream."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for i in range(pages):
        page_no, content_no = 3 + 2 * i, 4 + 2 * i
        kids.append(f"{page_no} 0 R".encode())
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents "
            + f"{content_no} 0 R".encode()
            + b" >>"
        )
        body = b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n" + b"%" * pad
        objects.append(f"<< /Length {len(body)} >>\nstream\n".encode() + body + b"\nendstream")
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + f"] /Count {pages} >>".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _xlsx(rows: int) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for i in range(rows):
        ws.append([f"Đơn vị {i}", i, i * 1.5, "Hồ sơ trễ hạn", f"{i:08d}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _median(fn: Callable[[], object], times: list[float]) -> None:
    t = time.perf_counter()
    fn()
    times.append(time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    cols = result_columns([str(i) for i in range(1, 9)], True, ("unit_name",))
    rows = [
        [f"so-{i}", "so-ban-nganh", "80.25", "100.00", "80.25", str(i), "Tốt"]
        + ["1.00"] * 16
        + ["-1.25", "3", "chưa có số liệu tỷ lệ hồ sơ trễ hạn", f"Sở thử nghiệm {i}"]
        for i in range(3355)
    ]

    def plain_csv() -> None:
        w = csv.writer(io.StringIO(), lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)

    pdf = _pdf(2000, 10_000)
    xlsx = _xlsx(60_000)

    def old_pdf() -> None:
        f = io.BytesIO(pdf)
        detect(f, "a.pdf")
        hashlib.sha256(pdf).hexdigest()

    def old_zip() -> None:
        with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
            sum(m.file_size for m in z.infolist())

    cases = [
        ("results CSV, 3,355 units", plain_csv, lambda: write_csv(io.StringIO(), cols, rows)),
        (
            f"PDF upload, 2,000 pages, {len(pdf) / 1e6:.0f} MB",
            old_pdf,
            lambda: validate_upload(io.BytesIO(pdf), name="a.pdf", max_bytes=10**9),
        ),
        (
            f".xlsx archive, {len(xlsx) / 1e6:.1f} MB",
            old_zip,
            lambda: inspect_zip(io.BytesIO(xlsx)),
        ),
    ]
    print(f"{'case':34} {'baseline':>10} {'protected':>10} {'ratio':>6}")
    for label, base, new in cases:
        a: list[float] = []
        b: list[float] = []
        for _ in range(args.repeat):
            _median(base, a)
            _median(new, b)
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{label:34} {ma * 1000:8.1f}ms {mb * 1000:8.1f}ms {mb / ma:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
