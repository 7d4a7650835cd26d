"""The cycle the user is working in (issue 8, part 9): the navigation shortcuts, the home
dashboard and "my assessment" follow the cycle of the page last viewed (remembered in the
session), not the newest cycle."""

from __future__ import annotations

from typing import Any

from parindex.cycles.models import Cycle
from parindex.cycles.selectors import current_cycle, cycles_for

#: Session key of the cycle the user is working in (the navigation shortcuts follow it).
WORKING_CYCLE = "parindex_working_cycle"


def working_cycle(request: Any, viewed: object = None) -> Cycle | None:
    """The cycle the navigation shortcuts point to: the cycle of the page being viewed
    (remembered in the session), else the one remembered from an earlier page if the
    user still sees it, else the newest open cycle (``current_cycle``)."""
    user = request.user
    session = getattr(request, "session", None)
    if isinstance(viewed, Cycle):
        if session is not None and session.get(WORKING_CYCLE) != viewed.pk:
            session[WORKING_CYCLE] = viewed.pk
        return viewed
    remembered = session.get(WORKING_CYCLE) if session is not None else None
    if remembered is not None:
        found = cycles_for(user).filter(pk=remembered).first()
        if found is not None:
            return found
    return current_cycle(user)
