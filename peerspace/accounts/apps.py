from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerspace.accounts"
    label = "accounts"
