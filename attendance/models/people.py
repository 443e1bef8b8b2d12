"""The people who come: who she is, how to find her, her emergency contacts."""

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
    from .visits import Visit

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
        from .visits import Visit

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
        from .visits import Visit

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
        indexes = [
            models.Index(fields=["organisation", "sort_key"]),
            # The door's "forms to finish" count, on every load of its page:
            # only the few people it counts are in this index.
            models.Index(
                fields=["organisation"],
                condition=Q(form_complete=False, erased_at__isnull=True),
                name="person_forms_to_finish",
            ),
        ]

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
        from .visits import Visit

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
