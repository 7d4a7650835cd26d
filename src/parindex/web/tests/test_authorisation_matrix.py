"""The generated authorisation matrix: every URL pattern of the site and every operation of
the API, requested as every persona of :class:`parindex.testing.World`, compared with the
one table in :mod:`parindex.web.tests.authz_table`.

The objects in the paths belong to Sở Tư pháp: its staff, head and assigned appraiser meet
their own unit's objects; Y tế's staff and head and Y tế's appraiser meet another unit's.
Each request runs inside a savepoint that is rolled back, so a POST changes nothing the next
request sees. A URL or operation with no row in the table fails the test by name."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from parindex.api.main import api
from parindex.api.services import token_create
from parindex.assessments.models import LeafScore
from parindex.dossiers.models import DossierImport
from parindex.dossiers.tests.samples import DossierObjects, dossier_objects
from parindex.evidence.services import document_upload, evidence_attach
from parindex.evidence.tests.samples import sample_upload
from parindex.improvement.tests.helpers import ImprovementObjects, improvement_objects
from parindex.jobs.status import JobStatus
from parindex.national.tests.helpers import authz_dataset
from parindex.notifications.models import Notification
from parindex.oversight.tests.helpers import OversightObjects, oversight_objects
from parindex.reports.models import ExportJob
from parindex.results.services import results_recompute
from parindex.surveys.tests.helpers import SurveyObjects, survey_objects
from parindex.testing import PERSONAS, World, leaf_score, make_user
from parindex.web.tests.authz_table import API, PAGES

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Objects:
    """The objects the paths point at, all of Sở Tư pháp (the staff's own unit)."""

    world: World
    score_pk: int
    document_pk: int
    link_pk: int
    notification_pk: int
    token_pk: int
    job_pk: int
    attempt_pk: int
    survey: SurveyObjects
    import_pk: int
    national_pk: int
    improvement: ImprovementObjects
    oversight: OversightObjects
    dossiers: DossierObjects

    @property
    def version(self) -> int:
        """The stored version of leaf 1.1 (the writes that must not be stale send it)."""
        return LeafScore.objects.get(pk=self.score_pk).version


def objects(w: World) -> Objects:
    results_recompute(cycle=w.cycle, actor=None)
    doc = document_upload(
        unit=w.tuphap, file=sample_upload("pdf"), title="Kế hoạch CCHC 2025", actor=w.staff
    )
    score = leaf_score(w.a, "1.1")
    link = evidence_attach(score=score, document=doc, actor=w.staff)
    note = Notification.objects.create(user=w.staff, kind="returned", title="Trả lại")
    token, _ = token_create(user=w.staff, name="kiểm thử", actor=w.staff)
    job = ExportJob.objects.create(
        cycle=w.cycle, kind="csv", requested_by=w.admin, status=JobStatus.DONE
    )
    job.file.save("ket-qua.csv", ContentFile(b"unit,points\n"))
    attempt = AccessAttempt.objects.create(
        username=w.staff.username,
        ip_address="192.0.2.1",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/dang-nhap/",
        user_agent="",
    )
    dossier_import = DossierImport.objects.create(file_name="mot-cua.csv", requested_by=w.admin)
    dossier_import.error_report.save("loi.csv", ContentFile(b"loai,dong,cot,ly_do\n"))
    return Objects(
        w,
        score.pk,
        doc.pk,
        link.pk,
        note.pk,
        token.pk,
        job.pk,
        attempt.pk,
        survey_objects(w),
        dossier_import.pk,
        authz_dataset(),
        improvement_objects(w),
        oversight_objects(w),
        dossier_objects(w),
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --------------------------------------------------------------------------- what to ask


def page_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, URLPattern, str]]:
    """``(name, pattern, route)`` of every named page: the API and the admin site are
    checked on their own; static files are not routes."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/")):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from page_patterns(entry, route, ns)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry, route


def page_kwargs(name: str, pattern: URLPattern, o: Objects) -> dict[str, Any]:
    w = o.world
    by_name: dict[str, Any] = {
        "pk": {
            "evidence:download": o.document_pk,
            "reports:download": o.job_pk,
            "dossiers:import_report": o.import_pk,
            "dossiers:detail": o.dossiers.dossier_pk,
            "dossiers:mapping_edit": o.dossiers.mapping_pk,
            "dossiers:mapping_delete": o.dossiers.mapping_pk,
            "notification_read": o.notification_pk,
            "token_revoke": o.token_pk,
            "login_unlock": o.attempt_pk,
            "twofactor_reset": w.staff.pk,
        }.get(
            name,
            o.survey.survey_pk
            if name.startswith("surveys:")
            else w.cycle.pk
            if "cycle" in name or name.startswith("public:")
            else w.a.pk,
        ),
        "dataset_id": o.national_pk,
        "frame_pk": o.survey.frame_pk,
        "response_pk": o.survey.response_pk,
        "token": o.survey.token,
        "cycle_pk": w.cycle.pk,
        "cycle_id": w.cycle.pk,
        "row_pk": o.improvement.row_pk,
        "plan_pk": o.improvement.plan_pk,
        "task_pk": o.improvement.task_pk,
        "document_pk": o.improvement.task_document_pk,
        "score_pk": o.score_pk,
        "link_pk": o.link_pk,
        "fmt": "yaml",
        "number": 1,
        "kind": "csv",
        **o.oversight.page_ids,
        "code": {
            "unit_detail": w.tuphap.code,
            "results_unit": w.tuphap.code,
            "framework_detail": w.fw.code,
            "framework_download": w.fw.code,
        }.get(name, "1.1"),
    }
    return {key: by_name[key] for key in pattern.pattern.converters}


def api_operations() -> Iterator[tuple[str, str]]:
    """``(method, path template)`` of every operation in the OpenAPI description."""
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            yield method.upper(), path


def api_path(template: str, o: Objects) -> str:
    w = o.world
    ids = {"cycle_id": w.cycle.pk, "assessment_id": w.a.pk, "code": "1.1"}
    ids |= {"unit_code": w.tuphap.code, "document_id": o.document_pk, "link_id": o.link_pk}
    ids |= {"notification_id": o.notification_pk, "token_id": o.token_pk, "job_id": o.job_pk}
    ids |= {"survey_id": o.survey.survey_pk, "response_id": o.survey.response_pk}
    ids |= {"questionnaire_id": o.survey.questionnaire_pk}
    ids |= {"import_id": o.import_pk, "dataset_id": o.national_pk}
    ids |= {"row_id": o.improvement.row_pk, "plan_id": o.improvement.plan_pk, "fmt": "docx"}
    ids |= {"task_id": o.improvement.task_pk}
    ids |= o.oversight.api_ids
    ids |= {"dossier_id": o.dossiers.dossier_pk}
    ids |= {"mapping_id": o.dossiers.mapping_pk}
    return template.format(**ids)


# --------------------------------------------------------------------------- the answer


def outcome(response: HttpResponse) -> str:
    """The class of an answer: ok, login, denied, hidden, bad, refused (409) or the code."""
    code = response.status_code
    if code in (301, 302, 303):
        login = resolve_url(settings.LOGIN_URL)
        return "login" if response["Location"].startswith(login) else "ok"
    return {401: "login", 403: "denied", 404: "hidden", 409: "refused", 405: "method"}.get(
        code, "ok" if code < 300 else "bad" if code in (400, 413, 422) else str(code)
    )


def ask(client: Client, user: Any, method: str, url: str, body: Any, page: bool = False) -> str:
    """One request in a savepoint rolled back afterwards (services' durable blocks do not
    see a savepoint as an enclosing atomic block). A page's POST is a form sent by htmx, as
    the pages send it, so that a refusal is a status and not a redirect with a message."""
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if user.is_authenticated and (session is None or not session.value):
        client.force_login(user)  # the logout page ended the session
    sid = transaction.savepoint_create()
    try:
        if method == "GET":
            response = client.get(url)
        elif page:
            response = client.post(url, body or {}, headers={"HX-Request": "true"})
        elif isinstance(body, dict) and any(
            isinstance(v, SimpleUploadedFile) for v in body.values()
        ):
            response = client.post(url, body)  # multipart
        else:
            data = json.dumps({} if body is None else body)
            response = client.generic(method, url, data, "application/json")
        if response.streaming:  # read it: the test client closes it (and its file) then
            b"".join(response.streaming_content)
    finally:
        transaction.savepoint_rollback(sid)
    return outcome(response)


def mismatches(persona: str, o: Objects) -> list[str]:
    w = o.world
    user = w.personas[persona]
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    found: list[str] = []
    for name, pattern, route in page_patterns():
        row = PAGES.get(name)
        if row is None:
            found.append(f"page {name} (/{route}) has no row in authz_table.PAGES")
            continue
        url = "/" + route_url(route, page_kwargs(name, pattern, o))
        got = ask(client, user, row.method, url, row.body(o) if row.body else None, page=True)
        want = row.expect(persona)
        if got != want:
            found.append(f"page {name} {row.method} {url}: expected {want}, got {got}")
    for method, template in api_operations():
        row = API.get(f"{method} {template}")
        if row is None:
            found.append(f"API {method} {template} has no row in authz_table.API")
            continue
        url = api_path(template, o)
        got = ask(client, user, method, url, row.body(o) if row.body else None)
        want = row.expect(persona)
        if got != want:
            found.append(f"API {method} {url}: expected {want}, got {got}")
    return found


def route_url(route: str, kwargs: dict[str, Any]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_answers_each_persona_as_the_table_says(world, persona):
    problems = mismatches(persona, objects(world))
    assert not problems, f"{persona}:\n" + "\n".join(problems)


def test_every_table_row_names_a_route_that_exists():
    pages = {name for name, _, _ in page_patterns()}
    operations = {f"{m} {p}" for m, p in api_operations()}
    assert sorted(set(PAGES) - pages) == [] and sorted(set(API) - operations) == []


def test_the_admin_site_sends_everyone_but_staff_to_its_login(client, world):
    for persona, user in world.personas.items():
        if user.is_authenticated:
            client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], persona
        client.logout()
    superuser = make_user("sieuquantri", "admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
