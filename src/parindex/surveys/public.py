"""The public survey form ``/khao-sat/<token>/`` (issue 10 part 4): no sign-in, one page
per aspect ("Phần 2/5"), each page saved as it is sent (save-and-resume by token), one
response per token, a per-IP rate limit on Django's cache, and a friendly page — never an
error — for an unknown, used or closed link. Plain HTML forms and a small CSS file: it works
with JavaScript turned off and loads no script at all."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from parindex.engine.survey import Item
from parindex.surveys.models import ResponseStatus, SurveyStatus
from parindex.surveys.selectors import token_lookup
from parindex.surveys.services import TokenUsed, form_save


def _over_limit(request: HttpRequest) -> bool:
    limit = settings.PARINDEX_SURVEY_RATE_LIMIT
    if not limit:
        return False
    key = f"survey-rate:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 60)
        count = 1
    return count > limit


def _friendly(request: HttpRequest, kind: str, status: int = 200) -> HttpResponse:
    return render(request, "surveys/public/notice.html", {"kind": kind}, status=status)


def _pages(items: tuple[Item, ...], aspects: list[Any]) -> list[tuple[Any, list[Item]]]:
    return [(a, [i for i in items if i.aspect == a.code]) for a in aspects]


# The token in the URL is the credential (no session, no cookie): a CSRF token would only
# break the form for a phone that drops cookies, and there is nothing of the user's to forge.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(request):
        return _friendly(request, "limit", 429)
    row = token_lookup(token)
    if row is None:
        return _friendly(request, "invalid", 404)
    if row.used_at is not None:
        return _friendly(request, "thanks" if request.GET.get("xong") else "used")
    if row.survey.status != SurveyStatus.OPEN:
        return _friendly(request, "closed")
    q = row.survey.questionnaire.parsed
    pages = [(a, items) for a, items in _pages(q.items, list(q.aspects)) if items]
    response = getattr(row, "response", None)
    saved: dict[str, str] = dict(response.answers) if response is not None else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        page = _int(request.POST.get("trang"), 0)
        items = pages[page - 1][1] if 1 <= page <= len(pages) else []
        answers = {
            i.code: (
                request.POST.getlist(i.code) if i.type == "multi" else request.POST.get(i.code, "")
            )
            for i in items
        }
        action = request.POST.get("hanh_dong", "tiep")
        submit = action == "gui" and page == len(pages)
        try:
            form_save(token=token, page=page, answers=answers, submit=submit)
        except TokenUsed:
            return _friendly(request, "used")
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            errors = {k: "; ".join(v) for k, v in found.items()}
            saved.update({k: " ".join(v) if isinstance(v, list) else v for k, v in answers.items()})
        else:
            if submit:
                return redirect(f"{request.path}?xong=1")
            step = page - 1 if action == "lui" else page + 1
            return redirect(f"{request.path}?trang={min(max(step, 1), len(pages))}")
    else:
        resume = (response.page + 1) if response is not None else 1
        page = _int(request.GET.get("trang"), min(resume, len(pages)))
    page = min(max(page, 1), len(pages))
    aspect, items = pages[page - 1]
    questions = [
        {
            "item": i,
            "choices": i.choices,
            "value": saved.get(i.code, ""),
            "ticked": saved.get(i.code, "").split(),
            "error": errors.get(i.code, ""),
        }
        for i in items
    ]
    context = {
        "survey": row.survey,
        "questionnaire": q,
        "aspect": aspect,
        "questions": questions,
        "page": page,
        "pages": len(pages),
        "percent": round(100 * (page - 1) / len(pages)),
        "errors": errors,
        "last": page == len(pages),
        "draft": response is not None and response.status == ResponseStatus.DRAFT,
    }
    return render(request, "surveys/public/form.html", context, status=422 if errors else 200)


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw or "")
    except ValueError:
        return default
