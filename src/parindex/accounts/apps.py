from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "Tài khoản"
    name = "parindex.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The login signal that starts the second step of two-factor authentication.
        from parindex.accounts import twofactor  # noqa: F401
