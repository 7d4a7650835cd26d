"""The printable QR sheet of a counter (issue 10 part 3): one cell per one-time link, QR
codes as SVG drawn by ``segno`` (a maintained pure-Python QR encoder, no image library),
the page laid out by WeasyPrint as the reports are, with the shipped DejaVu fonts."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.loader import render_to_string

from parindex.reports.document import FONTS_DIR
from parindex.surveys.models import RespondentToken, SamplingFrame


def qr_svg(url: str) -> str:
    import segno  # loaded on use: only the sheet needs it

    return str(segno.make(url, error="m").svg_inline(scale=3, border=2, omitsize=False))


def qr_sheet_html(frame: SamplingFrame, tokens: Sequence[RespondentToken], base_url: str) -> str:
    cells = []
    for t in tokens:
        url = f"{base_url.rstrip('/')}/khao-sat/{t.token}/"
        cells.append({"url": url, "svg": qr_svg(url), "token": t.token})
    return render_to_string(
        "surveys/qr_sheet.html",
        {"frame": frame, "survey": frame.survey, "cells": cells, "fonts": FONTS_DIR.as_uri()},
    )


def qr_sheet_pdf(frame: SamplingFrame, tokens: Sequence[RespondentToken], base_url: str) -> bytes:
    from weasyprint import HTML  # loaded on use (slow import)

    html = qr_sheet_html(frame, tokens, base_url)
    return bytes(HTML(string=html, base_url=str(FONTS_DIR)).write_pdf())
