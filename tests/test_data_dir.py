"""The suite never writes into the checkout's ``var/`` (issue 8, part 10): every data
folder of the run, and the environment the command-line subprocesses inherit, point to a
temporary directory (the root conftest; it also fails the run if ``var/`` changed)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parents[1]


def _outside_repo(path: str | Path) -> bool:
    return not Path(path).resolve().is_relative_to(REPO)


def test_data_folders_point_outside_the_checkout() -> None:
    assert _outside_repo(settings.DATA_DIR)
    assert _outside_repo(settings.MEDIA_ROOT)
    assert _outside_repo(settings.STATIC_ROOT)
    assert _outside_repo(os.environ["PARINDEX_DATA_DIR"])
    assert _outside_repo(os.environ["PARINDEX_MEDIA_ROOT"])
