"""Writes to the evidence library (keyword-only, one transaction each, audited inside it).

Files are written before the database rows; if the transaction fails the file is deleted,
so a failed upload leaves nothing on disk.

:func:`document_upload`, :func:`document_reference_create` and :func:`evidence_attach` use a
plain (nestable) transaction: :func:`evidence_upload` and :func:`evidence_reference_add` run
them together in one durable transaction (the page's "add evidence to this leaf")."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, Required, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user
from parindex.assessments.models import Assessment, LeafScore
from parindex.audit.services import record
from parindex.evidence.models import (
    DocumentKind,
    EvidenceDocument,
    EvidenceLink,
    evidence_storage,
)
from parindex.evidence.permissions import can_manage_library, check_edit_evidence
from parindex.evidence.validation import validate_upload
from parindex.units.models import Unit


def _check_library(actor: User | None, unit: Unit) -> None:
    """``actor=None`` is the system (CLI, tasks); a user must belong to the unit."""
    if actor is not None and not can_manage_library(actor, unit):
        raise Http404("Không tìm thấy thư viện tài liệu của đơn vị.")


def _check_assessment(actor: User | None, assessment: Assessment) -> None:
    if actor is not None:
        check_edit_evidence(actor, assessment)


def _locked_assessment(pk: int) -> Assessment:
    return Assessment.objects.select_for_update().select_related("unit", "cycle").get(pk=pk)


def _doc_state(doc: EvidenceDocument) -> dict[str, Any]:
    return {
        "kind": doc.kind,
        "title": doc.title,
        "original_name": doc.original_name,
        "content_type": doc.content_type,
        "size": doc.size,
        "sha256": doc.sha256,
        "number": doc.number,
        "issued_on": doc.issued_on,
        "issuer": doc.issuer,
        "summary": doc.summary,
        "page_ref": doc.page_ref,
        "year": doc.year,
    }


def _record_new(doc: EvidenceDocument, *, action: str, actor: User | None) -> None:
    record(
        actor=actor, action=action, obj=doc, after=_doc_state(doc), context={"unit": doc.unit_id}
    )


def document_upload(
    *,
    unit: Unit,
    file: Any,
    title: str,
    actor: User | None,
    year: int | None = None,
    number: str = "",
    issued_on: dt.date | None = None,
    issuer: str = "",
    summary: str = "",
    page_ref: str = "",
) -> EvidenceDocument:
    """Add a file to the unit's library after checking its content
    (:func:`parindex.evidence.validation.validate_upload`)."""
    _check_library(actor, unit)
    original_name = os.path.basename(getattr(file, "name", "") or "")
    try:
        checked = validate_upload(file, name=original_name)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    title = (title or "").strip() or os.path.splitext(original_name)[0] or "Tài liệu"
    doc = EvidenceDocument(
        unit=unit,
        kind=DocumentKind.FILE,
        title=title[:500],
        original_name=original_name[:300],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        number=number.strip(),
        issued_on=issued_on,
        issuer=issuer.strip(),
        summary=summary.strip(),
        page_ref=page_ref.strip(),
        year=year or timezone.localdate().year,
        uploaded_by=actor_user(actor),
    )
    stored: str | None = None
    try:
        with transaction.atomic():
            file.seek(0)
            # upload_to names it <unit code>/<year>/<uuid>.<detected extension>
            doc.file.save(f"upload.{checked.extension}", file, save=False)
            stored = doc.file.name
            doc.save()
            _record_new(doc, action="evidence.upload", actor=actor)
    except BaseException:
        if stored:
            evidence_storage().delete(stored)
        raise
    return doc


def document_reference_create(
    *,
    unit: Unit,
    title: str,
    number: str,
    issued_on: dt.date | None,
    issuer: str,
    summary: str,
    page_ref: str,
    actor: User | None,
    year: int | None = None,
) -> EvidenceDocument:
    """Record an official document by reference (số/ký hiệu, ngày, cơ quan ban hành)."""
    _check_library(actor, unit)
    errors: dict[str, str] = {}
    if not (number or "").strip():
        errors["number"] = "Nhập số/ký hiệu văn bản."
    if issued_on is None:
        errors["issued_on"] = "Nhập ngày ban hành."
    elif issued_on > timezone.localdate():
        errors["issued_on"] = "Ngày ban hành không thể sau hôm nay."
    if not (issuer or "").strip():
        errors["issuer"] = "Nhập cơ quan ban hành."
    if errors:
        raise ValidationError(errors)
    number = number.strip()
    title = (title or "").strip() or f"{number} — {(summary or '').strip()}".strip(" —")
    with transaction.atomic():
        doc = EvidenceDocument.objects.create(
            unit=unit,
            kind=DocumentKind.REFERENCE,
            title=title[:500],
            number=number,
            issued_on=issued_on,
            issuer=issuer.strip(),
            summary=(summary or "").strip(),
            page_ref=(page_ref or "").strip(),
            year=year or timezone.localdate().year,
            uploaded_by=actor_user(actor),
        )
        _record_new(doc, action="evidence.reference_create", actor=actor)
    return doc


def evidence_attach(
    *, score: LeafScore, document: EvidenceDocument, actor: User | None, page_ref: str = ""
) -> EvidenceLink:
    """Use ``document`` as evidence for ``score``. Attaching it twice returns the existing
    link."""
    with transaction.atomic():
        assessment = _locked_assessment(score.assessment_id)
        _check_assessment(actor, assessment)
        if document.unit_id != assessment.unit_id:
            raise ValidationError(
                {"document": "Tài liệu không thuộc thư viện của đơn vị này."}, code="other_unit"
            )
        link, created = EvidenceLink.objects.get_or_create(
            score=score,
            document=document,
            defaults={"page_ref": (page_ref or "").strip(), "added_by": actor_user(actor)},
        )
        if created:
            record(
                actor=actor,
                action="evidence.attach",
                obj=score,
                field="evidence",
                after={"document": document.pk, "title": document.title, "page_ref": link.page_ref},
                context={"assessment": assessment.pk, "score": score.pk},
            )
    return link


def evidence_detach(*, link: EvidenceLink, actor: User | None) -> None:
    """Stop using a document for a leaf. The document stays in the library."""
    with transaction.atomic(durable=True):
        score = LeafScore.objects.select_related("criterion").get(pk=link.score_id)
        assessment = _locked_assessment(score.assessment_id)
        _check_assessment(actor, assessment)
        document = link.document
        before = {"document": document.pk, "title": document.title, "page_ref": link.page_ref}
        deleted, _ = EvidenceLink.objects.filter(pk=link.pk).delete()
        if deleted:
            record(
                actor=actor,
                action="evidence.detach",
                obj=score,
                field="evidence",
                before=before,
                context={"assessment": assessment.pk, "score": score.pk},
            )


class UploadFields(TypedDict, total=False):
    """What describes an uploaded file besides the file (:func:`document_upload`)."""

    title: Required[str]
    number: str
    issued_on: dt.date | None
    issuer: str
    summary: str
    page_ref: str


class ReferenceFields(TypedDict):
    """What records an official document (:func:`document_reference_create`)."""

    title: str
    number: str
    issued_on: dt.date | None
    issuer: str
    summary: str
    page_ref: str


def evidence_upload(
    *, score: LeafScore, file: Any, actor: User | None, **fields: Unpack[UploadFields]
) -> EvidenceLink:
    """Add ``file`` to the library of the leaf's unit and use it as evidence for ``score``,
    in one transaction: if the attach is refused, neither the document nor its file stays."""
    doc: EvidenceDocument | None = None
    try:
        with transaction.atomic(durable=True):
            doc = document_upload(unit=score.assessment.unit, file=file, actor=actor, **fields)
            page_ref = fields.get("page_ref", "")
            return evidence_attach(score=score, document=doc, page_ref=page_ref, actor=actor)
    except BaseException:
        if doc is not None and doc.file.name:
            evidence_storage().delete(doc.file.name)
        raise


def evidence_reference_add(
    *, score: LeafScore, actor: User | None, **fields: Unpack[ReferenceFields]
) -> EvidenceLink:
    """Record an official document in the library of the leaf's unit and use it as evidence
    for ``score``, in one transaction."""
    with transaction.atomic(durable=True):
        doc = document_reference_create(unit=score.assessment.unit, actor=actor, **fields)
        return evidence_attach(score=score, document=doc, page_ref=fields["page_ref"], actor=actor)


def _previous_assessments(assessment: Assessment) -> list[Assessment]:
    """The latest earlier assessment of the unit and of each of its predecessors."""
    units = [assessment.unit, *assessment.unit.predecessors()]
    found: list[Assessment] = []
    for unit in units:
        prev = (
            Assessment.objects.filter(unit=unit, cycle__year__lt=assessment.cycle.year)
            .exclude(pk=assessment.pk)
            .order_by("-cycle__year", "-cycle_id")
            .first()
        )
        if prev is not None:
            found.append(prev)
    return found


def evidence_carry_forward(*, assessment: Assessment, actor: User | None) -> dict[str, int]:
    """Link the documents used last cycle (by the unit, and by its predecessors through the
    lineage) for the same criterion codes to this assessment. Each document is copied into
    this year's library with ``carried_from`` set, reusing the stored file. Idempotent."""
    stats = {"documents": 0, "links": 0}
    with transaction.atomic(durable=True):
        assessment = _locked_assessment(assessment.pk)
        _check_assessment(actor, assessment)
        scores = {s.criterion.code: s for s in assessment.scores.select_related("criterion").all()}
        previous = _previous_assessments(assessment)
        old_links = (
            EvidenceLink.objects.filter(score__assessment__in=previous)
            .select_related("document", "score__criterion")
            .order_by("score__assessment__cycle__year", "id")
        )
        year = assessment.cycle.year
        copies: dict[int, EvidenceDocument] = {}
        for old in old_links:
            score = scores.get(old.score.criterion.code)
            if score is None:
                continue
            source = old.document
            copy = copies.get(source.pk)
            if copy is None:
                copy = EvidenceDocument.objects.filter(
                    unit=assessment.unit, carried_from=source, year=year
                ).first()
                if copy is None:
                    copy = EvidenceDocument.objects.create(
                        unit=assessment.unit,
                        kind=source.kind,
                        title=source.title,
                        file=source.file.name,
                        original_name=source.original_name,
                        content_type=source.content_type,
                        size=source.size,
                        sha256=source.sha256,
                        number=source.number,
                        issued_on=source.issued_on,
                        issuer=source.issuer,
                        summary=source.summary,
                        page_ref=source.page_ref,
                        year=year,
                        uploaded_by=actor_user(actor),
                        carried_from=source,
                    )
                    stats["documents"] += 1
                    record(
                        actor=actor,
                        action="evidence.carry_forward_document",
                        obj=copy,
                        before={"document": source.pk, "year": source.year},
                        after=_doc_state(copy),
                        context={"assessment": assessment.pk},
                    )
                copies[source.pk] = copy
            link, created = EvidenceLink.objects.get_or_create(
                score=score,
                document=copy,
                defaults={"page_ref": old.page_ref, "added_by": actor_user(actor)},
            )
            if created:
                stats["links"] += 1
                record(
                    actor=actor,
                    action="evidence.attach",
                    obj=score,
                    field="evidence",
                    after={
                        "document": copy.pk,
                        "title": copy.title,
                        "page_ref": link.page_ref,
                        "carried_from": source.pk,
                    },
                    reason="Chuyển tài liệu kiểm chứng từ kỳ trước",
                    context={"assessment": assessment.pk, "score": score.pk},
                )
    return stats
