import base64
import datetime as dt
import os
import re
import secrets
import time
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex
from simple_history.models import HistoricalRecords

from peerspace.fields import EncryptedTextField
from peerspace.text import fold

DEFAULT_DATA_USE_STATEMENT = (
    "We keep what you tell us so we can welcome you, keep everyone safe in the "
    "building and contact someone for you in an emergency. Only our team can see "
    "it. We never share it without asking you, unless someone is at risk of "
    "serious harm. Our funders only ever see numbers, never names. You can ask to "
    "see what we hold, change it or have it removed at any time."
)


# The language an organisation's own words (its privacy statement) are first
# written in; translations of them are kept beside them.
MAIN_LANGUAGE = settings.LANGUAGE_CODE


def is_main_language(code: str | None) -> bool:
    """English in any of its forms (and no language at all)."""
    return not code or code.split("-")[0] == MAIN_LANGUAGE.split("-")[0]


def _plain_text(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


# No 0/O or 1/I/L, so a code read out over the phone is typed right.
PARTNERSHIP_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PARTNERSHIP_CODE_LENGTH = 12


def new_partnership_code() -> str:
    return "".join(
        secrets.choice(PARTNERSHIP_CODE_ALPHABET)
        for _ in range(PARTNERSHIP_CODE_LENGTH)
    )


def clean_partnership_code(typed: str) -> str:
    """ "abcd-efgh 2345" -> "ABCDEFGH2345": the code however it was written down."""
    return re.sub(r"[^A-Z0-9]", "", typed.upper())


def show_partnership_code(code: str) -> str:
    """In groups of four, to read out and type: "ABCD-EFGH-2345"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    # The statement in MAIN_LANGUAGE; its translations are DataUseStatementVersions.
    data_use_statement = models.TextField(default=DEFAULT_DATA_USE_STATEMENT)
    data_use_version = models.PositiveIntegerField(default=1)
    data_use_updated = models.DateField(default=timezone.localdate)
    # Languages (codes from settings.LANGUAGES) its kiosk and first-visit form
    # offer besides English, and the one the kiosk starts in for each person.
    languages = models.JSONField(default=list, blank=True)
    default_language = models.CharField(max_length=15, default=MAIN_LANGUAGE)
    created = models.DateTimeField(auto_now_add=True)
    # What another group types to ask this one to be partners: given out by
    # this group's safeguarding members, so no page ever lists the groups here.
    partnership_code = models.CharField(
        max_length=PARTNERSHIP_CODE_LENGTH, unique=True, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def offered_languages(self) -> list[tuple[str, str]]:
        """(code, name in itself) of each language its kiosk and first-visit
        form offer: English first, then its chosen ones still available."""
        from peerspace import i18n

        chosen = {MAIN_LANGUAGE, *self.languages}
        return [(c, n) for c, n in i18n.languages_with_catalogue() if c in chosen]

    def _lock(self) -> None:
        """Re-read the statement's fields under a row lock: two coordinators
        saving at once make two versions, not one clash."""
        current = Organisation.objects.select_for_update().get(pk=self.pk)
        for field in ("data_use_statement", "data_use_version", "data_use_updated"):
            setattr(self, field, getattr(current, field))

    def get_partnership_code(self) -> str:
        """This group's partnership code, made the first time it is asked for."""
        if not self.partnership_code:
            self.new_partnership_code()
        return self.partnership_code

    def new_partnership_code(self) -> str:
        """A fresh code; the old one stops working (partnerships made with it stay)."""
        self.partnership_code = new_partnership_code()
        self.save(update_fields=["partnership_code"])
        return self.partnership_code

    def partners(self) -> models.QuerySet:
        """The groups this one has an accepted partnership with."""
        pairs = Partnership.objects.accepted().involving(self.pk)
        return Organisation.objects.filter(
            Q(pk__in=pairs.values("organisation")) | Q(pk__in=pairs.values("partner"))
        ).exclude(pk=self.pk)

    def update_data_use_statement(self, text: str) -> bool:
        """A new version when the words change; every earlier one is kept.

        Translations aren't carried over: they say the old words, so until
        someone translates the new ones, the form shows them in English.
        Returns False (and changes nothing) if the text is the same.
        """
        text = _plain_text(text)
        with transaction.atomic():
            self._lock()
            if text == _plain_text(self.data_use_statement):
                return False
            self._new_data_use_version(text)
        return True

    def translate_data_use_statement(self, language: str, text: str) -> bool:
        """Her rights in her language: the current version's words in another
        language, written by the organisation.

        A first translation of this version is added to it. Words a woman may
        already have agreed to are never changed: a changed translation makes
        a new version (the English and the other translations carried over).
        Returns False (and changes nothing) if the text is the same.
        """
        text = _plain_text(text)
        with transaction.atomic():
            self._lock()
            self._keep_current_version()
            same_version = self.data_use_versions.filter(version=self.data_use_version)
            existing = same_version.filter(language=language).first()
            if existing is not None and _plain_text(existing.text) == text:
                return False
            if existing is not None:
                others = list(
                    same_version.exclude(language__in=[language, MAIN_LANGUAGE])
                )
                self._new_data_use_version(self.data_use_statement)
                DataUseStatementVersion.objects.bulk_create(
                    DataUseStatementVersion(
                        organisation=self,
                        version=self.data_use_version,
                        language=other.language,
                        text=other.text,
                        in_use_from=self.data_use_updated,
                    )
                    for other in others
                )
            DataUseStatementVersion.objects.create(
                organisation=self,
                version=self.data_use_version,
                language=language,
                text=text,
                in_use_from=timezone.localdate(),
            )
        return True

    def _keep_current_version(self) -> None:
        # Organisations made before versions were kept have no row for theirs.
        DataUseStatementVersion.objects.get_or_create(
            organisation=self,
            version=self.data_use_version,
            language=MAIN_LANGUAGE,
            defaults={
                "text": self.data_use_statement,
                "in_use_from": self.data_use_updated,
            },
        )

    def _new_data_use_version(self, text: str) -> None:
        self._keep_current_version()
        self.data_use_statement = text
        self.data_use_version += 1
        self.data_use_updated = timezone.localdate()
        self.save(
            update_fields=[
                "data_use_statement",
                "data_use_version",
                "data_use_updated",
            ]
        )
        DataUseStatementVersion.objects.create(
            organisation=self,
            version=self.data_use_version,
            text=text,
            in_use_from=self.data_use_updated,
        )

    def data_use_statement_version(
        self, version: int | None, language: str | None = None
    ) -> "DataUseStatementVersion | None":
        """The words of one version in one language (English if none is
        given), e.g. the ones she agreed to."""
        if version is None:
            return None
        language = MAIN_LANGUAGE if is_main_language(language) else language
        found = self.data_use_versions.filter(
            version=version, language=language
        ).first()
        if found is None and version == self.data_use_version:
            if language != MAIN_LANGUAGE:
                return None
            # Never edited: the current words are that version.
            found = DataUseStatementVersion(
                organisation=self,
                version=version,
                language=MAIN_LANGUAGE,
                text=self.data_use_statement,
                in_use_from=self.data_use_updated,
            )
        return found

    def data_use_statement_in(self, language: str | None) -> "DataUseStatementVersion":
        """The current words in this language, or in English while nobody has
        translated them (its `language` says which it is)."""
        return self.data_use_statement_version(
            self.data_use_version, language
        ) or self.data_use_statement_version(self.data_use_version)

    def data_use_in_other_languages(
        self, everywhere: bool = False
    ) -> list[tuple[str, str, "DataUseStatementVersion | None"]]:
        """(code, name, the current words in it or None) for each language it
        offers besides English; `everywhere` adds those it has words in but
        no longer offers."""
        from peerspace import i18n

        translations = self.data_use_translations()
        return [
            (code, name, translations.get(code))
            for code, name in i18n.languages_with_catalogue()
            if code != MAIN_LANGUAGE
            and (code in self.languages or (everywhere and code in translations))
        ]

    def data_use_translations(self) -> dict[str, "DataUseStatementVersion"]:
        """The current version's translations, by language."""
        return {
            v.language: v
            for v in self.data_use_versions.filter(
                version=self.data_use_version
            ).exclude(language=MAIN_LANGUAGE)
        }


class DataUseStatementVersion(models.Model):
    """Every version of an organisation's privacy notice, so we can show the
    words a woman agreed to even after they've changed."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="data_use_versions"
    )
    version = models.PositiveIntegerField()
    # MAIN_LANGUAGE for the organisation's own words, or the language of a
    # translation of that version.
    language = models.CharField(max_length=15, default=MAIN_LANGUAGE)
    text = models.TextField()
    in_use_from = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["organisation", "-version", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version", "language"],
                name="one_text_per_version_and_language",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.organisation} privacy notice version {self.version} "
            f"({self.language})"
        )

    @property
    def language_name(self) -> str:
        from peerspace import i18n

        return i18n.language_name(self.language)


class Site(models.Model):
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="sites")
    name = models.CharField(_("Name"), max_length=100)
    address = models.TextField(_("Address"), blank=True)
    is_active = models.BooleanField(default=True)
    # Goes up by one, in the same transaction, with every write that changes
    # who's here at the site (see attendance's Visit and PendingArrival): the
    # door's refresh answers 304 Not Modified while it stays the same.
    door_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="site_name_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def door_changed(cls, **where) -> None:
        """Note that who's here changed at the sites matching `where`."""
        cls.objects.filter(**where).update(door_version=F("door_version") + 1)


class Membership(models.Model):
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"
    SAFEGUARDING = "safeguarding"
    KIOSK = "kiosk"
    ROLES = [
        (FACILITATOR, _("Facilitator")),
        (COORDINATOR, _("Coordinator")),
        (SAFEGUARDING, _("Safeguarding member")),
        (KIOSK, _("Kiosk tablet")),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=ROLES)
    # A kiosk tablet lives at one site.
    site = models.ForeignKey(Site, models.CASCADE, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="kiosk") | models.Q(site__isnull=False),
                name="kiosk_has_site",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class Profile(models.Model):
    """What someone on the team chooses for herself."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile"
    )
    # A code from settings.LANGUAGES for her pages; blank follows her browser.
    language = models.CharField(max_length=15, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @classmethod
    def language_of(cls, user) -> str:
        return (
            cls.objects.filter(user=user).values_list("language", flat=True).first()
            or ""
        )


class PartnershipQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(status=Partnership.ACCEPTED)

    def live(self):
        """Asked and not yet answered, or accepted: at most one per pair."""
        return self.filter(status__in=Partnership.LIVE)

    def involving(self, *organisation_ids: int):
        return self.filter(
            Q(organisation_id__in=organisation_ids) | Q(partner_id__in=organisation_ids)
        )

    def between(self, a: int, b: int):
        return self.filter(
            Q(organisation_id=a, partner_id=b) | Q(organisation_id=b, partner_id=a)
        )

    def accepted_pairs(self, organisation_ids) -> dict[frozenset[int], dt.datetime]:
        """Every accepted pair with one of these groups in it, and when it was
        accepted, in one query."""
        ids = list(organisation_ids)
        return {
            frozenset((a, b)): accepted_at
            for a, b, accepted_at in self.accepted()
            .involving(*ids)
            .values_list("organisation_id", "partner_id", "answered_at")
        }

    def propose(
        self, organisation: Organisation, by, *, code: str = "", name: str = ""
    ) -> "tuple[Partnership | None, str]":
        """Ask another group to be partners, by its partnership code or its name.

        Returns the partnership asked for (or already there) and what to tell
        her. Asked by name, the answer is the same whether or not a group of
        that name is here (its name then stays as she typed it), so no one can
        learn which groups use Peerspace by guessing their names. A code is a
        secret its group gave out, so a code that matches nothing says so.
        """
        if code:
            partner = Organisation.objects.filter(
                partnership_code=clean_partnership_code(code)
            ).first()
            if partner is None:
                return None, "No group has that code. Please check it with them."
            if partner == organisation:
                return None, "That's our own group's code."
            asked_for = partner.name
        else:
            asked_for = " ".join(name.split())
            wanted = fold(asked_for)
            same_name = [
                o
                for o in Organisation.objects.exclude(pk=organisation.pk).only("name")
                if fold(o.name) == wanted
            ]
            # Two groups with one name: only a code can say which is meant.
            partner = same_name[0] if len(same_name) == 1 else None
            if partner is None and any(
                fold(p.asked_for) == wanted
                for p in self.live().filter(organisation=organisation, partner=None)
            ):
                return None, _("We've already asked %(name)s.") % {"name": asked_for}
        if partner is not None:
            existing = self.live().between(organisation.pk, partner.pk).first()
            if existing is not None:
                return existing, existing.already_message(organisation)
        try:
            with transaction.atomic():
                partnership = self.create(
                    organisation=organisation,
                    partner=partner,
                    asked_for=asked_for,
                    proposed_by=by,
                )
        except IntegrityError:  # They asked us at the same moment.
            existing = self.live().between(organisation.pk, partner.pk).first()
            return existing, existing.already_message(organisation)
        return partnership, (
            _(
                "We've asked %(name)s. Once one of their safeguarding members "
                "says yes, you can hold joint reflection sessions."
            )
            % {"name": asked_for}
        )


class Partnership(models.Model):
    """Two groups that hold joint reflection sessions: one asks, the other
    says yes (or no), and either can end it.

    Only an accepted partnership lets a group be invited to the other's
    sessions; ending it stops all sharing between them from then on, while
    each group keeps its own records.
    """

    PROPOSED, ACCEPTED, DECLINED, ENDED = "proposed", "accepted", "declined", "ended"
    STATUSES = [
        (PROPOSED, _("Waiting for an answer")),
        (ACCEPTED, _("Partners")),
        (DECLINED, _("They said no")),
        (ENDED, _("Ended")),
    ]
    LIVE = (PROPOSED, ACCEPTED)

    # The group that asked.
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="partnerships_asked"
    )
    # The group asked: empty when no group (or more than one) has the name typed.
    partner = models.ForeignKey(
        Organisation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="partnerships_received",
    )
    # The name as the asking group knows it: typed, or the name a code found.
    asked_for = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=STATUSES, default=PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_by_organisation = models.ForeignKey(
        Organisation, models.CASCADE, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                Least("organisation", "partner"),
                Greatest("organisation", "partner"),
                condition=Q(status__in=["proposed", "accepted"], partner__isnull=False),
                name="one_live_partnership_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(organisation=models.F("partner")),
                name="partnership_not_with_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} and {self.asked_for}: {self.status}"

    @property
    def is_accepted(self) -> bool:
        return self.status == self.ACCEPTED

    @property
    def is_proposed(self) -> bool:
        return self.status == self.PROPOSED

    def other(self, organisation: Organisation) -> "Organisation | None":
        """The other group in it, seen from this one."""
        return (
            self.partner
            if organisation.pk == self.organisation_id
            else self.organisation
        )

    def name_for(self, organisation: Organisation) -> str:
        """The other group's name as this one may know it: the group that
        asked sees the name it typed until the other group has said yes."""
        if organisation.pk == self.organisation_id:
            if self.status == self.ACCEPTED or (
                self.status == self.ENDED and self.answered_at
            ):
                return self.partner.name
            return self.asked_for
        return self.organisation.name

    def already_message(self, organisation: Organisation) -> str:
        name = self.name_for(organisation)
        if self.is_accepted:
            return _("We're already partners with %(name)s.") % {"name": name}
        if self.organisation_id == organisation.pk:
            return _("We've already asked %(name)s.") % {"name": name}
        return _("%(name)s has already asked us: you can say yes below.") % {
            "name": name
        }

    def _change(self, from_statuses, by, **changes) -> bool:
        """Change it only if it is still in one of these states, so a second
        tap, or the other group acting at the same moment, changes nothing."""
        with transaction.atomic():
            current = Partnership.objects.select_for_update().get(pk=self.pk)
            if current.status not in from_statuses:
                self.refresh_from_db()
                return False
            for field, value in changes.items():
                setattr(current, field, value)
            current._history_user = by
            current.save()
        self.refresh_from_db()
        return True

    def accept(self, by) -> bool:
        return self._change(
            [self.PROPOSED],
            by,
            status=self.ACCEPTED,
            answered_by=by,
            answered_at=timezone.now(),
        )

    def decline(self, by) -> bool:
        return self._change(
            [self.PROPOSED],
            by,
            status=self.DECLINED,
            answered_by=by,
            answered_at=timezone.now(),
        )

    def end(self, by, organisation: Organisation) -> bool:
        """Either group ends it (the group that asked can take the question
        back the same way): no more joint sessions, nothing more shared."""
        return self._change(
            self.LIVE,
            by,
            status=self.ENDED,
            ended_by=by,
            ended_by_organisation=organisation,
            ended_at=timezone.now(),
        )


class FirstPassword(models.Model):
    """A password someone else chose for her: the coordinator who added her,
    or whoever ran create_organisation. It gets her in once; before anything
    else, two-factor set-up included, she chooses her own, so nobody else ever
    knows the password to her account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="first_password"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"First password for {self.user}"


class Unchangeable(PermissionError):
    """A record that is only ever added to: never changed, never deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise self.model.Unchangeable(self.model.UNCHANGEABLE)

    def delete(self):
        raise self.model.Unchangeable(self.model.UNCHANGEABLE)


class AppendOnlyModel(models.Model):
    """Audit trails: rows are added; the app can't alter or remove them."""

    Unchangeable = Unchangeable
    UNCHANGEABLE = "This record can't be changed or deleted."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.Unchangeable(self.UNCHANGEABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.Unchangeable(self.UNCHANGEABLE)


class AuditEvent(AppendOnlyModel):
    """Who downloaded or exported personal data, and when. Append-only.

    Says what was done and to which record id, never a name, so erasing a person
    leaves nothing identifying here.
    """

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    action = models.CharField(max_length=60)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    UNCHANGEABLE = "Audit events can't be changed or deleted."

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.detail}"

    @classmethod
    def record(
        cls, request, organisation, action: str, detail: str = ""
    ) -> "AuditEvent":
        return cls.objects.create(
            organisation=organisation, user=request.user, action=action, detail=detail
        )


# Two-factor sign-in. django-otp's own TOTP and static-token models keep the
# secret and the recovery codes as plain text, readable by anyone holding a
# backup that isn't encrypted (a pg_dump a host takes, a copied SQLite file):
# with the secret they could make her codes for ever. These keep both encrypted
# with the field-encryption keys, like every other secret here, so a backup of
# the database alone is not enough, and `rotate_key` re-encrypts them too.
# Plain backups stay possible (a pg_dump doesn't go through our code), so the
# secrets had to be made unreadable in the database itself.


def new_totp_secret() -> str:
    return random_hex(20)


class AuthenticatorApp(ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238), its secret encrypted at rest."""

    secret = EncryptedTextField(default=new_totp_secret)  # hex, 20 bytes
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    # Codes a step early or late still work: phone clocks drift.
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last code used: a code works once.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.secret)

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            number = int(token)
        except (TypeError, ValueError):
            number = None
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if number is None or not totp.verify(number, self.tolerance, self.last_t + 1):
            self.throttle_increment()
            return False
        self.last_t = totp.t()
        self.drift = totp.drift
        self.throttle_reset(commit=False)
        self.save()
        return True

    @property
    def config_url(self) -> str:
        """The otpauth:// address an authenticator app reads from a QR code."""
        issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
        label = quote(f"{issuer}:{self.user.get_username()}")
        params = urlencode(
            {
                "secret": base64.b32encode(self.bin_key).decode().rstrip("="),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
                "issuer": issuer,
            },
            quote_via=quote,
        )
        return f"otpauth://totp/{label}?{params}"


class RecoveryCodes(ThrottlingMixin, Device):
    """Codes for when her phone is lost or broken: each works once."""

    HOW_MANY = 10

    class Meta(Device.Meta):
        verbose_name = "recovery codes"
        verbose_name_plural = "recovery codes"

    def get_throttle_factor(self) -> int:
        return 1

    @classmethod
    def replace_for(cls, user) -> list[str]:
        """New codes for her, in place of any she had: shown to her once."""
        cls.objects.filter(user=user).delete()
        device = cls.objects.create(user=user, name="Recovery codes")
        codes = [
            base64.b32encode(os.urandom(5)).decode().lower()
            for _ in range(cls.HOW_MANY)
        ]
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, code=c) for c in codes
        )
        return codes

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        typed = str(token).strip().lower()
        for code in self.codes.all():
            # Deleted by id, so two requests racing with one code can't both win.
            if constant_time_compare(code.code, typed):
                if RecoveryCode.objects.filter(pk=code.pk).delete()[0]:
                    self.throttle_reset()
                    return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, models.CASCADE, related_name="codes")
    code = EncryptedTextField()

    def __str__(self) -> str:
        return f"Recovery code {self.pk}"
