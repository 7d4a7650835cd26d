from django.contrib import admin

from parindex.evidence.models import EvidenceDocument, EvidenceLink


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "kind", "year", "content_type", "size", "created_at"]
    list_filter = ["kind", "year"]
    search_fields = ["title", "number", "original_name", "unit__name", "unit__code"]
    raw_id_fields = ["unit", "uploaded_by", "carried_from"]
    readonly_fields = ["file", "content_type", "size", "sha256", "original_name", "created_at"]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ["score", "document", "page_ref", "added_by", "created_at"]
    raw_id_fields = ["score", "document", "added_by"]
