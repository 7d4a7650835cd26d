"""Reads of the evidence library, scoped to the acting user (outsiders get 404)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parindex.accounts.models import User
from parindex.assessments.models import LeafScore
from parindex.assessments.selectors import assessments_for
from parindex.evidence.models import EvidenceDocument, EvidenceLink
from parindex.units.models import Unit


def documents_for(user: User | AnonymousUser) -> QuerySet[EvidenceDocument]:
    """Unit users see their unit's library; admin, council and leaders every library;
    appraisers the libraries of the units whose assessments they may see."""
    if not user.is_authenticated or not user.is_active:
        return EvidenceDocument.objects.none()
    qs = EvidenceDocument.objects.select_related("unit")
    if user.is_unit_user:
        return qs.filter(unit_id=user.unit_id) if user.unit_id else qs.none()
    if user.is_superuser or user.is_province_admin or user.is_council or user.is_leader:
        return qs
    if user.sees_all_units:  # appraisers: follow the assessments they may see
        return qs.filter(unit_id__in=assessments_for(user).values("unit_id"))
    return qs.none()


def document_get(user: User | AnonymousUser, pk: int) -> EvidenceDocument:
    """The document if the user may see it; 404 otherwise."""
    return get_object_or_404(documents_for(user), pk=pk)


def library_of(
    user: User | AnonymousUser, unit: Unit, *, year: int | None = None
) -> QuerySet[EvidenceDocument]:
    """A unit's library (empty for users who may not see it), newest first."""
    qs = documents_for(user).filter(unit=unit)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-created_at", "-id")


def links_of(user: User | AnonymousUser, score: LeafScore) -> QuerySet[EvidenceLink]:
    """The evidence of a leaf of an assessment the user may see (empty otherwise)."""
    return (
        score.evidence_links.filter(score__assessment__in=assessments_for(user))
        .select_related("document")
        .order_by("id")
    )
