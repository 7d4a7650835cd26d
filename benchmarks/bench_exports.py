"""Exports of a 150-unit × 90-leaf computed cycle (issue 4): Excel < 3 s, Word < 5 s,
PDF < 10 s, each against a naive baseline timed in the same run.

Builds the case in a temporary SQLite database (plain ``django.setup()``, no pytest):
two groups, 6 areas × 3 criteria × 5 leaves, varied points, some N/A, appraisers' reasons
on a tenth of the leaves, approved and recomputed. Then, best/median of ``--repeat`` runs,
``export_build(cycle, kind, user)`` end to end (reading the results included) and:

* Excel baseline: openpyxl, cell by cell, a new Font/Border/Alignment object per cell;
* Word baseline: python-docx, the same document built directly (no template), one
  ``add_row`` per unit and per-cell run styling;
* PDF baseline: the same report HTML with per-cell inline styles instead of the stylesheet
  classes and the charts as 200 dpi PNG data URIs, a fresh font configuration.

    .venv/bin/python benchmarks/bench_exports.py [--units 150] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

PLACES = ["Tân", "Khánh", "Cam", "Diên", "Ninh", "Vạn", "Phước", "Hòa", "Đông", "Bắc"]


def setup(tmp: str) -> None:
    os.environ["PARINDEX_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parindex.config.settings"
    os.environ["PARINDEX_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def framework():  # type: ignore[no-untyped-def]
    from parindex.engine.framework import Framework, Node

    d = Decimal
    areas = []
    for a in range(1, 7):
        crits = []
        for c in range(1, 4):
            leaves = tuple(
                Node(
                    code=f"{a}.{c}.{k}",
                    name=f"Tiêu chí thành phần {a}.{c}.{k}: ban hành và thực hiện đúng hạn",
                    max_points=d(2),
                )
                for k in range(1, 6)
            )
            crits.append(
                Node(code=f"{a}.{c}", name=f"Tiêu chí {a}.{c}", max_points=d(10), children=leaves)
            )
        areas.append(
            Node(
                code=str(a),
                name=f"Lĩnh vực {a} — cải cách hành chính",
                max_points=d(30),
                children=tuple(crits),
            )
        )
    return Framework(
        code="bench-90",
        name="Bộ tiêu chí 90 lá",
        decision="",
        year=2025,
        total=d(180),
        nodes=tuple(areas),
    )


def build(n_units: int):  # type: ignore[no-untyped-def]
    from django.db.models import F, Value
    from django.db.models.functions import Mod

    from parindex.assessments.models import Assessment, LeafScore
    from parindex.assessments.services import assessments_open
    from parindex.cycles.models import Cycle
    from parindex.cycles.services import cycle_create
    from parindex.frameworks.services import framework_import
    from parindex.results.services import results_recompute
    from parindex.units.models import Unit, UnitGroup

    fw = framework_import(framework=framework(), actor=None)
    groups = [
        UnitGroup.objects.create(code="so", name="Sở, ban, ngành", position=1),
        UnitGroup.objects.create(code="xa", name="UBND xã, phường", position=2),
    ]
    Unit.objects.create(code="tinh", name="Tỉnh Khánh Hòa", kind="province", group=groups[0])
    Unit.objects.bulk_create(
        [
            Unit(
                code=f"u{i:03d}",
                name=(
                    f"Sở {PLACES[i % 10]} {i}" if i % 2 == 0 else f"Xã {PLACES[i % 10]} Hưng {i}"
                ),
                group=groups[i % 2],
            )
            for i in range(n_units)
        ]
    )
    units = list(Unit.objects.exclude(kind="province"))
    cycle = cycle_create(
        year=2025, name="Kỳ 2025", frameworks={g: fw for g in groups}, units=units, actor=None
    )
    assessments_open(cycle=cycle, actor=None)
    LeafScore.objects.update(self_points=Value(Decimal(2)))
    LeafScore.objects.update(round1_points=Mod(F("id"), 5) * Value(Decimal("0.4")))
    LeafScore.objects.filter(id__in=LeafScore.objects.filter(round1_points__lt=2)).filter(
        id__regex=r"0$"
    ).update(round1_reason="Tài liệu kiểm chứng chưa đầy đủ, báo cáo gửi trễ hạn")
    LeafScore.objects.filter(criterion__code="6.3.5", assessment__unit__code__endswith="7").update(
        not_applicable=True
    )
    LeafScore.objects.update(final_points=F("round1_points"))
    Assessment.objects.update(status="approved")
    Cycle.objects.filter(pk=cycle.pk).update(status="approved")
    results_recompute(cycle=cycle)
    cycle.refresh_from_db()
    return cycle


# --------------------------------------------------------------------------- baselines


def naive_xlsx(data) -> bytes:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    sheets = [wb.active, wb.create_sheet(), wb.create_sheet()]
    sheets[0].title, sheets[1].title, sheets[2].title = "Xếp hạng", "Theo lĩnh vực", "Chi tiết"

    def put(ws, row, col, value, bold=False, number=False):  # type: ignore[no-untyped-def]
        c = ws.cell(row=row, column=col, value=value)
        side = Side(style="thin")
        c.font = Font(name="Times New Roman", size=12, bold=bold)
        c.border = Border(left=side, right=side, top=side, bottom=side)
        c.alignment = Alignment(wrap_text=not number, vertical="center")
        if number:
            c.number_format = "[$-42A]#,##0.00"

    ws = sheets[0]
    row = 1
    for g in data.groups:
        put(ws, row, 1, g.name, bold=True)
        row += 1
        for r in g.rows:
            put(ws, row, 1, r.rank)
            put(ws, row, 2, r.unit)
            put(ws, row, 3, float(r.points), number=True)
            put(ws, row, 4, float(r.max_points or 0), number=True)
            put(ws, row, 5, float(r.index or 0), number=True)
            put(ws, row, 6, r.rating)
            put(ws, row, 7, r.rank_change_text)
            row += 1
    ws = sheets[1]
    row = 1
    for g in data.groups:
        for r in g.rows:
            put(ws, row, 1, r.unit)
            for k, a in enumerate(g.areas):
                cell = r.areas.get(a.code)
                put(ws, row, 2 + 2 * k, float(cell.points) if cell else None, number=True)
                put(ws, row, 3 + 2 * k, float(cell.index or 0) if cell else None, number=True)
            row += 1
    ws = sheets[2]
    for n, leaf in enumerate(data.leaves, start=2):
        put(ws, n, 1, leaf.unit)
        put(ws, n, 2, leaf.group)
        put(ws, n, 3, leaf.code)
        put(ws, n, 4, leaf.name)
        for col, v in enumerate(
            (leaf.max_points, leaf.self_points, leaf.round1, leaf.round2, leaf.final), start=5
        ):
            put(ws, n, col, None if v is None else float(v), number=True)
        put(ws, n, 10, leaf.reasons)
    for ws in sheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def naive_docx(data) -> bytes:  # type: ignore[no-untyped-def]
    from docx import Document
    from docx.shared import Mm, Pt

    from parindex.reports.charts import ranking_chart
    from parindex.reports.document import report_context

    ctx = report_context(data)
    doc = Document()

    def styled(paragraph, text, bold=False):  # type: ignore[no-untyped-def]
        run = paragraph.add_run(str(text))
        run.font.name = "Times New Roman"
        run.font.size = Pt(13)
        run.font.bold = bold

    styled(doc.add_paragraph(), ctx["co_quan_chu_quan"])
    styled(doc.add_paragraph(), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    styled(doc.add_paragraph(), "BÁO CÁO", bold=True)
    for g in ctx["nhom"]:
        styled(doc.add_paragraph(), g["ten"], bold=True)
        table = doc.add_table(rows=1, cols=7)
        table.style = "Table Grid"
        for i, h in enumerate(["Hạng", "Đơn vị", "Điểm", "Tối đa", "Chỉ số", "Xếp loại", "±"]):
            styled(table.rows[0].cells[i].paragraphs[0], h, bold=True)
        for r in g["don_vi"]:
            cells = table.add_row().cells
            for i, key in enumerate(
                ["hang", "ten", "diem", "diem_toi_da", "chi_so", "xep_loai", "thay_doi"]
            ):
                styled(cells[i].paragraphs[0], r[key])
        doc.add_picture(io.BytesIO(ranking_chart(g["_group"], "png")), width=Mm(150))
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for t in g["chua_dat"]:
            cells = table.add_row().cells
            for i, key in enumerate(["ma", "ten", "so_don_vi", "don_vi"]):
                styled(cells[i].paragraphs[0], t[key])
    styled(doc.add_paragraph(), "Nơi nhận:", bold=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def naive_pdf(data) -> bytes:  # type: ignore[no-untyped-def]
    from django.utils.safestring import mark_safe
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from parindex.reports import document
    from parindex.reports.charts import ranking_chart

    ctx = document.report_context(data)
    for g in ctx["nhom"]:
        png = base64.b64encode(ranking_chart(g.pop("_group"), "png")).decode()
        g["bieu_do"] = mark_safe(f'<img style="width:150mm" src="data:image/png;base64,{png}">')
    ctx["font_faces"] = [
        {"family": f, "url": (document.FONTS_DIR / f"{s}.ttf").as_uri(), "weight": w, "style": st}
        for f, s, w, st in document.FONT_FACES
    ]
    from django.template.loader import render_to_string

    html = render_to_string("reports/report.html", ctx)
    cell = (
        'style="border:0.6pt solid #000;padding:2pt 3pt;font-family:ParindexSerif;font-size:12pt"'
    )
    html = html.replace("<td>", f"<td {cell}>").replace('<td class="', f'<td {cell} class="')
    return HTML(string=html, base_url=str(document.FONTS_DIR)).write_pdf(
        font_config=FontConfiguration()
    )


def timed(fn, repeat: int) -> tuple[list[float], list[float], object]:  # type: ignore[no-untyped-def]
    """Wall-clock and CPU seconds of ``repeat`` calls (CPU time = this process, so the
    figures stay comparable when other jobs load the machine)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return times, cpu, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        from parindex.assessments.models import LeafScore
        from parindex.reports.data import collect
        from parindex.reports.services import export_build
        from parindex.testing import make_user

        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at start")
        t0 = time.perf_counter()
        cycle = build(args.units)
        leader = make_user("lanhdao", "leader")
        print(
            f"case built in {time.perf_counter() - t0:.1f} s: {args.units} units × 90 leaves, "
            f"{LeafScore.objects.count()} leaf scores; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        from django.core.cache import cache

        export_build(cycle, "csv", leader)  # warm imports (XlsxWriter, docxtpl, WeasyPrint)
        targets = {"xlsx": 3.0, "docx": 5.0, "pdf": 10.0}
        baselines = {"xlsx": naive_xlsx, "docx": naive_docx, "pdf": naive_pdf}
        lines = []
        for kind, target in targets.items():
            cache.clear()
            t = time.perf_counter()
            export_build(cycle, kind, leader)  # first run: imports and charts not cached yet
            cold = time.perf_counter() - t

            def uncached(k: str = kind) -> bytes:
                cache.clear()
                return export_build(cycle, k, leader)

            ours, ours_cpu, data = timed(uncached, args.repeat)
            warm, _, _ = timed(lambda k=kind: export_build(cycle, k, leader), args.repeat)
            base, base_cpu, base_data = timed(
                lambda k=kind: baselines[k](collect(cycle, leader)), args.repeat
            )
            best, med = min(ours), statistics.median(ours)
            bbest, bmed = min(base), statistics.median(base)
            cpu, bcpu = statistics.median(ours_cpu), statistics.median(base_cpu)
            line = (
                f"| {kind} | {cold:.2f} s | {best:.2f} s / {med:.2f} s | {cpu:.2f} s | "
                f"{statistics.median(warm):.2f} s | {len(data) / 1024:.0f} KiB | "
                f"{bbest:.2f} s / {bmed:.2f} s | {bcpu:.2f} s | {len(base_data) / 1024:.0f} KiB | "
                f"{bmed / med:.1f}× / {bcpu / cpu:.1f}× | {'yes' if med < target else 'no'} / "
                f"{'yes' if cpu < target else 'no'} (< {target:g} s) |"
            )
            print(line, flush=True)
            lines.append(line)
    print(
        "\n| Export | first run | ours best / median (charts not cached) | CPU | charts "
        "cached (median) | size | naive best / median | CPU | size | speed-up wall / CPU | "
        "target met: wall / CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
