from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerspace.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .views import note_first_password

        user_logged_in.connect(note_first_password, dispatch_uid="first-password")
