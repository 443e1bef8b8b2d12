import base64
import os
import time
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from peerspace.fields import EncryptedTextField

DEFAULT_DATA_USE_STATEMENT = (
    "We keep what you tell us so we can welcome you, keep everyone safe in the "
    "building and contact someone for you in an emergency. Only our team can see "
    "it. We never share it without asking you, unless someone is at risk of "
    "serious harm. Our funders only ever see numbers, never names. You can ask to "
    "see what we hold, change it or have it removed at any time."
)


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    data_use_statement = models.TextField(default=DEFAULT_DATA_USE_STATEMENT)
    data_use_version = models.PositiveIntegerField(default=1)
    data_use_updated = models.DateField(default=timezone.localdate)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def update_data_use_statement(self, text: str) -> bool:
        """A new version when the words change; every earlier one is kept.

        Returns False (and changes nothing) if the text is the same.
        """
        text = text.replace("\r\n", "\n").strip()
        with transaction.atomic():
            # Two coordinators saving at once make two versions, not one clash.
            current = Organisation.objects.select_for_update().get(pk=self.pk)
            for field in ("data_use_statement", "data_use_version", "data_use_updated"):
                setattr(self, field, getattr(current, field))
            if text == self.data_use_statement.replace("\r\n", "\n").strip():
                return False
            self._new_data_use_version(text)
        return True

    def _new_data_use_version(self, text: str) -> None:
        # Organisations made before versions were kept have no row for theirs.
        DataUseStatementVersion.objects.get_or_create(
            organisation=self,
            version=self.data_use_version,
            defaults={
                "text": self.data_use_statement,
                "in_use_from": self.data_use_updated,
            },
        )
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
        self, version: int | None
    ) -> "DataUseStatementVersion | None":
        """The words of one version, e.g. the one she agreed to."""
        if version is None:
            return None
        found = self.data_use_versions.filter(version=version).first()
        if found is None and version == self.data_use_version:
            # Never edited: the current words are that version.
            found = DataUseStatementVersion(
                organisation=self,
                version=version,
                text=self.data_use_statement,
                in_use_from=self.data_use_updated,
            )
        return found


class DataUseStatementVersion(models.Model):
    """Every version of an organisation's privacy notice, so we can show the
    words a woman agreed to even after they've changed."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="data_use_versions"
    )
    version = models.PositiveIntegerField()
    text = models.TextField()
    in_use_from = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["organisation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="one_text_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} privacy notice version {self.version}"


class Site(models.Model):
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="sites")
    name = models.CharField(max_length=100)
    address = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="site_name_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"
    SAFEGUARDING = "safeguarding"
    KIOSK = "kiosk"
    ROLES = [
        (FACILITATOR, "Facilitator"),
        (COORDINATOR, "Coordinator"),
        (SAFEGUARDING, "Safeguarding member"),
        (KIOSK, "Kiosk tablet"),
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
