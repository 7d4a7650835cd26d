"""Exports of a cycle's results (issue 4, part 5): Excel workbook, Word report from a
replaceable .docx template (Nghị định 30/2020 layout), PDF (WeasyPrint, fonts shipped),
CSV/JSON; long exports run as :class:`~parindex.reports.models.ExportJob` background jobs.

Public API (docs/reports.md):

* ``services.export_request(*, cycle, kind, actor) -> ExportJob`` — queue a job (on commit);
* ``services.export_build(cycle, kind) -> bytes`` — build a file now (the public page calls
  it for a published cycle);
* ``tabular.results_csv(cycle) -> str`` / ``tabular.results_json(cycle) -> list[dict]``;
* ``services.report_template_upload(*, file, actor) -> ReportTemplate``.
"""
