from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"

    def ready(self):
        # Her rights reach safeguarding records through attendance's signals
        # (see rights.py), so attendance never imports safeguarding.
        from attendance.management.commands.apply_retention import retention_review
        from attendance.services import person_erased, subject_access_sections

        from . import rights

        subject_access_sections.connect(
            rights.subject_access_section, dispatch_uid="safeguarding-subject-access"
        )
        retention_review.connect(
            rights.retention_review, dispatch_uid="safeguarding-retention"
        )
        person_erased.connect(rights.person_erased, dispatch_uid="safeguarding-erased")
