"""Personas for the workflow pages: the unit's staff and head, a colleague of another
unit, an appraiser assigned to the unit (areas 1.1 and 3 only) and one assigned
elsewhere, the council, a leader and the Sở Nội vụ admin."""

from __future__ import annotations

import pytest

from parindex.testing import World, fill, leaf_score, put


@pytest.fixture
def w(world: World) -> World:
    """The shared world (:class:`parindex.testing.World`) under the short name these tests use."""
    return world


sc = leaf_score
__all__ = ["fill", "put", "sc", "status_of"]


def status_of(client, user, method, url, data=None, **extra):
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    if method == "get":
        return client.get(url, **extra).status_code
    return client.post(url, data or {}, **extra).status_code
