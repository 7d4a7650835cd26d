"""Ranking bar charts for the Word (PNG) and PDF (inline SVG) reports, matplotlib without
pyplot (no global state: safe in a worker thread), Vietnamese labels and decimal commas."""

from __future__ import annotations

import io

from parindex.reports.data import Group

BAR = "#2f6fb0"
FONT = "DejaVu Sans"


def ranking_chart(group: Group, fmt: str = "png", year: int | None = None) -> bytes:
    """A horizontal bar chart of the units' indices in ``group``, best on top."""
    # Imported here, not at module level: matplotlib (with numpy) costs about 2 s and 40 MB
    # at import, and reports.services is imported by every web and API process, which only
    # draw a chart when they build a report (benchmarks/RESULTS.md, issue 7 section).
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    rows = [r for r in group.rows if r.index is not None]
    names = [r.unit for r in rows][::-1]
    values = [float(r.index) for r in rows][::-1]  # type: ignore[arg-type]
    dense = len(rows) > 40
    size = 6.5 if dense else 8
    height = min(max(1.0 + (0.15 if dense else 0.24) * len(rows), 2.4), 22.0)
    fig = Figure(figsize=(6.3, height), dpi=100 if fmt == "png" else 72)
    ax = fig.add_subplot()
    bars = ax.barh(range(len(values)), values, color=BAR, height=0.7)
    ax.set_yticks(range(len(values)), labels=names, fontsize=size)
    ax.set_ylim(-0.6, len(values) - 0.4)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Chỉ số cải cách hành chính (%)", fontsize=8, family=FONT)
    title = f"Chỉ số CCHC — {group.name}" + (f" năm {year}" if year else "")
    ax.set_title(title, fontsize=9, family=FONT)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:g}".replace(".", ",")))
    ax.tick_params(axis="x", labelsize=7)
    if not dense:
        for bar, v in zip(bars, values, strict=True):
            ax.text(
                v + 0.6,
                bar.get_y() + bar.get_height() / 2,
                f"{v:.2f}".replace(".", ","),
                va="center",
                fontsize=6.5,
            )
    ax.spines[["top", "right"]].set_visible(False)
    # Fixed margins from the longest label (tight_layout draws the figure twice).
    longest = max((len(n) for n in names), default=10)
    label_in = min(longest * size * 0.6 / 72 + 0.2, 3.2)
    fig.subplots_adjust(
        left=label_in / 6.3, right=0.97, top=1 - 0.35 / height, bottom=0.55 / height
    )
    buf = io.BytesIO()
    if fmt == "svg":
        # Text as <text> (not glyph paths): small, fast to draw, searchable in the PDF;
        # the PDF's stylesheet maps ParindexSans to the shipped DejaVu Sans.
        with rc_context({"svg.fonttype": "none", "svg.hashsalt": "parindex"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
        return buf.getvalue().replace(b"'DejaVu Sans'", b"'ParindexSans', 'DejaVu Sans'")
    fig.savefig(buf, format=fmt)
    return buf.getvalue()
