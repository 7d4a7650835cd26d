"""Request types for the type checker: who ``request.user`` (pages) and ``request.auth``
(the API) are once the login check has passed.

A page behind ``login_required`` takes ``request: AuthedHttpRequest``; an API operation
(every one requires authentication) takes ``request: ApiRequest``. At run time these are
the ordinary ``HttpRequest``; they only tell mypy that the user is a :class:`User`, not
``AnonymousUser`` (the pattern django-stubs documents)."""

from __future__ import annotations

from django.http import HttpRequest

from parindex.accounts.models import User

__all__ = ["ApiRequest", "AuthedHttpRequest"]


class AuthedHttpRequest(HttpRequest):
    user: User


class ApiRequest(HttpRequest):
    #: set by :mod:`parindex.api.auth` (a token's owner or the signed-in session's user)
    auth: User
    user: User
