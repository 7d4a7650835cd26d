"""A leaf save racing the submission never leaves a submitted assessment with an empty
leaf (PostgreSQL, real threads and commits).

The submission locks the assessment row before it checks for missing leaves, and the save
locks the same row before it writes: whichever comes second sees what the first committed.
To make the race bite every round instead of now and then, the submission's look-up of
missing leaves is slowed down a little (varying per round): without the lock, a save that
clears a leaf commits in that gap and the submission goes through on what it read before.
"""

from __future__ import annotations

import sys
import threading
import time
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from parindex.assessments.models import Assessment, AssessmentStatus
from parindex.assessments.selectors import missing_of
from parindex.assessments.services import assessment_submit, assessment_withdraw, score_set
from parindex.testing import fill, leaf_score, put, workflow_world
from parindex.workflow import ConcurrentChange, InvalidTransition

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 30
REFUSED = (ValidationError, InvalidTransition, ConcurrentChange, PermissionDenied)


@pytest.fixture
def slow_missing(monkeypatch):
    """Let the submission's check for missing leaves take ``delay[0]`` seconds longer."""
    delay = [0.0]
    module = sys.modules[assessment_submit.__module__]
    real = module.missing_of

    def slow(assessment):
        found = real(assessment)
        time.sleep(delay[0])
        return found

    monkeypatch.setattr(module, "missing_of", slow)
    return delay


def _in_thread(barrier: threading.Barrier, fn, outcome: list) -> threading.Thread:
    def run() -> None:
        try:
            barrier.wait()
            fn()
            outcome.append("done")
        except REFUSED as exc:
            outcome.append(type(exc).__name__)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks race only on PostgreSQL; SQLite's IMMEDIATE transactions serialise "
    "every write",
)
def test_a_save_racing_the_submission_never_submits_an_empty_leaf(slow_missing):
    w = workflow_world()
    fill(w)
    bad = []
    started = time.monotonic()
    for n in range(ROUNDS):
        slow_missing[0] = (n % 3) * 0.05
        a = Assessment.objects.get(pk=w.a.pk)
        score = leaf_score(w.a, "1.1")
        barrier = threading.Barrier(2)
        outcome: list[str] = []
        save = partial(
            score_set, score=score, expected_version=score.version, actor=w.staff, value=""
        )
        submit = partial(assessment_submit, assessment=a, actor=w.head)
        threads = [_in_thread(barrier, save, outcome), _in_thread(barrier, submit, outcome)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
        a = Assessment.objects.get(pk=w.a.pk)
        empty = [m.code for m in missing_of(a)]
        if a.status == AssessmentStatus.SUBMITTED and empty:
            bad.append((n, empty, outcome))
        if a.status == AssessmentStatus.SUBMITTED:
            assessment_withdraw(assessment=a, actor=w.head)
        put(w, "1.1", value="Kịp thời", explanation="Kế hoạch số 12/KH")
    assert time.monotonic() - started < 30
    assert not bad, f"submitted with an empty leaf in {len(bad)} of {ROUNDS} rounds: {bad}"
