"""Worries about people, the reflection sessions that talk them through, and who looked.

The most sensitive records in Peerspace. Every free-text field is encrypted at
rest, every model keeps its full history, and nothing is deleted through the app:
a worry is closed with a reason instead. Who may see what lives in the QuerySet
methods below (Worry.objects.for_user) and in views/access.py (one access
helper per object type).
"""

import calendar
import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from attendance.models import Person
from peerspace import crypto
from peerspace.accounts.models import (
    AppendOnlyModel,
    AppendOnlyQuerySet,
    Membership,
    Organisation,
    Partnership,
    Unchangeable,
)
from peerspace.fields import EncryptedTextField
from peerspace.permissions import SAFEGUARDING, TEAM, org_ids

# Life's circumstances, never diagnoses.
CATEGORIES = [
    ("money", _("Money")),
    ("housing", _("Housing")),
    ("safety-at-home", _("Safety at home")),
    ("isolation", _("Isolation")),
    ("bereavement", _("Bereavement")),
    ("relationships", _("Relationships")),
    ("substances", _("Alcohol or drugs")),
    ("health", _("Health")),
    ("children", _("Children")),
    ("other", _("Something else")),
]
CATEGORY_LABELS = dict(CATEGORIES)


def initials_of(name: str) -> str:
    """ "Samantha O'Brien", or "s.o." as typed, -> "S.O.": all a partner group
    ever sees of her name. A word ends at a space or a full stop; at most three."""
    letters = [w[0].upper() for w in re.split(r"[\s.]+", name) if w[:1].isalpha()]
    return "".join(f"{c}." for c in letters[:3])


class NotDeletable(Unchangeable):
    """Safeguarding records are closed with a reason, never deleted."""


class WorryQuerySet(models.QuerySet):
    def for_user(self, user, *, full: bool = False):
        """The worries the user may know exist, or with `full` may read in full.

        A safeguarding member knows and reads all her organisation's worries.
        Anyone else on the team knows only the ones she raised herself, and
        reads none of them in full.
        """
        readable = Q(organisation_id__in=org_ids(user, SAFEGUARDING))
        if full:
            return self.filter(readable)
        return self.filter(
            readable | Q(raised_by=user, organisation_id__in=org_ids(user, *TEAM))
        )

    def active(self):
        return self.exclude(status=Worry.CLOSED)

    def raised_between(self, organisation, start: dt.date, end: dt.date):
        return self.filter(
            organisation=organisation,
            raised_at__date__gte=start,
            raised_at__date__lte=end,
        )

    def category_counts(self) -> dict[str, int]:
        """How many worries involved each circumstance (for funder reports).

        Counted in Python: categories are a short JSON list per worry, and a
        year holds tens of worries, not thousands.
        """
        counts = dict.fromkeys(CATEGORY_LABELS, 0)
        for categories in self.values_list("categories", flat=True):
            for c in set(categories or []):
                if c in counts:
                    counts[c] += 1
        return counts


class Worry(models.Model):
    YES, NO, UNSURE = "yes", "no", "unsure"
    SERIOUS_HARM = [
        (YES, _("Yes, now")),
        (NO, _("No")),
        (UNSURE, _("Not sure")),
    ]
    KNOWS = [
        ("yes", _("Yes, she knows and we have asked what she wants")),
        ("not-yet", _("Not yet: we will talk with her")),
        ("not-safe", _("No: telling her could put her or someone else at risk")),
        ("unsure", _("Not sure")),
    ]
    OPEN, WATCHING, CLOSED = "open", "watching", "closed"
    STATUSES = [
        (OPEN, _("Open")),
        (WATCHING, _("Keeping an eye")),
        (CLOSED, _("Closed")),
    ]

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="worries"
    )
    # A registered person, or someone not registered described by initials.
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="worries"
    )
    about_initials = EncryptedTextField(_("Her initials"), blank=True)
    about_description = EncryptedTextField(
        _("Anything that helps us know who she is"), blank=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    what_worries_us = EncryptedTextField(_("What worries us"))
    whats_going_well = EncryptedTextField(_("What is going well"), blank=True)
    circle_of_support = EncryptedTextField(_("Who is around her"), blank=True)
    her_wishes = EncryptedTextField(_("What she wants to happen"), blank=True)
    does_she_know = models.CharField(
        _("Does she know we are talking about this?"),
        max_length=10,
        choices=KNOWS,
        default="unsure",
    )
    serious_harm = models.CharField(
        _("Could anyone be at risk of serious harm?"),
        max_length=6,
        choices=SERIOUS_HARM,
        default=NO,
    )
    categories = models.JSONField(_("What's going on in her life"), default=list)
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    closed_reason = EncryptedTextField(_("Why it is closed"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    flagged_for_review = models.BooleanField(
        _("Bring to the next session"), default=False
    )

    history = HistoricalRecords()
    objects = WorryQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [models.Index(fields=["organisation", "status", "raised_at"])]

    def __str__(self) -> str:
        return f"Worry {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("safeguarding:worry", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise NotDeletable("Close a worry with a reason; it can't be deleted.")

    @property
    def about(self) -> str:
        """Who it is about, for her own organisation only."""
        if self.person_id:
            return self.person.display_name
        return self.about_initials or _("Someone not registered")

    @property
    def initials(self) -> str:
        """Who it is about, for a partner group: initials and nothing more."""
        if self.person_id:
            name = self.person.full_name or self.person.known_as
        elif isinstance(self.about_initials, crypto.Unreadable):
            return "?"  # not the placeholder's own initials
        else:
            name = self.about_initials
        return initials_of(name) or "?"

    def category_labels(self) -> list[str]:
        return [str(CATEGORY_LABELS.get(c, c)) for c in self.categories]

    @property
    def is_serious(self) -> bool:
        return self.serious_harm == self.YES

    def set_status(self, status: str, reason: str = "") -> None:
        """Open, keep an eye, or close with a reason (history keeps old reasons)."""
        self.status = status
        closing = status == self.CLOSED
        self.closed_reason = reason if closing else ""
        self.closed_at = (self.closed_at or timezone.now()) if closing else None
        self.save()

    def close(self, reason: str) -> None:
        self.set_status(self.CLOSED, reason)

    def for_partner(self) -> dict:
        """What a partner group may see: no name, no record of decisions.

        Partner templates get this dict, never the worry, so a slip in a template
        can't reach her name through worry.person.
        """
        return {
            "pk": self.pk,
            "initials": self.initials,
            "organisation": self.organisation.name,
            "raised_on": self.raised_at.date(),
            "what_worries_us": self.what_worries_us,
            "whats_going_well": self.whats_going_well,
            "circle_of_support": self.circle_of_support,
            "her_wishes": self.her_wishes,
            "does_she_know": self.get_does_she_know_display(),
            "serious_harm": self.get_serious_harm_display(),
            "categories": self.category_labels(),
        }


class SafeguardingSettings(models.Model):
    """An organisation's own safeguarding contacts, shown at once when someone
    may be at risk of serious harm now. Not about any woman: plain text."""

    organisation = models.OneToOneField(
        Organisation, models.CASCADE, related_name="safeguarding_settings"
    )
    contacts = models.TextField(
        _("Our safeguarding contacts"),
        blank=True,
        help_text=_("Names and phone numbers of your safeguarding lead and deputy."),
    )
    local_numbers = models.TextField(
        _("Local numbers"),
        blank=True,
        help_text=(
            _(
                "For example the council's adult social care and children's services "
                "lines, the out-of-hours team and the local domestic abuse service."
            )
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "safeguarding settings"

    def __str__(self) -> str:
        return f"Safeguarding settings for {self.organisation}"

    @classmethod
    def for_organisation(cls, organisation) -> "SafeguardingSettings":
        found = cls.objects.filter(organisation=organisation).first()
        return found or cls(organisation=organisation)


def next_monthly(date: dt.date) -> dt.date:
    """The same weekday of the same week next month (the 2nd Tuesday, say);
    the last such weekday if next month has no fifth one."""
    week = (date.day - 1) // 7
    year, month = (
        (date.year + 1, 1) if date.month == 12 else (date.year, date.month + 1)
    )
    days = calendar.monthcalendar(year, month)
    matching = [w[date.weekday()] for w in days if w[date.weekday()]]
    return dt.date(year, month, matching[min(week, len(matching) - 1)])


def _partners_since(host, organisation, answered_at=None):
    """As a subquery: a session's host and a partner group are partners now
    (and already were at `answered_at`, when the group said yes to it: a yes
    given under a partnership since ended doesn't carry over to a new one)."""
    pair = Partnership.objects.accepted().filter(
        Q(organisation_id=host, partner_id=organisation)
        | Q(organisation_id=organisation, partner_id=host)
    )
    if answered_at is not None:
        pair = pair.filter(answered_at__lte=answered_at)
    return Exists(pair)


def _said_yes(session, host, **organisation):
    """SessionAnswers that let a group into a session: a yes, to a session it
    is invited to, given while partners with the host."""
    return SessionAnswer.objects.filter(
        session=session,
        joining=True,
        **organisation,
        session__partners=models.F("organisation"),
    ).filter(_partners_since(host, OuterRef("organisation"), OuterRef("answered_at")))


class ReflectionSessionQuerySet(models.QuerySet):
    def for_organisations(self, ids):
        """Sessions these groups hosted, or take part in as a partner.

        A partner group takes part only in a session its host invited it to
        and it said yes to, while the two groups are partners. Invited but
        not yet agreed, it sees an invitation and nothing else; once the
        partnership ends it sees nothing of the host's sessions at all.
        """
        ids = list(ids)
        joined = _said_yes(
            OuterRef("pk"), OuterRef(OuterRef("host_id")), organisation_id__in=ids
        )
        return self.filter(Q(host_id__in=ids) | Exists(joined))

    def for_user(self, user):
        """Sessions a safeguarding member's organisation hosted or joined."""
        return self.for_organisations(org_ids(user, SAFEGUARDING))

    def invitations_for(self, ids):
        """Sessions these groups are invited to by a partner and haven't
        joined: the date and the host's name only, until one says yes."""
        ids = list(ids)
        waiting = (
            Organisation.objects.filter(
                pk__in=ids, joined_reflection_sessions=OuterRef("pk")
            )
            .filter(_partners_since(OuterRef(OuterRef("host_id")), OuterRef("pk")))
            .exclude(
                Exists(
                    _said_yes(
                        OuterRef(OuterRef("pk")),
                        OuterRef(OuterRef(OuterRef("host_id"))),
                        organisation=OuterRef("pk"),
                    )
                )
            )
        )
        return self.exclude(host_id__in=ids).filter(Exists(waiting))

    def invitations_for_user(self, user):
        return self.invitations_for(org_ids(user, SAFEGUARDING))

    def held_between(self, organisation, start: dt.date, end: dt.date):
        """Sessions this organisation hosted or joined in a period (funder reports)."""
        return self.for_organisations([organisation.pk]).filter(
            date__gte=start, date__lte=min(end, timezone.localdate())
        )

    def held(self):
        """Sessions whose day has come: a planned one hasn't been held yet."""
        return self.filter(date__lte=timezone.localdate())

    def with_partners(self, limit: int | None = None) -> list["ReflectionSession"]:
        """The sessions (the first `limit`), each knowing its partner groups
        taking part, in a fixed number of queries however many there are."""
        found = self.select_related("host").prefetch_related("partners", "answers")
        sessions = list(found[:limit] if limit else found)
        pairs = Partnership.objects.accepted_pairs({s.host_id for s in sessions})
        for session in sessions:
            session.set_taking_part(pairs)
        return sessions

    def suggested_date(self, organisation) -> dt.date:
        today = timezone.localdate()
        last = self.for_organisations([organisation.pk]).order_by("-date").first()
        if last is None:
            return today + dt.timedelta(days=7)
        date = next_monthly(last.date)
        while date < today:
            date = next_monthly(date)
        return date


class ReflectionSession(models.Model):
    host = models.ForeignKey(
        Organisation, models.CASCADE, related_name="reflection_sessions"
    )
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="joined_reflection_sessions",
        verbose_name=_("Partner groups joining us"),
    )
    date = models.DateField()
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )
    guests = EncryptedTextField(
        _("Guests"), blank=True, help_text=_("Anyone else who joined, and where from.")
    )
    checkin = EncryptedTextField(
        _("How are we doing?"),
        blank=True,
        help_text=(
            _(
                "The group's own wellbeing: how this month has been for us, what we "
                "need. No names."
            )
        ),
    )
    notes = EncryptedTextField(_("Other notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[partners, attendees])
    objects = ReflectionSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        day = formats.date_format(self.date, "j F Y")
        return gettext("Reflection session %(day)s") % {"day": day}

    def get_absolute_url(self) -> str:
        return reverse("safeguarding:session", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise NotDeletable("Reflection sessions are kept.")

    def set_taking_part(self, pairs: dict | None = None) -> None:
        """Work out which invited partner groups take part: they said yes
        while partners with the host, and still are. `pairs`, if already read,
        is Partnership.objects.accepted_pairs() for the host."""
        if pairs is None:
            pairs = Partnership.objects.accepted_pairs([self.host_id])
        self._pairs = pairs
        self._taking_part = [
            o for o in self.partners.all() if self._partners_now(o) and self._joined(o)
        ]

    def _partners_now(self, organisation) -> bool:
        return frozenset((self.host_id, organisation.pk)) in self._pairs

    def _joined(self, organisation) -> bool:
        answer = self.answer_for(organisation)
        return answer is not None and answer.joining and self._answered_since(answer)

    def taking_part(self) -> list[Organisation]:
        """The partner groups in this session, whose members may see it."""
        if not hasattr(self, "_taking_part"):
            self.set_taking_part()
        return self._taking_part

    def organisation_ids(self) -> set[int]:
        return {self.host_id, *(o.pk for o in self.taking_part())}

    @property
    def is_joint(self) -> bool:
        return bool(self.taking_part())

    def invited(self) -> list[dict]:
        """For the host: each partner group invited, and where its answer is."""
        taking_part = self.taking_part()
        rows = []
        for organisation in self.partners.all():
            answer = self.answer_for(organisation)
            if organisation in taking_part:
                state = "joined"
            elif not self._partners_now(organisation):
                state = "not-partners"
            elif (
                answer is not None
                and not answer.joining
                and self._answered_since(answer)
            ):
                state = "declined"
            else:
                state = "waiting"
            rows.append({"organisation": organisation, "state": state})
        return rows

    def _answered_since(self, answer) -> bool:
        """Answered under the partnership there is now, not an earlier one."""
        since = self._pairs.get(frozenset((self.host_id, answer.organisation_id)))
        return since is not None and answer.answered_at >= since

    def answer_for(self, organisation) -> "SessionAnswer | None":
        return next(
            (a for a in self.answers.all() if a.organisation_id == organisation.pk),
            None,
        )

    def shared_worries(self):
        """The worries brought to this session by the groups in it now: a group
        that has left takes its worries out of sight with it."""
        return self.brought.shared().filter(
            worry__organisation_id__in=self.organisation_ids()
        )

    def previous_for(self, organisation) -> "ReflectionSession | None":
        """The last session held before this one: a planned one not yet held
        is never "the last session"."""
        return (
            ReflectionSession.objects.for_organisations([organisation.pk])
            .held()
            .filter(Q(date__lt=self.date) | Q(date=self.date, pk__lt=self.pk))
            .order_by("-date", "-pk")
            .first()
        )

    def agenda_for(self, organisation) -> dict:
        """What one organisation brings to this session, built from its records.

        New worries since its last session, open worries oldest first, actions
        due by the session, and worries flagged for review. A worry appears in
        the first section it fits only.
        """
        worries = Worry.objects.filter(organisation=organisation).select_related(
            "person", "raised_by"
        )
        previous = self.previous_for(organisation)
        new = worries.filter(raised_at__date__lte=self.date)
        if previous:
            new = new.filter(raised_at__date__gt=previous.date)
        new = list(new.order_by("raised_at", "id"))
        seen = {w.pk for w in new}
        still_open = [
            w for w in worries.active().order_by("raised_at", "id") if w.pk not in seen
        ]
        seen |= {w.pk for w in still_open}
        actions = list(
            Action.objects.filter(
                worry__organisation=organisation,
                done_at__isnull=True,
                due__lte=self.date,
            )
            .select_related("worry__person", "assigned_to")
            .order_by("due", "id")
        )
        flagged = [
            w
            for w in worries.filter(flagged_for_review=True).order_by("raised_at")
            if w.pk not in seen
        ]
        return {
            "previous": previous,
            "new": new,
            "open": still_open,
            "actions": actions,
            "flagged": flagged,
        }


class SessionAnswer(models.Model):
    """A partner group's answer to the host's invitation to one session.

    Its members see the session, and its staff names are shared in it, only
    once one of its safeguarding members has said yes.
    """

    session = models.ForeignKey(
        ReflectionSession, models.CASCADE, related_name="answers"
    )
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    joining = models.BooleanField()
    # Empty for sessions held together before answers were recorded.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organisation"], name="one_answer_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {'joins' if self.joining else 'not joining'} {self.session}"

    def delete(self, *args, **kwargs):
        raise NotDeletable("Change the answer instead.")

    @classmethod
    def give(cls, session, organisation, *, joining: bool, by) -> "SessionAnswer":
        answer, _created = cls.objects.update_or_create(
            session=session,
            organisation=organisation,
            defaults={
                "joining": joining,
                "answered_by": by,
                "answered_at": timezone.now(),
            },
        )
        return answer


class SessionWorryQuerySet(models.QuerySet):
    def shared(self):
        return self.filter(withdrawn_at__isnull=True)


class SessionWorry(models.Model):
    """A worry its own organisation chose to bring to a joint session.

    Partner members see only these, and only by initials.
    """

    session = models.ForeignKey(
        ReflectionSession, models.CASCADE, related_name="brought"
    )
    worry = models.ForeignKey(Worry, models.PROTECT, related_name="brought_to")
    brought_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+"
    )
    brought_at = models.DateTimeField(default=timezone.now)
    # Taking a worry back out of a joint session keeps the row (and its history).
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = SessionWorryQuerySet.as_manager()

    class Meta:
        ordering = ["brought_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "worry"], name="bring_a_worry_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.worry} at {self.session}"

    def delete(self, *args, **kwargs):
        raise NotDeletable("Withdraw a worry from a session instead.")


class WorryReviewQuerySet(models.QuerySet):
    def for_organisation_between(self, organisation, start: dt.date, end: dt.date):
        return self.filter(
            worry__organisation=organisation,
            session__date__gte=start,
            session__date__lte=end,
        )

    def summary(self) -> dict:
        """Counts only, for funder reports: reviews, worries, referrals by kind."""
        totals = self.aggregate(
            reviews=Count("id"),
            worries=Count("worry", distinct=True),
            referrals=Count("id", filter=Q(decision=WorryReview.REFERRAL)),
        )
        totals["referrals_by_kind"] = self.referrals_by_kind()
        return totals

    def referrals_by_kind(self) -> dict[str, int]:
        rows = (
            self.filter(decision=WorryReview.REFERRAL)
            .values_list("referral_to")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {kind: n for kind, n in rows}


class WorryReview(models.Model):
    NO_FURTHER_ACTION = "nfa"
    KEEP_IN_TOUCH = "keep-in-touch"
    OFFER_SUPPORT = "offer-support"
    SIGNPOST = "signpost"
    REFERRAL = "referral"
    DECISIONS = [
        (NO_FURTHER_ACTION, _("No further action")),
        (KEEP_IN_TOUCH, _("Keep in touch")),
        (OFFER_SUPPORT, _("Offer support")),
        (SIGNPOST, _("Signpost")),
        (REFERRAL, _("Formal referral")),
    ]
    REFERRAL_TO = [
        ("adult-social-care", _("Adult social care")),
        ("childrens-services", _("Children's services")),
        ("police", _("Police")),
        ("domestic-abuse", _("Domestic abuse service")),
        ("gp", _("GP")),
        ("other", _("Other")),
    ]

    session = models.ForeignKey(
        ReflectionSession, models.PROTECT, related_name="reviews"
    )
    worry = models.ForeignKey(Worry, models.PROTECT, related_name="reviews")
    notes = EncryptedTextField(_("What we talked about"), blank=True)
    decision = models.CharField(max_length=16, choices=DECISIONS, blank=True)
    referral_to = models.CharField(
        _("Referred to"), max_length=20, choices=REFERRAL_TO, blank=True
    )
    referral_to_other = EncryptedTextField(_("Referred to (other)"), blank=True)
    referral_date = models.DateField(_("Date of referral"), null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Referred by"),
    )
    reference = EncryptedTextField(_("Their reference number"), blank=True)
    status_after = models.CharField(
        _("Where we are now"), max_length=10, choices=Worry.STATUSES, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = WorryReviewQuerySet.as_manager()

    class Meta:
        ordering = ["session__date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "worry"], name="one_review_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.worry} at {self.session}"

    def delete(self, *args, **kwargs):
        raise NotDeletable("Reviews are kept.")

    @property
    def is_referral(self) -> bool:
        return self.decision == self.REFERRAL

    def referral_label(self) -> str:
        if self.referral_to == "other" and self.referral_to_other:
            return self.referral_to_other
        return self.get_referral_to_display()


class Action(models.Model):
    worry = models.ForeignKey(Worry, models.PROTECT, related_name="actions")
    review = models.ForeignKey(
        WorryReview, models.PROTECT, null=True, blank=True, related_name="actions"
    )
    what = EncryptedTextField(_("What"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Who"),
    )
    who_else = EncryptedTextField(
        _("Or someone else"),
        blank=True,
        help_text=_("For example a guest or a partner."),
    )
    due = models.DateField(_("By when"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    def delete(self, *args, **kwargs):
        raise NotDeletable("Actions are kept: mark them done instead.")

    @property
    def who(self) -> str:
        if self.assigned_to_id:
            return self.assigned_to.get_full_name() or self.assigned_to.get_username()
        return self.who_else

    def is_overdue(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.done_at is None and self.due is not None and self.due < on

    def toggle_done(self) -> None:
        self.done_at = None if self.done_at else timezone.now()
        self.save(update_fields=["done_at"])


class AccessLogQuerySet(AppendOnlyQuerySet):
    def record(
        self, user, what, *, organisation=None, worries=(), person=None, session=None
    ):
        """One row per worry seen, so "who looked at this worry" is complete.

        Each row belongs to the organisation that owns what was seen, so a
        partner's look at a shared worry shows in the owner's log.
        """
        rows = [
            AccessLog(
                user=user,
                organisation_id=w.organisation_id,
                what=what,
                worry=w,
                person_id=w.person_id,
                session=session,
            )
            for w in worries
        ]
        if not rows:
            rows = [
                AccessLog(
                    user=user,
                    organisation=organisation,
                    what=what,
                    person=person,
                    session=session,
                )
            ]
        self.bulk_create(rows)


class AccessLog(AppendOnlyModel):
    """Who looked at which safeguarding record, when. Append-only."""

    WORRY = "worry"
    CHRONOLOGY = "chronology"
    SESSION = "session"
    REVIEW = "review"
    MINUTES = "minutes"
    WHAT = [
        (WORRY, _("Opened a worry")),
        (CHRONOLOGY, _("Opened a chronology")),
        (SESSION, _("Opened a session's agenda")),
        (REVIEW, _("Opened a worry in a session")),
        (MINUTES, _("Downloaded minutes")),
    ]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    # The organisation that owns what was seen: its safeguarding members read this.
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    what = models.CharField(max_length=12, choices=WHAT)
    worry = models.ForeignKey(
        Worry, models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        ReflectionSession, models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    Unchangeable = NotDeletable
    UNCHANGEABLE = "The access log can't be changed."

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.what} {self.at:%Y-%m-%d %H:%M}"


def safeguarding_members(organisation):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role=Membership.SAFEGUARDING,
        )
        .distinct()
    )


class UrgentAlertQuerySet(models.QuerySet):
    def not_sent(self):
        """Alerts nobody has received or acknowledged: retried, and shown as a
        banner to the organisation's safeguarding members until one is."""
        return self.filter(status=UrgentAlert.NOT_SENT)

    def for_safeguarding(self, user):
        return self.filter(worry__organisation_id__in=org_ids(user, SAFEGUARDING))


class UrgentAlert(models.Model):
    """The email that tells the safeguarding members someone may be at risk of
    serious harm now, and whether it reached them.

    Made before anything is sent and marked sent only when the mail server has
    accepted every message, so a crash or a dead mail server leaves it "not
    sent": retried by `send_urgent_alerts`, and shown until a safeguarding
    member acknowledges it. Holds nothing about her: not even in `last_error`.
    """

    NOT_SENT, SENT, ACKNOWLEDGED = "not-sent", "sent", "acknowledged"
    STATUSES = [
        (NOT_SENT, _("Not sent")),
        (SENT, _("Sent")),
        (ACKNOWLEDGED, _("Not sent, but a safeguarding member knows")),
    ]

    worry = models.ForeignKey(Worry, models.PROTECT, related_name="alerts")
    # Where the email points; kept so a retry from cron has no request to ask.
    link = models.URLField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=STATUSES, default=NOT_SENT)
    # At the last try: how many safeguarding members it was for, and how many
    # of those emails the mail server accepted.
    recipients = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = UrgentAlertQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "worry"])]

    def __str__(self) -> str:
        return f"Urgent alert {self.pk} ({self.status})"

    def delete(self, *args, **kwargs):
        raise NotDeletable("Alerts are kept: acknowledge one instead.")

    @property
    def is_sent(self) -> bool:
        return self.status == self.SENT

    def claim_attempt(self) -> bool:
        """Count a try, unless another process (cron, a member's button) is
        already trying this alert: one email per try, not two."""
        now = timezone.now()
        claimed = UrgentAlert.objects.filter(
            pk=self.pk, status=self.NOT_SENT, attempts=self.attempts
        ).update(attempts=models.F("attempts") + 1, last_attempt_at=now)
        if claimed:
            self.attempts += 1
            self.last_attempt_at = now
        return bool(claimed)

    def record_outcome(
        self, *, recipients: int, delivered: int, error: str = ""
    ) -> None:
        self.recipients = recipients
        self.delivered = delivered
        self.last_error = error[:200]
        if not error:
            self.status = self.SENT
            self.sent_at = timezone.now()
        self.save()

    def acknowledge(self, by) -> bool:
        """A safeguarding member knows about the worry: stop retrying and take
        the banner down. Only an alert that wasn't sent needs this."""
        if self.status != self.NOT_SENT:
            return False
        self.status = self.ACKNOWLEDGED
        self.acknowledged_by = by
        self.acknowledged_at = timezone.now()
        self.save()
        return True
