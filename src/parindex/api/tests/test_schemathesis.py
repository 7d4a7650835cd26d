"""The API contract, checked by a real client (issue 9, part 6): schemathesis reads
``/api/openapi.json`` from the WSGI application in-process, generates requests for every
operation and checks the answers, as the admin and as a unit's staff (API tokens).

Bounded: ``EXAMPLES`` schema-valid and ``NEGATIVE_EXAMPLES`` schema-invalid requests per
operation (half on PostgreSQL), derandomized (the same requests on every run; about a
minute and a half for both personas on SQLite on the shared, loaded 2-core machine).
Every request runs in a savepoint rolled back afterwards, inside the test's own
transaction: writes of the fuzz run reach no other test, nor the next example.

Checks: schemathesis' defaults (no server error, documented status codes, content types
and headers, response bodies that match their schema, schema-invalid requests refused,
authentication not ignored), except ``positive_data_acceptance``: a schema-valid request
may still name a unit, user, leaf or version that does not exist, or break a rule of the
workflow; the API refuses those with a 400/409 and its Vietnamese reason, which is the
behaviour users rely on, not a contract break.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db

EXAMPLES = 20
NEGATIVE_EXAMPLES = 8
#: PostgreSQL: each request pays a savepoint round trip and a dozen queries over a socket;
#: fewer examples keep the pass bounded in time (the SQLite pass runs the full count).
PG_SHARE = 2
EXCLUDED = [positive_data_acceptance]


def _fuzz(headers: dict[str, str]) -> list[str]:
    """Run every operation; the failures found, one text per operation and mode."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    share = PG_SHARE if connection.vendor == "postgresql" else 1
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in (
            (GenerationMode.POSITIVE, EXAMPLES // share),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES // share),
        ):

            @settings(
                max_examples=examples,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                sid = transaction.savepoint_create()
                try:
                    case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
                finally:
                    transaction.savepoint_rollback(sid)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1200]}")
    return failures


@pytest.fixture
def keep_the_connection():  # type: ignore[no-untyped-def]
    """The WSGI handler closes the database connection after each request (Django's test
    client unhooks that, schemathesis' WSGI client does not): on PostgreSQL it would end
    the test's transaction."""
    hooks = (signals.request_started, signals.request_finished)
    for hook in hooks:
        hook.disconnect(close_old_connections)
    yield
    for hook in hooks:
        hook.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["admin", "staff"])
def test_no_generated_request_breaks_the_api_contract(w, persona, keep_the_connection):  # type: ignore[no-untyped-def]
    # identity: schemathesis' WSGI client asks for gzip (requests' default headers) but does
    # not inflate the answer; a real HTTP client does (the gzip itself: test_light_pages.py).
    failures = _fuzz({"Authorization": f"Bearer {w.keys[persona]}", "Accept-Encoding": "identity"})
    assert not failures, "\n\n".join(failures)
