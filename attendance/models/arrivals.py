"""Arrivals waiting to be confirmed: from the kiosk, and typed at the door
while it was offline."""

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerspace.accounts.models import Site
from peerspace.text import fold

from .people import Person
from .visits import Session, Visit, _start_of_today


class PendingArrivalQuerySet(models.QuerySet):
    def waiting(self, site: Site):
        """Today's arrivals at a site that the team hasn't confirmed yet."""
        return self.filter(site=site, created__gte=_start_of_today())

    def arrive(
        self, site: Site, name: str, *, kiosk=None, person: Person | None = None
    ) -> "PendingArrival":
        """She said she's here at the kiosk: the team will confirm it."""
        return self.create(site=site, name_typed=name, kiosk=kiosk, person=person)

    def forget_earlier_days(self, site: Site) -> None:
        """No one is still waiting from yesterday: don't keep what they typed."""
        self.filter(site=site, created__lt=_start_of_today()).delete()

    def for_door(self, site: Site) -> list["PendingArrival"]:
        """Today's waiting arrivals, each with `matches`: who she might be.

        Someone already signed in here is never offered, and each match
        carries what tells her apart from others of that name. One query
        for all the names (search_each), however many are waiting.
        """
        arrivals = list(
            self.waiting(site)
            .select_related("person")
            .prefetch_related("person__emergency_contacts")
        )
        typed = [a.name_typed for a in arrivals if a.person_id is None]
        # Building the search costs more than running it: only when needed
        # (on most requests nobody is waiting).
        found = (
            Person.objects.filter(organisation_id=site.organisation_id)
            .not_erased()
            .not_here_at(site)
            .with_last_visit()
            .search_each(typed)
            if typed
            else {}
        )
        for arrival in arrivals:
            arrival.matches = [] if arrival.person_id else found[arrival.name_typed]
        return arrivals

    def kiosk_answered_since(self, kiosk, since: dt.datetime) -> int:
        """How many people this kiosk has answered since then.

        Each answer leaves one row: an arrival for the team to confirm, or a
        visit when her kiosk word fitted; so the rows are the count.
        """
        return (
            self.filter(kiosk=kiosk, created__gte=since).count()
            + Visit.objects.filter(
                signed_in_by=kiosk, method=Visit.KIOSK, arrived_at__gte=since
            ).count()
        )


class PendingArrival(models.Model):
    """Someone who said at the kiosk that she's here, not yet a visit.

    Anyone can type any name at the kiosk, so a name alone never makes a
    visit: the team confirms she's here (on the door screen), or she gives
    her kiosk word. Until then she is listed as waiting, on the door screen
    and on the fire register, because in a fire everyone in the building
    counts.
    """

    site = models.ForeignKey(Site, models.CASCADE, related_name="pending_arrivals")
    name_typed = models.CharField(max_length=100)
    created = models.DateTimeField(default=timezone.now)
    # The kiosk that took it, for its limit of answers a minute.
    kiosk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when she was new and filled in the kiosk's form: the person it made.
    person = models.ForeignKey(
        Person,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="pending_arrivals",
    )

    objects = PendingArrivalQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["site", "created"])]

    def __str__(self) -> str:
        return self.name_typed

    # Waiting arrivals are listed on the door's screen.
    def save(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            Site.door_changed(pk=self.site_id)

    def delete(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            Site.door_changed(pk=self.site_id)
            return super().delete(*args, **kwargs)

    def confirm(self, person: Person, *, by) -> tuple["Visit", bool]:
        """The team saw her: she is signed in from when she said she was here."""
        with transaction.atomic():
            result = Visit.objects.sign_in(
                person,
                Session.objects.today(self.site),
                by=by,
                method=Visit.KIOSK,
                at=self.created,
            )
            self.delete()
        return result


class OfflineEntryQuerySet(models.QuerySet):
    def to_match(self, sites) -> list["OfflineEntry"]:
        """Names typed offline at these sites that the team still has to
        match, each with `matches` (who she might be, exact names first) and
        `already` (people of that name already recorded that day). One search
        for each site and day, however many names wait."""
        entries = list(
            self.filter(site__in=sites, outcome=OfflineEntry.TO_MATCH)
            .select_related("site")
            .order_by("typed_at", "id")
        )
        groups: dict[tuple, list[OfflineEntry]] = {}
        for entry in entries:
            day = timezone.localdate(entry.typed_at)
            groups.setdefault((entry.site, day), []).append(entry)
        for (site, day), group in groups.items():
            found = (
                Person.objects.filter(organisation_id=site.organisation_id)
                .not_erased()
                .with_last_visit()
                .recorded_on(site, day)
                .search_each([e.name_typed for e in group], limit=8)
            )
            for entry in group:
                key = fold(entry.name_typed)
                people = sorted(
                    found[entry.name_typed], key=lambda p: not p.is_called(key)
                )
                entry.matches = [p for p in people if not p.recorded]
                entry.already = [p for p in people if p.recorded]
        return entries


class OfflineEntry(models.Model):
    """A sign-in or sign-out typed at the door while the device was offline.

    The device gives each one its own id and sends it when the connection is
    back, perhaps more than once (an answer lost on the way): the id is kept
    here, unique, so a second sending finds this row and changes nothing.
    A name that isn't exactly one person waits here, on the paper-sheet
    screen, for the team to say who she is; its name is blanked once sorted.
    """

    ARRIVED = "arrived"
    LEFT = "left"
    KINDS = [(ARRIVED, _("Arrived")), (LEFT, _("Left"))]

    SIGNED_IN = "signed-in"
    ALREADY_HERE = "already-here"
    SIGNED_OUT = "signed-out"
    TO_MATCH = "to-match"
    MATCHED = "matched"
    REMOVED = "removed"
    NOT_FOUND = "not-found"
    OUTCOMES = [
        (SIGNED_IN, _("Signed in")),
        (ALREADY_HERE, _("Already here")),
        (SIGNED_OUT, _("Signed out")),
        (TO_MATCH, _("Waiting to be matched")),
        (MATCHED, _("Matched by the team")),
        (REMOVED, _("Removed by the team")),
        (NOT_FOUND, _("Nothing to do")),
    ]

    client_id = models.UUIDField(unique=True)
    site = models.ForeignKey(Site, models.CASCADE, related_name="offline_entries")
    kind = models.CharField(max_length=10, choices=KINDS)
    # What the facilitator typed; blanked once the team has matched it.
    name_typed = models.CharField(max_length=100, blank=True)
    # When it was typed on the device (checked and clamped, see receive()).
    typed_at = models.DateTimeField()
    # An arrival typed offline and signed out offline before it was matched.
    left_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visit = models.ForeignKey(
        Visit, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=15, choices=OUTCOMES)

    objects = OfflineEntryQuerySet.as_manager()

    class Meta:
        ordering = ["typed_at", "id"]
        indexes = [models.Index(fields=["site", "outcome"])]
        verbose_name_plural = "offline entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id}"
