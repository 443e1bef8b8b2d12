from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerspace.accounts"
    label = "accounts"

    def ready(self):
        # Registers the deploy check that production email can reach people.
        from peerspace import mail  # noqa: F401
