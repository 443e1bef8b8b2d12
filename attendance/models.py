import datetime as dt
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from peerspace.accounts.models import Organisation, Site
from peerspace.fields import EncryptedTextField
from peerspace.text import fold, sort_key

AGE_BANDS = [
    ("under-18", _("Under 18")),
    ("18-24", _("18 to 24")),
    ("25-34", _("25 to 34")),
    ("35-44", _("35 to 44")),
    ("45-54", _("45 to 54")),
    ("55-64", _("55 to 64")),
    ("65-74", _("65 to 74")),
    ("75+", _("75 or over")),
]

HEARD_ABOUT_US = [
    ("friend", _("A friend or family member")),
    ("walked-past", _("Walked past or saw a poster")),
    ("social-media", _("Facebook or other social media")),
    ("group", _("Another group or community centre")),
    ("professional", _("A support worker, GP or other professional")),
    ("other", _("Somewhere else")),
]


# Everything she may tell us about herself, in the order the form asks; only her
# name is required. This one list makes the form's fields, what subject access
# shows, what erasure blanks and the spreadsheet columns, so a new field added
# here is covered by all of them (tests/test_person_details.py checks).
PERSON_DETAILS = (
    "known_as",
    "full_name",
    "phone",
    "email",
    "address",
    "postcode",
    "age_band",
    "heard_about_us",
    "ok_to_call",
    "ok_to_text",
    "ok_to_email",
    "anything_to_know",
)
# How she is happy to be contacted: choices, not details about her.
CONTACT_WISHES = ("ok_to_call", "ok_to_text", "ok_to_email")
# Details beyond her name: kept only once she has agreed to how we use them.
AGREEMENT_DETAILS = tuple(
    d for d in PERSON_DETAILS if d != "known_as" and d not in CONTACT_WISHES
)
# Spreadsheet columns: her contact wishes mean little without the form's
# explanation, and the encrypted note never leaves Peerspace.
SPREADSHEET_DETAILS = tuple(
    d for d in PERSON_DETAILS if d not in CONTACT_WISHES and d != "anything_to_know"
)
# An emergency contact's details, for the form, subject access and history.
# Tuples, as Django's inline formsets append to a form's list of fields.
CONTACT_DETAILS = ("name", "relationship", "phone")


def _search_words(q: str) -> list[str]:
    return fold(q).split()[:5]


def _search_q(q: str) -> Q:
    condition = Q()
    for word in _search_words(q):
        condition &= Q(search_key__contains=" " + word)
    return condition


# How many people of one name a kiosk word is checked against. Always this
# many checks (decoys make up the number), so the time taken says nothing.
KIOSK_WORD_CHECKS = 3
_decoys: dict[str, str] = {}


def _decoy_hash() -> str:
    """A hash of a word no one knows, made by the hasher real words use."""
    algorithm = get_hasher().algorithm
    if algorithm not in _decoys:
        _decoys[algorithm] = make_password(secrets.token_urlsafe(16))
    return _decoys[algorithm]


def _is_here(site: Site) -> Exists:
    return Exists(Visit.objects.on_site_now(site).filter(person=OuterRef("pk")))


class PersonQuerySet(models.QuerySet):
    def for_user(self, user):
        from peerspace.permissions import org_ids

        return self.filter(organisation_id__in=org_ids(user))

    def search(self, q: str):
        """Every word typed must start a word of either name.

        Matched on a folded copy of the names, so "siobhan" finds Siobhán and
        "OBRIEN" finds O'Brien, the same on SQLite and PostgreSQL.
        """
        return self.filter(_search_q(q))

    def search_each(
        self, names: list[str], limit: int = 5, most: int = 500
    ) -> dict[str, list["Person"]]:
        """search() for several names in one query: each name's first matches.

        For the names typed at the kiosk that matched no one person; `most`
        caps the one query, which is plenty for names that are mostly full.
        """
        wanted = [n for n in dict.fromkeys(names) if _search_words(n)]
        found: dict[str, list[Person]] = {n: [] for n in names}
        if not wanted:
            return found
        either = Q()
        for name in wanted:
            either |= _search_q(name)
        for person in self.filter(either).in_name_order()[:most]:
            for name in wanted:
                words = _search_words(name)
                matches = found[name]
                if len(matches) < limit and all(
                    " " + w in person.search_key for w in words
                ):
                    matches.append(person)
        return found

    def save_once(
        self, person: "Person", then: Callable[["Person"], None] | None = None
    ) -> tuple["Person", bool]:
        """Save her (and then what goes with her, her contacts) in one go.

        A form sent twice (a double tap, a page sent again) carries the same
        registration token, so the second save finds the person the first
        made. Returns (person, saved): saved is False for that second time.
        """
        try:
            with transaction.atomic():
                person.save()
                if then:
                    then(person)
            return person, True
        except IntegrityError:
            earlier = person.registration_token and (
                self.filter(
                    registration_token=person.registration_token,
                    organisation_id=person.organisation_id,
                ).first()
            )
            if not earlier:
                raise
            return earlier, False

    def called(self, name: str, limit: int = 10) -> list["Person"]:
        """People whose name or full name is exactly what was typed (folded)."""
        key = fold(name)
        return [p for p in self.search(name)[:limit] if p.is_called(key)]

    def with_last_visit(self):
        """Annotated with what tells people of one name apart: `last_seen`, the
        date of her latest visit, and `last_site`, where it was."""
        latest = Visit.objects.filter(person=OuterRef("pk")).order_by(
            "-session__date", "-arrived_at", "-id"
        )
        return self.annotate(
            last_seen=Subquery(latest.values("session__date")[:1]),
            last_site=Subquery(latest.values("session__site__name")[:1]),
        )

    def here_at(self, site: Site):
        """Annotated with `is_here`: signed in at this site now."""
        return self.annotate(is_here=_is_here(site))

    def in_name_order(self):
        """Alphabetical by name in any script (see peerspace.text.sort_key)."""
        return self.order_by("sort_key", "id")

    def found_at_door(self, q: str, site: Site):
        """The door's search: whose names start with the words typed, whether
        each is here now and when she was last seen, in name order."""
        return self.search(q).here_at(site).with_last_visit().in_name_order()

    def recorded_on(self, site: Site, date: dt.date):
        """Annotated with `recorded`: she has a visit at this site that day."""
        visits = Visit.objects.filter(
            person=OuterRef("pk"), session__site=site, session__date=date
        )
        return self.annotate(recorded=Exists(visits))

    def not_here_at(self, site: Site):
        return self.exclude(_is_here(site))

    def find_at_kiosk(self, name: str, word: str) -> "Person | None":
        """The one person called `name` whose kiosk word is `word`, or None.

        The work is the same whoever is typed, so a stopwatch can't tell a
        name that is here from one that isn't: one query, and when a word is
        given exactly KIOSK_WORD_CHECKS hash checks, against the words of the
        people of that name and then against a decoy.
        """
        people = [p for p in self.called(name) if p.kiosk_word]
        if not word:
            return None
        checked = people[:KIOSK_WORD_CHECKS]
        hashes = [p.kiosk_word for p in checked]
        hashes += [_decoy_hash()] * (KIOSK_WORD_CHECKS - len(hashes))
        # Every check runs: no early return on the first that fits.
        results = [check_password(fold(word), h) for h in hashes]
        fits = [p for p, ok in zip(checked, results, strict=False) if ok]
        return fits[0] if len(fits) == 1 else None

    def forms_to_finish(self):
        return self.filter(form_complete=False, erased_at__isnull=True)

    def not_erased(self):
        return self.filter(erased_at__isnull=True)

    def not_seen_since(self, cutoff: dt.date):
        """People whose last visit (or joining, if they never came) is before cutoff."""
        return (
            self.not_erased()
            .annotate(last_visit=Max("visits__session__date"))
            .filter(
                Q(last_visit__lt=cutoff)
                | Q(last_visit__isnull=True, created__date__lt=cutoff)
            )
        )


class Person(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="people"
    )
    known_as = models.CharField(
        _("What would you like us to call you?"), max_length=100
    )
    full_name = models.CharField(_("Full name"), max_length=200, blank=True)
    address = models.TextField(_("Address"), max_length=500, blank=True)
    postcode = models.CharField(_("Postcode"), max_length=10, blank=True)
    phone = models.CharField(_("Phone"), max_length=30, blank=True)
    email = models.EmailField(_("Email"), max_length=200, blank=True)
    age_band = models.CharField(_("Age"), max_length=10, blank=True, choices=AGE_BANDS)
    heard_about_us = models.CharField(
        _("How did you hear about us?"),
        max_length=20,
        blank=True,
        choices=HEARD_ABOUT_US,
    )
    anything_to_know = EncryptedTextField(
        _("Anything you feel we need to know"), blank=True
    )
    ok_to_call = models.BooleanField(_("Phone calls are fine"), default=False)
    ok_to_text = models.BooleanField(_("Text messages are fine"), default=False)
    ok_to_email = models.BooleanField(_("Emails are fine"), default=False)
    data_use_agreed_at = models.DateTimeField(
        _("Agreed to how we use her information"), null=True, blank=True
    )
    data_use_version = models.PositiveIntegerField(
        _("Version of the words she agreed to"), null=True, blank=True
    )
    # The language the words she agreed to were in (a code from LANGUAGES).
    data_use_language = models.CharField(
        _("Language of the words she agreed to"), max_length=15, blank=True
    )
    # Folded names, for search as you type (see fold()).
    search_key = models.CharField(max_length=320, blank=True, editable=False)
    # Her name's place in alphabetical order, in any script (see sort_key()).
    sort_key = models.CharField(max_length=256, blank=True, editable=False)
    # Quick-added at a busy door: name only, the rest of the form still to do.
    form_complete = models.BooleanField(default=True)
    # One per form shown, so a double-tapped "Save" can't make two people.
    registration_token = models.UUIDField(null=True, blank=True, unique=True)
    created = models.DateTimeField(_("First recorded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when her details were erased; the row stays so past counts don't change.
    erased_at = models.DateTimeField(null=True, blank=True)
    # A word or number she chose, so she can sign herself in at the kiosk
    # (see find_at_kiosk). Hashed like a password; never shown or exported.
    kiosk_word = models.CharField(max_length=200, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "registration_token",
            "search_key",
            "sort_key",
            "kiosk_word",
        ]
    )
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["organisation", "sort_key"])]

    def __str__(self) -> str:
        return self.known_as

    def save(self, *args, **kwargs):
        self.refresh_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "search_key",
                "sort_key",
            }
        if self._state.adding:
            # Someone new isn't here anywhere yet.
            super().save(*args, **kwargs)
            return
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            # Her name is on the door's list wherever she is here now.
            Site.door_changed(
                pk__in=Visit.objects.filter(person=self)
                .present()
                .filter(session__date=timezone.localdate())
                .values("session__site_id")
            )

    def get_absolute_url(self) -> str:
        return reverse("attendance:person", args=[self.pk])

    def refresh_keys(self) -> None:
        """Her names as search and alphabetical order read them."""
        self.search_key = " " + fold(f"{self.known_as} {self.full_name}") + " "
        self.sort_key = sort_key(self.known_as)

    @property
    def display_name(self) -> str:
        if self.full_name and self.full_name != self.known_as:
            return f"{self.known_as} ({self.full_name})"
        return self.known_as

    def is_called(self, key: str) -> bool:
        """Is `key` (folded) exactly her name or her full name?"""
        return key in (fold(self.known_as), fold(self.full_name))

    def set_kiosk_word(self, word: str) -> None:
        self.kiosk_word = make_password(fold(word)) if word else ""

    def tells_apart(self) -> list[str]:
        """What tells her from others of the same name, beside her name:
        her full name, and when and where she was last here. Uses the
        annotations of with_last_visit()."""
        parts = []
        if self.full_name and self.full_name != self.known_as:
            parts.append(self.full_name)
        last_seen = getattr(self, "last_seen", None)
        if last_seen:
            day = date_format(last_seen, "j M Y")
            if getattr(self, "last_site", ""):
                parts.append(
                    _("last here %(day)s at %(site)s")
                    % {"day": day, "site": self.last_site}
                )
            else:
                parts.append(_("last here %(day)s") % {"day": day})
        elif hasattr(self, "last_seen"):
            added = timezone.localtime(self.created)
            parts.append(
                _("not been yet (added %(day)s)") % {"day": date_format(added, "j M Y")}
            )
        return parts

    def visit_summary(self) -> dict:
        return self.visits.aggregate(
            count=Count("id"), first=Min("session__date"), last=Max("session__date")
        )

    def agreed_statement(self):
        """The words she agreed to (a DataUseStatementVersion), in the
        language she read them in; None if she hasn't been asked."""
        if not self.data_use_agreed_at:
            return None
        return self.organisation.data_use_statement_version(
            self.data_use_version, self.data_use_language
        )

    def record_agreement(self, statement=None) -> None:
        """She agreed to the words she was shown: the statement (a
        DataUseStatementVersion: its version and language), or the current
        words in English."""
        statement = statement or self.organisation.data_use_statement_in(None)
        self.data_use_agreed_at = timezone.now()
        self.data_use_version = statement.version
        self.data_use_language = statement.language


class EmergencyContact(models.Model):
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="emergency_contacts"
    )
    name = models.CharField(_("Name"), max_length=100)
    relationship = models.CharField(
        _("Who are they to you?"), max_length=60, blank=True
    )
    phone = models.CharField(_("Phone"), max_length=30)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


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
