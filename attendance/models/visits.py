"""Sessions at a site, and the visits people make to them."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerspace.accounts.models import Organisation, Site

from .people import Person


class Activity(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="activities"
    )
    name = models.CharField(max_length=60)
    is_active = models.BooleanField(_("Still running"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="activity_name_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            # Its name is on the door's list beside the people doing it.
            Site.door_changed(organisation_id=self.organisation_id)


class SessionQuerySet(models.QuerySet):
    def today(self, site: Site) -> "Session":
        """Today's session at a site, opened on first use."""
        session, _ = self.get_or_create(
            site=site,
            date=timezone.localdate(),
            defaults={"opens": timezone.localtime().time().replace(microsecond=0)},
        )
        return session

    def on(self, site: Site, date: dt.date) -> "Session":
        session, _ = self.get_or_create(site=site, date=date)
        return session

    def close_today(self, site: Site) -> int:
        """Sign everyone out at a site and note when today's session closed.

        Returns how many people were signed out.
        """
        from .arrivals import PendingArrival

        with transaction.atomic():
            count = Visit.objects.sign_out_all(site)
            # No one is still waiting at the kiosk once the doors close.
            PendingArrival.objects.waiting(site).delete()
            now = timezone.localtime().time().replace(microsecond=0)
            self.filter(site=site, date=timezone.localdate(), closes=None).update(
                closes=now
            )
        return count


class Session(models.Model):
    """One opening of a workshop at a site on a day."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="sessions")
    date = models.DateField()
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["site", "date"], name="one_session_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.date:%-d %b %Y}"


class VisitQuerySet(models.QuerySet):
    def present(self):
        return self.filter(left_at__isnull=True)

    def on_site_now(self, site: Site):
        return self.filter(
            session__site=site, session__date=timezone.localdate(), left_at__isnull=True
        )

    def counts_now(self, site: Site) -> tuple[int, int]:
        """(everyone here now, of whom unnamed): one query."""
        counts = self.on_site_now(site).aggregate(
            everyone=Count("id"), named=Count("person")
        )
        return counts["everyone"], counts["everyone"] - counts["named"]

    def sign_in(
        self, person, session, *, by=None, method="facilitator", activity=None, at=None
    ) -> tuple["Visit", bool]:
        """Sign a person in; a second tap or a second facilitator finds the same visit.

        Returns (visit, signed_in): False only when she was already here.
        Someone who left and came back is here again.
        """
        try:
            with transaction.atomic():
                visit = self.create(
                    person=person,
                    session=session,
                    arrived_at=at or timezone.now(),
                    signed_in_by=by,
                    method=method,
                    activity=activity,
                )
                return visit, True
        except IntegrityError:
            visit = self.get(person=person, session=session)
            if visit.left_at is not None and session.date == timezone.localdate():
                # She went out and came back: that's a sign-in, not a repeat tap.
                visit.left_at = None
                visit.save(update_fields=["left_at"])
                return visit, True
            return visit, False

    def sign_out_all(self, site: Site) -> int:
        with transaction.atomic(savepoint=False):
            Site.door_changed(pk=site.pk)
            return self.on_site_now(site).update(left_at=timezone.now())

    def sign_out_unnamed(self, site: Site) -> int:
        with transaction.atomic(savepoint=False):
            Site.door_changed(pk=site.pk)
            return (
                self.on_site_now(site)
                .filter(person=None)
                .update(left_at=timezone.now())
            )

    def add_headcount(
        self, session, count: int, *, activity=None, by=None, token=None
    ) -> bool:
        """Count people who came without giving a name.

        The form's token goes on the first visit, so the same head-count sent
        twice hits the unique constraint instead of counting everyone again.
        Returns False when it had already been added.
        """
        now = timezone.now()
        visits = [
            self.model(
                session=session, arrived_at=now, activity=activity, signed_in_by=by
            )
            for _ in range(count)
        ]
        visits[0].request_token = token
        try:
            with transaction.atomic():
                self.bulk_create(visits)
                Site.door_changed(sessions=session)
        except IntegrityError:
            return False
        return True


class Visit(models.Model):
    FACILITATOR = "facilitator"
    KIOSK = "kiosk"
    PAPER = "paper"
    METHODS = [
        (FACILITATOR, _("Signed in at the door")),
        (KIOSK, _("Signed herself in at the kiosk")),
        (PAPER, _("Entered from a paper sheet")),
    ]

    # Null for an unnamed head-count, or once a person has been anonymised.
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    session = models.ForeignKey(Session, models.CASCADE, related_name="visits")
    arrived_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    activity = models.ForeignKey(
        Activity, models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    helped_out = models.BooleanField(_("Helped out today"), default=False)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(max_length=12, choices=METHODS, default=FACILITATOR)
    # Set on the first visit of a head-count or paper batch: a resubmitted form
    # hits the unique constraint instead of counting everyone twice.
    request_token = models.UUIDField(null=True, blank=True, unique=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["arrived_at", "id"]
        constraints = [
            # Two facilitators tapping the same woman at once make one visit.
            models.UniqueConstraint(
                fields=["person", "session"],
                condition=Q(person__isnull=False),
                name="one_visit_per_person_per_session",
            )
        ]
        indexes = [models.Index(fields=["session", "left_at"])]

    def __str__(self) -> str:
        return f"{self.person or 'Visitor'} at {self.session}"

    def save(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            Site.door_changed(sessions=self.session_id)

    def sign_out(self, at: dt.datetime | None = None) -> bool:
        """She left (now, or at `at`: a sign-out typed while offline).
        Returns False when she had already gone."""
        if self.left_at is not None:
            return False
        self.left_at = at or timezone.now()
        self.save(update_fields=["left_at"])
        return True

    def can_undo_sign_out(self) -> bool:
        """Signed out today, a moment ago: "Undo" can bring her back."""
        return (
            self.left_at is not None
            and self.session.date == timezone.localdate()
            and timezone.now() - self.left_at <= UNDO_SIGN_OUT_FOR
        )

    def undo_sign_out(self) -> bool:
        """Back in the list as she was, from when she first signed in."""
        if not self.can_undo_sign_out():
            return False
        self.left_at = None
        self.save(update_fields=["left_at"])
        return True


# How long after a single "Sign out" the server still takes "Undo": the door
# offers it for a few seconds (static/js/app.js); this allows for a slow network.
UNDO_SIGN_OUT_FOR = dt.timedelta(minutes=2)


def _start_of_today() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
