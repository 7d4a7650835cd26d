from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "Tài khoản"
    name = "parindex.accounts"
    label = "accounts"
