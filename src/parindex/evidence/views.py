"""Protected serving of evidence files: only to users who may see the document."""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from parindex.accounts.http import AuthedHttpRequest
from parindex.downloads import file_download
from parindex.evidence.models import EvidenceDocument
from parindex.evidence.selectors import document_get
from parindex.evidence.validation import INLINE_TYPES, TYPES


def download_name(doc: EvidenceDocument) -> str:
    """The user's original name, with the extension of the detected type."""
    stem = os.path.splitext(doc.original_name)[0] or doc.title or f"tai-lieu-{doc.pk}"
    ext = next((t.extension for t in TYPES.values() if t.content_type == doc.content_type), "")
    return f"{stem}.{ext}" if ext else stem


@login_required
@require_safe
def document_download(request: AuthedHttpRequest, pk: int) -> FileResponse:
    return serve_document(document_get(request.user, pk))


def serve_document(doc: EvidenceDocument) -> FileResponse:
    """The document's file, privately (the caller has checked that the user may see it):
    inline and sandboxed for the types a browser shows safely, an attachment otherwise."""
    if not doc.file:
        raise Http404("Tài liệu tham chiếu không có tệp đính kèm.")
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Không tìm thấy tệp.") from exc
    inline = doc.content_type in INLINE_TYPES
    response = file_download(
        handle, filename=download_name(doc), content_type=doc.content_type, inline=inline
    )
    if inline:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
