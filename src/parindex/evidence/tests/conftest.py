"""The evidence tests use the shared :class:`parindex.testing.World` (``world``), with
uploads under a temporary media folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
