"""``parindex manage api_token <username> --name …`` prints a new API token once;
``--revoke <prefix>`` revokes one; ``--list`` lists a user's tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parindex.accounts.models import User
from parindex.api.models import ApiToken
from parindex.api.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Tạo, liệt kê hoặc thu hồi khoá API của một người dùng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="tên đăng nhập")
        parser.add_argument("--name", default="", help="tên khoá, ví dụ “máy chủ báo cáo”")
        parser.add_argument("--revoke", metavar="PREFIX", help="thu hồi khoá có tiền tố này")
        parser.add_argument("--list", action="store_true", help="liệt kê các khoá")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="thời hạn (ngày; mặc định PARINDEX_API_TOKEN_DAYS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{options['username']}”.")
        if options["list"]:
            for t in ApiToken.objects.filter(user=user):
                state = "đã thu hồi" if t.revoked_at else "hết hạn" if t.is_expired else "đang dùng"
                used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "chưa dùng"
                until = f"hết hạn {t.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{t.prefix}…  {t.name}  ({state}, {used}, {until})")
            return
        if options["revoke"]:
            tokens = list(ApiToken.objects.filter(user=user, prefix=options["revoke"]))
            if len(tokens) != 1:
                raise CommandError(f"Không có khoá nào có tiền tố “{options['revoke']}”.")
            token_revoke(token=tokens[0], actor=None)
            self.stdout.write(f"Đã thu hồi khoá {tokens[0].prefix}… của {user.username}.")
            return
        try:
            token, key = token_create(
                user=user, name=options["name"], actor=None, days=options["days"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Khoá API “{token.name}” của {user.username} (chỉ hiện một lần, hãy lưu lại):"
        )
        self.stdout.write(key)
