from django.contrib import admin

from parindex.audit.admin import ReadOnlyAdmin
from parindex.national.models import NationalDataset


@admin.register(NationalDataset)
class NationalDatasetAdmin(ReadOnlyAdmin):
    list_display = ("year", "kind", "framework", "home", "is_sample", "imported_at")
    list_filter = ("kind", "is_sample")
