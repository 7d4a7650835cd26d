from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parindex.accounts"
    label = "accounts"
