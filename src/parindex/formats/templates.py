"""The CSV templates offered next to every upload form (issue 8, part 7): the header the
reader wants and, where the app knows them, the rows to fill in. Written UTF-8 with a BOM
(so that Excel shows the Vietnamese letters) and ``,`` separators; the readers take the
file back as Excel saves it (:mod:`parindex.formats.text`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from parindex.formats.cells import safe_rows

__all__ = ["METRICS_HEADER", "POINTS_HEADER", "UNITS_HEADER", "template_csv"]

POINTS_HEADER = ("unit", "code", "points")
METRICS_HEADER = ("unit", "metric", "value")
UNITS_HEADER = ("unit", "name", "group", "parent", "kind")


def template_csv(header: Sequence[str], rows: Iterable[Sequence[str]] = ()) -> bytes:
    """A template file: BOM, the header, then ``rows`` (cells left blank to fill in)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(safe_rows(header, rows, None))  # codes and names: user text
    return ("\ufeff" + out.getvalue()).encode("utf-8")
