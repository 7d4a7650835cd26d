"""The caller's own notifications and API tokens."""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.auth import SessionAuth
from parindex.api.models import ApiToken
from parindex.api.pagination import Mapped, Pages
from parindex.api.schemas import Id
from parindex.api.services import token_create, token_revoke
from parindex.notifications.selectors import notification_get, notifications_for
from parindex.notifications.services import mark_all_read, mark_read

router = Router(tags=["Thông báo và khoá API"])


@router.get(
    "/notifications",
    response={200: list[s.NotificationOut], **s.ERRORS},
    summary="Thông báo của tôi",
    description="Mới nhất trước; unread=true chỉ lấy thông báo chưa đọc.",
)
@paginate(Pages)
def notification_list(request: ApiRequest, unread: bool = False) -> Any:
    qs = notifications_for(request.auth)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return Mapped(qs, s.notification_out)


@router.post(
    "/notifications/{notification_id}/read",
    response={200: s.NotificationOut, **s.ERRORS},
    summary="Đánh dấu đã đọc",
)
def notification_read(request: ApiRequest, notification_id: Id) -> Any:
    notification = notification_get(request.auth, notification_id)
    return s.notification_out(mark_read(notification=notification, actor=request.auth))


@router.post(
    "/notifications/read",
    response={200: dict[str, int], **s.ERRORS},
    summary="Đánh dấu đã đọc tất cả thông báo",
)
def notification_read_all(request: ApiRequest) -> Any:
    return {"read": mark_all_read(actor=request.auth)}


@router.get("/tokens", response={200: list[s.TokenOut], **s.ERRORS}, summary="Khoá API của tôi")
def token_list(request: ApiRequest) -> Any:
    return [s.token_out(t) for t in ApiToken.objects.filter(user=request.auth)]


@router.post(
    "/tokens",
    response={201: s.TokenCreatedOut, **s.ERRORS},
    summary="Tạo khoá API",
    description=(
        "Khoá (key) chỉ hiện một lần trong câu trả lời này; hãy lưu lại ngay. Chỉ tạo được "
        "từ phiên đăng nhập trên trình duyệt: một khoá API không tạo được khoá khác (401)."
    ),
    auth=SessionAuth(),
)
def token_new(request: ApiRequest, payload: s.TokenIn) -> Any:
    token, key = token_create(
        user=request.auth, name=payload.name, actor=request.auth, days=payload.days
    )
    return Status(201, {**s.token_out(token), "key": key})


@router.delete(
    "/tokens/{token_id}",
    response={200: s.TokenOut, **s.ERRORS},
    summary="Thu hồi khoá API",
)
def token_delete(request: ApiRequest, token_id: Id) -> Any:
    token = get_object_or_404(ApiToken.objects.filter(user=request.auth), pk=token_id)
    return s.token_out(token_revoke(token=token, actor=request.auth))
