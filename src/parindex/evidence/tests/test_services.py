from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from parindex.assessments.models import Assessment, AssessmentStatus
from parindex.assessments.services import assessments_open
from parindex.audit.models import AuditEvent
from parindex.cycles.services import cycle_create
from parindex.evidence import services
from parindex.evidence.models import EvidenceDocument, EvidenceLink
from parindex.evidence.services import (
    document_reference_create,
    document_upload,
    evidence_attach,
    evidence_carry_forward,
    evidence_detach,
)
from parindex.evidence.tests.samples import sample_upload, upload
from parindex.testing import leaf_score, make_unit
from parindex.units.models import UnitLineage

pytestmark = pytest.mark.django_db


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_upload_stores_the_file_under_media_evidence_with_a_generated_name(world, media_root):
    doc = document_upload(
        unit=world.tuphap,
        file=sample_upload("pdf", "Báo cáo quý 4.pdf"),
        title="",
        actor=world.staff,
    )
    assert doc.title == "Báo cáo quý 4"
    assert doc.original_name == "Báo cáo quý 4.pdf"
    assert doc.content_type == "application/pdf"
    assert doc.size > 0 and len(doc.sha256) == 64
    path = Path(doc.file.path)
    assert path.is_file()
    assert path.is_relative_to(Path(media_root) / "evidence" / "so-tu-phap" / str(doc.year))
    assert "Báo cáo" not in path.name and path.suffix == ".pdf"
    event = AuditEvent.objects.get(action="evidence.upload")
    assert event.object_id == str(doc.pk) and event.context == {"unit": world.tuphap.pk}


def test_upload_rejects_a_mismatched_file_and_writes_nothing(world, media_root):
    with pytest.raises(ValidationError) as exc:
        document_upload(
            unit=world.tuphap,
            file=upload("baocao.pdf", b"PK\x03\x04" + b"\x00" * 40),
            title="x",
            actor=world.staff,
        )
    assert "file" in exc.value.message_dict
    assert EvidenceDocument.objects.count() == 0
    assert not os.path.exists(media_root) or _files(Path(media_root)) == []


def test_a_failed_transaction_leaves_no_file_on_disk(world, media_root, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("audit failed")

    monkeypatch.setattr(services, "record", boom)
    with pytest.raises(RuntimeError):
        document_upload(
            unit=world.tuphap, file=sample_upload("png"), title="Ảnh", actor=world.staff
        )
    assert EvidenceDocument.objects.count() == 0
    assert _files(Path(media_root)) == []


def test_other_units_cannot_upload_into_a_library(world):
    with pytest.raises(Http404):
        document_upload(
            unit=world.tuphap, file=sample_upload("pdf"), title="x", actor=world.other_staff
        )


def test_reference_requires_number_date_and_issuer(world):
    with pytest.raises(ValidationError) as exc:
        document_reference_create(
            unit=world.tuphap,
            title="",
            number="",
            issued_on=None,
            issuer="",
            summary="",
            page_ref="",
            actor=world.staff,
        )
    assert exc.value.message_dict == {
        "number": ["Nhập số/ký hiệu văn bản."],
        "issued_on": ["Nhập ngày ban hành."],
        "issuer": ["Nhập cơ quan ban hành."],
    }
    doc = document_reference_create(
        unit=world.tuphap,
        title="",
        number="12/KH-STP",
        issued_on=dt.date(2025, 1, 10),
        issuer="Sở Tư pháp",
        summary="Kế hoạch CCHC năm 2025",
        page_ref="mục II",
        actor=world.staff,
    )
    assert doc.kind == "reference" and not doc.file
    assert doc.title == "12/KH-STP — Kế hoạch CCHC năm 2025"


def test_attach_and_detach_are_audited_with_assessment_and_score(world):
    doc = document_upload(
        unit=world.tuphap, file=sample_upload("pdf"), title="KH", actor=world.staff
    )
    link = evidence_attach(
        score=leaf_score(world.a, "1.1"), document=doc, page_ref="tr. 3", actor=world.staff
    )
    assert list(leaf_score(world.a, "1.1").evidence_links.all()) == [link]
    assert (
        evidence_attach(score=leaf_score(world.a, "1.1"), document=doc, actor=world.staff) == link
    )
    other = world.a.scores.get(criterion__code="1.2.1")
    evidence_attach(score=other, document=doc, actor=world.head)  # one document, two leaves
    assert doc.links.count() == 2
    event = AuditEvent.objects.filter(action="evidence.attach").first()
    assert event.context == {"assessment": world.a.pk, "score": other.pk}
    evidence_detach(link=link, actor=world.staff)
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    detach = AuditEvent.objects.get(action="evidence.detach")
    assert detach.before["document"] == doc.pk
    assert detach.context == {"assessment": world.a.pk, "score": leaf_score(world.a, "1.1").pk}
    assert EvidenceDocument.objects.filter(pk=doc.pk).exists()  # stays in the library


def test_attach_refuses_another_units_document(world):
    theirs = document_upload(
        unit=world.yte, file=sample_upload("pdf"), title="x", actor=world.other_staff
    )
    with pytest.raises(ValidationError) as exc:
        evidence_attach(score=leaf_score(world.a, "1.1"), document=theirs, actor=world.staff)
    assert exc.value.message_dict == {"document": ["Tài liệu không thuộc thư viện của đơn vị này."]}


def test_attach_refuses_outsiders_with_404(world):
    doc = document_upload(
        unit=world.tuphap, file=sample_upload("pdf"), title="x", actor=world.staff
    )
    with pytest.raises(Http404):
        evidence_attach(score=leaf_score(world.a, "1.1"), document=doc, actor=world.other_staff)


def test_attach_is_locked_after_submission_and_open_when_returned(world):
    doc = document_upload(
        unit=world.tuphap, file=sample_upload("pdf"), title="x", actor=world.staff
    )
    Assessment.objects.filter(pk=world.a.pk).update(status=AssessmentStatus.SUBMITTED)
    with pytest.raises(Exception) as exc:
        evidence_attach(score=leaf_score(world.a, "1.1"), document=doc, actor=world.staff)
    assert "trạng thái" in str(exc.value)
    assert EvidenceLink.objects.count() == 0
    Assessment.objects.filter(pk=world.a.pk).update(status=AssessmentStatus.RETURNED)
    evidence_attach(score=leaf_score(world.a, "1.1"), document=doc, actor=world.staff)
    assert EvidenceLink.objects.count() == 1


def test_carry_forward_copies_last_cycles_evidence_from_the_unit_and_its_predecessors(world):
    old_unit = make_unit("so-tp-cu", "Sở Tư pháp (cũ)", group=world.group)
    UnitLineage.objects.create(
        predecessor=old_unit, successor=world.tuphap, kind="merged", effective=dt.date(2025, 7, 1)
    )
    prev = cycle_create(
        year=2024,
        name="Kỳ 2024",
        frameworks={world.group: world.fw},
        units=[world.tuphap, old_unit],
        actor=None,
    )
    assessments_open(cycle=prev, actor=None)
    own_prev = Assessment.objects.get(cycle=prev, unit=world.tuphap)
    old_prev = Assessment.objects.get(cycle=prev, unit=old_unit)
    own_doc = document_upload(
        unit=world.tuphap, file=sample_upload("pdf"), title="KH 2024", actor=None, year=2024
    )
    old_doc = document_upload(
        unit=old_unit, file=sample_upload("xlsx"), title="Số liệu cũ", actor=None, year=2024
    )
    evidence_attach(
        score=own_prev.scores.get(criterion__code="1.1"),
        document=own_doc,
        page_ref="tr. 2",
        actor=None,
    )
    evidence_attach(
        score=old_prev.scores.get(criterion__code="1.2.1"), document=old_doc, actor=None
    )
    stats = evidence_carry_forward(assessment=world.a, actor=world.staff)
    assert stats == {"documents": 2, "links": 2}
    link = leaf_score(world.a, "1.1").evidence_links.get()
    copy = link.document
    assert copy.carried_from == own_doc and copy.year == 2025 and copy.unit == world.tuphap
    assert copy.file.name == own_doc.file.name  # the stored file is reused
    assert link.page_ref == "tr. 2"
    other = world.a.scores.get(criterion__code="1.2.1").evidence_links.get()
    assert other.document.carried_from == old_doc
    assert (
        AuditEvent.objects.filter(action="evidence.attach", context__assessment=world.a.pk).count()
        == 2
    )
    again = evidence_carry_forward(assessment=world.a, actor=world.staff)
    assert again == {"documents": 0, "links": 0}
    assert EvidenceDocument.objects.filter(year=2025).count() == 2
