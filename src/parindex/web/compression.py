"""Compressed text responses (issue 13 part 6).

Django's :class:`~django.middleware.gzip.GZipMiddleware`, for text only: HTML, JSON, CSV,
JavaScript, SVG. Files that are compressed already (PDF, .xlsx, .docx, images, zip) pass
untouched — gzip would cost CPU and gain nothing. Static files never reach this middleware:
WhiteNoise answers them first with its precompressed ``.gz``/``.br`` copies.

BREACH: an attacker who can inject text into a compressed response and watch its size could
guess a secret in the same response. The only secret in our pages is the CSRF token, and
Django masks it with a fresh random value in every response; on top of that Django's
GZipMiddleware pads each response with random bytes ("Heal the Breach", Django ≥ 4.2), so
sizes do not leak. Session cookies travel in headers, which gzip does not touch.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

#: Content types worth compressing (the start of the header, before any ``;``).
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
    "application/problem+json",
)


class TextGZipMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        kind = response.get("Content-Type", "").lower()
        if not kind.startswith(TEXT_TYPES):
            return response
        return super().process_response(request, response)
