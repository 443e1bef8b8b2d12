from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peerspace.reports"
    label = "reports"
    verbose_name = "Funder reports"
    default_auto_field = "django.db.models.BigAutoField"
