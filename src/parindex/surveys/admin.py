"""The survey rows in Django's admin site, read-only: every write goes through the audited
services (the app's pages, the API, the command line)."""

from django.contrib import admin

from parindex.audit.admin import ReadOnlyAdmin
from parindex.surveys.models import (
    Questionnaire,
    Quota,
    RespondentToken,
    Response,
    SamplingFrame,
    Survey,
)


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "created_at"]
    search_fields = ["code", "name"]


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["name", "questionnaire", "cycle", "status", "created_at"]
    list_filter = ["status"]


@admin.register(SamplingFrame)
class SamplingFrameAdmin(ReadOnlyAdmin):
    list_display = ["survey", "unit", "kind", "name", "population"]
    list_filter = ["kind"]


@admin.register(Quota)
class QuotaAdmin(ReadOnlyAdmin):
    list_display = ["frame", "target"]


@admin.register(RespondentToken)
class RespondentTokenAdmin(ReadOnlyAdmin):
    list_display = ["survey", "unit", "frame", "created_at", "used_at"]
    exclude = ["token"]  # the link is the respondent's credential


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["respondent", "survey", "unit", "source", "status", "submitted_at"]
    list_filter = ["status", "source"]
    search_fields = ["respondent", "uuid"]
