"""Ranking bar charts for the Word (PNG) and PDF (inline SVG) reports, matplotlib without
pyplot (no global state: safe in a worker thread), Vietnamese labels and decimal commas."""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from parindex.reports.data import Group

BAR = "#2f6fb0"
FONT = "DejaVu Sans"


def ranking_chart(group: Group, fmt: str = "png", year: int | None = None) -> bytes:
    """A horizontal bar chart of the units' indices in ``group``, best on top."""
    rows = [r for r in group.rows if r.index is not None]
    names = [r.unit for r in rows][::-1]
    values = [float(r.index) for r in rows][::-1]  # type: ignore[arg-type]
    height = min(max(1.6 + 0.24 * len(rows), 2.4), 22.0)
    fig = Figure(figsize=(6.3, height), dpi=110 if fmt == "png" else 72)
    ax = fig.add_subplot()
    bars = ax.barh(range(len(values)), values, color=BAR, height=0.7)
    ax.set_yticks(range(len(values)), labels=names, fontsize=7 if len(rows) > 40 else 8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Chỉ số cải cách hành chính (%)", fontsize=8, family=FONT)
    title = f"Chỉ số CCHC — {group.name}" + (f" năm {year}" if year else "")
    ax.set_title(title, fontsize=9, family=FONT)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:g}".replace(".", ",")))
    ax.tick_params(axis="x", labelsize=7)
    if len(rows) <= 40:
        for bar, v in zip(bars, values, strict=True):
            ax.text(
                v + 0.6,
                bar.get_y() + bar.get_height() / 2,
                f"{v:.2f}".replace(".", ","),
                va="center",
                fontsize=6.5,
            )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()
