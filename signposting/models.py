import datetime as dt
import math
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from attendance.models import Person
from peerspace.accounts.models import Organisation, Site
from peerspace.text import fold

# Fixed ids so the same category or flag has the same HSDS id in every
# Peerspace directory: data moved between two groups keeps its meaning.
HSDS_NAMESPACE = uuid.UUID("8a1f3c52-6a43-4b8e-9d7e-5f0c2b1e7a10")

# Life's circumstances, never diagnoses. Each organisation gets its own copy to edit.
DEFAULT_CATEGORIES = [
    "Mental health and crisis",
    "Domestic abuse",
    "Money and debt",
    "Benefits",
    "Housing",
    "Food",
    "Substances",
    "Physical health",
    "Work and training",
    "Children and family",
    "Bereavement",
    "Legal",
    "Women's groups",
    "Community activities",
]

# A service not checked for this long is flagged "to check".
STALE_AFTER = dt.timedelta(days=365)


def seeded_category_id(slug: str) -> uuid.UUID:
    return uuid.uuid5(HSDS_NAMESPACE, f"category:{slug}")


class CategoryQuerySet(models.QuerySet):
    def for_user(self, user):
        from peerspace.permissions import org_ids

        return self.filter(organisation_id__in=org_ids(user))

    def seed(self, organisation: Organisation) -> None:
        """Give an organisation the starting list, once."""
        if self.filter(organisation=organisation).exists():
            return
        self.bulk_create(
            [
                Category(
                    organisation=organisation,
                    name=name,
                    slug=slugify(name),
                    order=i,
                    hsds_id=seeded_category_id(slugify(name)),
                )
                for i, name in enumerate(DEFAULT_CATEGORIES)
            ]
        )


class Category(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="service_categories"
    )
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    order = models.PositiveIntegerField(default=0)
    hsds_id = models.UUIDField("HSDS id", default=uuid.uuid4)
    # The taxonomy term it was imported from, as it came.
    hsds_record = models.JSONField(default=dict, blank=True, editable=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="category_slug_unique_in_org"
            ),
            models.UniqueConstraint(
                fields=["organisation", "hsds_id"], name="category_hsds_unique_in_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(models.QuerySet):
    def for_user(self, user):
        from peerspace.permissions import org_ids

        return self.filter(organisation_id__in=org_ids(user))

    def active(self):
        return self.filter(active=True)

    def search(self, q: str):
        """Every word typed must appear in the name, provider, description or
        categories, matched without accents or case (the same on both databases)."""
        qs = self
        for word in fold(q).split()[:6]:
            qs = qs.filter(search_key__contains=word)
        return qs

    def in_category(self, category: "Category"):
        return self.filter(categories=category)

    def stale(self, today: dt.date | None = None):
        """Not checked for a year, or never checked."""
        cutoff = (today or timezone.localdate()) - STALE_AFTER
        return self.filter(Q(last_checked__isnull=True) | Q(last_checked__lt=cutoff))

    def crisis_first(self):
        return self.order_by("-is_emergency", "name", "id")

    def centre_of(self, postcode: str) -> tuple[float, float] | None:
        """Where a postcode is, worked out offline from the services we hold: the
        middle of those at that postcode, or else of those in its district (the
        part before the space)."""
        placed = self.filter(latitude__isnull=False, longitude__isnull=False)
        postcode = " ".join(postcode.upper().split())
        district = postcode.split(" ")[0] if " " in postcode else postcode[:-3]
        for found in (
            placed.filter(postcode__iexact=postcode),
            placed.filter(postcode__istartswith=district + " "),
        ):
            points = list(found.values_list("latitude", "longitude"))
            if points and district:
                return (
                    sum(p[0] for p in points) / len(points),
                    sum(p[1] for p in points) / len(points),
                )
        return None


# What a person fills in about a service: the form, the spreadsheet and the
# Open Referral import all work from this one list.
SERVICE_DETAILS = [
    "name",
    "provider_name",
    "description",
    "who_its_for",
    "how_to_access",
    "self_referral",
    "phone",
    "email",
    "website",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "opening_times",
    "languages",
    "cost",
    "minimum_age",
    "maximum_age",
    "is_emergency",
    "last_checked",
    "active",
]


class Service(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="services"
    )
    name = models.CharField("Name of the service", max_length=200)
    provider_name = models.CharField(
        "Organisation that runs it", max_length=200, blank=True
    )
    # The provider's own HSDS id, kept from an import so a re-export keeps it.
    provider_hsds_id = models.UUIDField(
        "Provider's HSDS id", null=True, blank=True, editable=False
    )
    description = models.TextField("What they do", max_length=4000, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="services")
    who_its_for = models.CharField("Who it is for", max_length=500, blank=True)
    how_to_access = models.TextField("How to get in touch", max_length=2000, blank=True)
    self_referral = models.BooleanField(
        "She can get in touch herself (no referral needed)", default=True
    )
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(max_length=200, blank=True)
    website = models.URLField(max_length=300, blank=True)
    address = models.TextField(max_length=500, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Where it is, for "near a postcode" searches of the read API. Kept from an
    # import, or set by a coordinator.
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="For example 53.5448. From a map: right-click the place.",
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="For example -2.6318.",
    )
    opening_times = models.CharField(max_length=300, blank=True)
    languages = models.CharField(max_length=200, blank=True)
    cost = models.CharField(max_length=200, blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        "From age", null=True, blank=True, validators=[MaxValueValidator(150)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        "Up to age", null=True, blank=True, validators=[MaxValueValidator(150)]
    )
    is_emergency = models.BooleanField(
        "Emergency or crisis service",
        default=False,
        help_text="Crisis services are always shown first and go on the pocket card.",
    )
    last_checked = models.DateField(
        "Details last checked",
        null=True,
        blank=True,
        help_text="When someone last checked these details are still right.",
    )
    hsds_id = models.UUIDField("HSDS id", default=uuid.uuid4)
    active = models.BooleanField("Still running", default=True)
    last_modified = models.DateTimeField(default=timezone.now)
    # Folded name, provider, description and categories, for search as you type.
    search_key = models.TextField(blank=True, editable=False)
    # The whole Open Referral record it was imported from, as it came, and the
    # details we read from it then: a detail that differs from that reading has
    # been edited here, and the export puts the edit into the record.
    hsds_record = models.JSONField(default=dict, blank=True, editable=False)
    hsds_baseline = models.JSONField(default=dict, blank=True, editable=False)
    feed = models.ForeignKey(
        "Feed",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        editable=False,
    )
    # Flagged, never deleted, when it disappears from its feed.
    missing_from_feed = models.DateField(null=True, blank=True, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-is_emergency", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "hsds_id"], name="service_hsds_unique_in_org"
            )
        ]
        indexes = [models.Index(fields=["organisation", "active", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("signposting:service", args=[self.pk])

    def refresh_search_key(self, category_names: list[str] | None = None) -> None:
        """Call after the categories change (they are part of what's searched)."""
        if category_names is None:
            category_names = [c.name for c in self.categories.all()]
        self.search_key = " " + fold(
            " ".join([self.name, self.provider_name, self.description, *category_names])
        )
        Service.objects.filter(pk=self.pk).update(search_key=self.search_key)

    @property
    def is_stale(self) -> bool:
        return (
            self.last_checked is None
            or self.last_checked < timezone.localdate() - STALE_AFTER
        )

    @property
    def tel(self) -> str:
        """The number as a tel: link wants it: digits, and + for +44."""
        return "".join(c for c in self.phone if c in "+0123456789")

    def distance_from(self, latitude: float, longitude: float) -> float | None:
        """Metres along the Earth's surface (haversine), if we know where it is."""
        if self.latitude is None or self.longitude is None:
            return None
        lat1, lat2 = math.radians(latitude), math.radians(self.latitude)
        dlat, dlng = lat2 - lat1, math.radians(self.longitude - longitude)
        a = (
            math.sin(dlat / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
        )
        return 2 * 6_371_000 * math.asin(math.sqrt(min(a, 1.0)))

    def mark_checked(self, on: dt.date | None = None) -> None:
        self.last_checked = on or timezone.localdate()
        self.last_modified = timezone.now()
        self.save(update_fields=["last_checked", "last_modified"])


class SignpostQuerySet(models.QuerySet):
    def for_user(self, user):
        from peerspace.permissions import org_ids

        return self.filter(organisation_id__in=org_ids(user))

    def between(self, start: dt.date, end: dt.date):
        return self.filter(date__gte=start, date__lte=end)

    def counts(self) -> dict:
        """What the funder report shows: times, helped to get in touch, people."""
        return self.aggregate(
            times=models.Count("id"),
            helped=models.Count("id", filter=Q(helped_to_contact=True)),
            people=models.Count("person", distinct=True),
        )

    def counts_by_category(self):
        """(category name, times) for the period, most first; a signpost to two
        services in one category counts once for it."""
        return (
            Category.objects.filter(services__signposts__in=self)
            .values("name")
            .annotate(times=models.Count("services__signposts", distinct=True))
            .order_by("-times", "name")
        )


class Signpost(models.Model):
    """'Gave information about …' — one conversation, one or more services."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="signposts"
    )
    date = models.DateField(default=timezone.localdate)
    site = models.ForeignKey(
        Site, models.SET_NULL, null=True, blank=True, related_name="signposts"
    )
    # Optional: she may not want to be named, and erasure keeps the count.
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="signposts"
    )
    services = models.ManyToManyField(Service, related_name="signposts")
    helped_to_contact = models.BooleanField("We helped her get in touch", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    # One per form shown, so a double-tapped Save records one signpost.
    request_token = models.UUIDField(null=True, blank=True, unique=True)

    objects = SignpostQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organisation", "date"])]

    def __str__(self) -> str:
        return f"Signposting on {self.date:%-d %b %Y}"


class DirectorySettings(models.Model):
    """What an organisation publishes. Both off until a coordinator turns them on."""

    organisation = models.OneToOneField(
        Organisation, models.CASCADE, related_name="directory_settings"
    )
    public_page = models.BooleanField(
        "Show a public directory page",
        default=False,
        help_text=(
            "A read-only page anyone can open without logging in, for the QR "
            "code on the wall. No cookies, no tracking."
        ),
    )
    open_api = models.BooleanField(
        "Publish the directory as Open Referral UK data",
        default=False,
        help_text="So other directories and apps can use your list of services.",
    )

    class Meta:
        verbose_name_plural = "directory settings"

    def __str__(self) -> str:
        return f"Directory settings for {self.organisation}"

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> "DirectorySettings":
        return cls.objects.get_or_create(organisation=organisation)[0]


class PendingImport(models.Model):
    """An uploaded file between its preview and "Import these"."""

    HSDS = "hsds"
    TABLE = "table"
    FEED = "feed"  # what a feed's daily check found, waiting for a coordinator

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    # Nobody for what a feed's daily check found.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, default=HSDS)
    filename = models.CharField(max_length=200)
    data = models.BinaryField()
    created = models.DateTimeField(default=timezone.now)
    feed = models.ForeignKey(
        "Feed", models.CASCADE, null=True, blank=True, related_name="pending"
    )

    def __str__(self) -> str:
        return self.filename

    @classmethod
    def clear_old(cls) -> None:
        cls.objects.exclude(kind=cls.FEED).filter(
            created__lt=timezone.now() - dt.timedelta(hours=6)
        ).delete()


class Feed(models.Model):
    """An Open Referral API a coordinator subscribed to: checked daily, and what
    changed is offered for acceptance."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="service_feeds"
    )
    url = models.URLField("Web address of the directory", max_length=500)
    name = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    last_checked = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name", "url"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "url"], name="feed_url_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.url
