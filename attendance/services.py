"""Actions on a person that write several models at once."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerspace import crypto
from peerspace.accounts.models import Site
from peerspace.text import sort_key

from .models import (
    CONTACT_DETAILS,
    PERSON_DETAILS,
    EmergencyContact,
    OfflineEntry,
    PendingArrival,
    Person,
    Session,
    Visit,
)

# Sent inside the erasing transaction so other apps (safeguarding) can scrub
# what they hold about her too. Receivers get `person`.
person_erased = Signal()

ERASED_NAME = "Erased"


@transaction.atomic
def erase_person(person: Person) -> None:
    """Remove everything that identifies her, keeping her visits as counts.

    The row stays (as "Erased", with only the age band and postcode district a
    funder report counts), so every past report gives the same figures. Her
    emergency contacts and all history of both are deleted.
    """
    # Delete the contacts first: deleting writes a history row, removed next.
    person.emergency_contacts.all().delete()
    EmergencyContact.history.filter(person_id=person.pk).delete()
    Person.history.filter(id=person.pk).delete()
    PendingArrival.objects.filter(
        Q(person=person)
        | Q(site__organisation=person.organisation, name_typed__iexact=person.known_as)
    ).delete()
    # A name typed at the door while offline, still waiting to be matched:
    # kept as "removed" (its id must stay, so the device can't send it again).
    OfflineEntry.objects.filter(
        site__organisation=person.organisation,
        outcome=OfflineEntry.TO_MATCH,
        name_typed__iexact=person.known_as,
    ).update(name_typed="", outcome=OfflineEntry.REMOVED)
    # Every detail back to its empty value, but what a funder report counts.
    erased = {d: Person._meta.get_field(d).get_default() for d in PERSON_DETAILS}
    erased.update(
        known_as=ERASED_NAME,
        age_band=person.age_band,
        postcode=person.postcode.split(" ")[0] if person.postcode else "",
    )
    Person.objects.filter(pk=person.pk).update(
        **erased,
        registration_token=None,
        search_key="",
        sort_key=sort_key(ERASED_NAME),
        kiosk_word="",
        form_complete=True,
        erased_at=timezone.now(),
    )
    # Her name may be on a door's list, or typed at a kiosk.
    Site.door_changed(organisation_id=person.organisation_id)
    person.refresh_from_db()
    person_erased.send(sender=Person, person=person)


# Other apps add their sections to a subject access export through this;
# receivers get `person` and `include_sensitive` and return (title, data) or None.
subject_access_sections = Signal()

# Her details, and when she agreed to how we use them and first came.
PERSON_FIELDS = [
    *PERSON_DETAILS,
    "data_use_agreed_at",
    "data_use_version",
    "data_use_language",
    "created",
]


# What subject_access() holds before other apps add their sections.
CORE_SECTIONS = {
    "organisation",
    "generated",
    "language",
    "person",
    "data_use_statement_current",
    "data_use_statement_current_language",
    "data_use_statement_agreed",
    "emergency_contacts",
    "visits",
    "history",
    "emergency_contact_history",
}


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _agreed_statement(person: Person) -> dict | None:
    """The words she agreed to, as they were then, in the language she read."""
    found = person.agreed_statement()
    if found is None:
        return None
    return {
        "version": found.version,
        "language": found.language,
        "in_use_from": found.in_use_from.isoformat(),
        "text": found.text,
    }


def subject_access(
    person: Person, *, include_sensitive: bool = False, language: str | None = None
) -> dict:
    """Everything held about her, history included, as plain data.

    In her language: how we use her information in it (in English if the
    organisation hasn't written it there), and every word of ours in the
    data, such as how a visit was recorded. The keys stay English: they are
    the names of the fields, for software to read.
    """
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        return _subject_access(person, include_sensitive, language)


def _subject_access(person: Person, include_sensitive: bool, language: str) -> dict:
    history = [
        {
            "when": h.history_date.isoformat(),
            "change": {"+": "created", "~": "changed", "-": "deleted"}[h.history_type],
            "by": h.history_user.get_username() if h.history_user else "",
            "record": {f: _plain(getattr(h, f)) for f in PERSON_FIELDS},
        }
        for h in person.history.select_related("history_user").order_by("history_date")
    ]
    contacts = list(person.emergency_contacts.all())
    contact_history = [
        {
            "when": h.history_date.isoformat(),
            "change": {"+": "created", "~": "changed", "-": "deleted"}[h.history_type],
            **{d: getattr(h, d) for d in CONTACT_DETAILS},
        }
        for h in EmergencyContact.history.filter(person_id=person.pk).order_by(
            "history_date"
        )
    ]
    visits = [
        {
            "date": v.session.date.isoformat(),
            "site": v.session.site.name,
            "arrived": _plain(v.arrived_at),
            "left": _plain(v.left_at),
            "activity": v.activity.name if v.activity else "",
            "helped_out": v.helped_out,
            "how": v.get_method_display(),
        }
        for v in person.visits.select_related("session__site", "activity").order_by(
            "session__date"
        )
    ]
    current = person.organisation.data_use_statement_in(language)
    data = {
        "organisation": person.organisation.name,
        "generated": timezone.now().isoformat(),
        "language": language,
        "person": {f: _plain(getattr(person, f)) for f in PERSON_FIELDS},
        "data_use_statement_current": current.text,
        "data_use_statement_current_language": current.language,
        "data_use_statement_agreed": _agreed_statement(person),
        "emergency_contacts": [
            {d: getattr(c, d) for d in CONTACT_DETAILS} for c in contacts
        ],
        "visits": visits,
        "history": history,
        "emergency_contact_history": contact_history,
    }
    for _receiver, section in subject_access_sections.send(
        sender=Person, person=person, include_sensitive=include_sensitive
    ):
        if section:
            title, content = section
            data[title] = content
    # "Everything we hold" with a placeholder in it would not be everything.
    crypto.require_readable(data)
    return data


# A device's clock a little ahead of the server's is not "the future".
OFFLINE_CLOCK_SLACK = dt.timedelta(minutes=5)


def receive_offline(site, item: dict, *, by) -> tuple[OfflineEntry, str]:
    """One sign-in or sign-out typed at the door while offline, now sent.

    `item` is an OfflineItemForm's cleaned data. Returns its entry and what
    happened, in words for the facilitator. An id already received finds its
    entry and does nothing more, so the device may send its queue again.
    """
    earlier = OfflineEntry.objects.filter(client_id=item["id"]).first()
    if earlier:
        if earlier.site_id != site.pk:
            raise OfflineItemError(_("That item was sent for another site."))
        return earlier, _("Already received.")
    typed_at, note = _offline_time(item["typed_at"])
    entry = OfflineEntry(
        client_id=item["id"],
        site=site,
        kind=item["kind"],
        typed_at=typed_at,
        received_by=by,
    )
    try:
        with transaction.atomic():
            if entry.kind == OfflineEntry.ARRIVED:
                message = _offline_arrival(entry, item["name"], by)
            else:
                message = _offline_departure(entry, item)
            entry.save()
    except IntegrityError:
        # The same id sent twice at once: the other request saved it.
        entry = OfflineEntry.objects.get(client_id=item["id"], site=site)
        return entry, _("Already received.")
    return entry, f"{message} {note}".strip()


class OfflineItemError(Exception):
    """An offline item that can't be received as it is."""


def _offline_time(typed_at: dt.datetime) -> tuple[dt.datetime, str]:
    """The time it was typed, unless the device's clock can't be right."""
    now = timezone.now()
    if typed_at > now + OFFLINE_CLOCK_SLACK:
        return now, _("The device's clock was ahead, so the time it was sent is used.")
    return min(typed_at, now), ""


def _offline_arrival(entry: OfflineEntry, name: str, by) -> str:
    site = entry.site
    if timezone.localdate(entry.typed_at) == timezone.localdate():
        found = (
            Person.objects.filter(organisation_id=site.organisation_id)
            .not_erased()
            .called(name, 2)
        )
        if len(found) == 1:
            person = found[0]
            session = Session.objects.today(site)
            visit, signed_in = Visit.objects.sign_in(
                person, session, by=by, at=entry.typed_at
            )
            entry.visit = visit
            if not signed_in:
                entry.outcome = OfflineEntry.ALREADY_HERE
                return _("%(name)s was already signed in.") % {"name": person.known_as}
            entry.outcome = OfflineEntry.SIGNED_IN
            _close_if_closed(visit, session)
            return _("%(name)s is signed in from %(time)s.") % {
                "name": person.known_as,
                "time": f"{timezone.localtime(entry.typed_at):%H:%M}",
            }
    entry.name_typed = name
    entry.outcome = OfflineEntry.TO_MATCH
    return _(
        "“%(name)s” is waiting on the paper sheet screen for you to say who she is."
    ) % {"name": name}


def _close_if_closed(visit: Visit, session: Session) -> None:
    """Typed before the team signed everyone out at closing: she left then."""
    if session.closes is None or visit.left_at is not None:
        return
    closed = timezone.make_aware(dt.datetime.combine(session.date, session.closes))
    if visit.arrived_at <= closed:
        visit.sign_out(at=closed)


def _offline_departure(entry: OfflineEntry, item: dict) -> str:
    site = entry.site
    visit = None
    if item.get("ref"):
        # Someone signed in offline, then signed out offline.
        arrival = OfflineEntry.objects.filter(
            client_id=item["ref"], site=site, kind=OfflineEntry.ARRIVED
        ).first()
        if arrival and arrival.outcome == OfflineEntry.TO_MATCH:
            arrival.left_at = max(entry.typed_at, arrival.typed_at)
            arrival.save(update_fields=["left_at"])
            entry.outcome = OfflineEntry.SIGNED_OUT
            return _("“%(name)s” left at %(time)s; that waits with her name.") % {
                "name": arrival.name_typed,
                "time": f"{timezone.localtime(arrival.left_at):%H:%M}",
            }
        visit = arrival.visit if arrival else None
    elif item.get("visit"):
        visit = (
            Visit.objects.filter(pk=item["visit"], session__site=site)
            .select_related("person")
            .first()
        )
    if visit is None:
        entry.outcome = OfflineEntry.NOT_FOUND
        return _("That visit isn't here any more: nothing to sign out.")
    entry.visit = visit
    name = visit.person.known_as if visit.person else _("A visitor")
    if visit.left_at is not None:
        entry.outcome = OfflineEntry.NOT_FOUND
        return _("%(name)s was already signed out.") % {"name": name}
    visit.sign_out(at=max(entry.typed_at, visit.arrived_at))
    entry.outcome = OfflineEntry.SIGNED_OUT
    return _("%(name)s is signed out at %(time)s.") % {
        "name": name,
        "time": f"{timezone.localtime(visit.left_at):%H:%M}",
    }


@transaction.atomic
def match_offline(entry: OfflineEntry, person: Person | None, *, by) -> Visit:
    """The team says who a name typed offline was (None: someone new).

    She is signed in at the time it was typed, on that day; an earlier day's
    visit without a leaving time ends when it began, as a paper sheet's do.
    """
    site = entry.site
    if person is None:
        person, _saved = Person.objects.save_once(
            Person(
                organisation=site.organisation,
                known_as=entry.name_typed,
                form_complete=False,
                registration_token=uuid.uuid5(entry.client_id, "person"),
                created_by=by,
            )
        )
    date = timezone.localdate(entry.typed_at)
    if date == timezone.localdate():
        session = Session.objects.today(site)
    else:
        session = Session.objects.on(site, date)
    visit, _signed_in = Visit.objects.sign_in(person, session, by=by, at=entry.typed_at)
    left = entry.left_at or (None if date == timezone.localdate() else visit.arrived_at)
    if left:
        visit.sign_out(at=max(left, visit.arrived_at))
    else:
        _close_if_closed(visit, session)
    entry.visit = visit
    entry.outcome = OfflineEntry.MATCHED
    entry.name_typed = ""
    entry.save(update_fields=["visit", "outcome", "name_typed"])
    return visit


def remove_offline(entry: OfflineEntry) -> None:
    """Not someone to sign in after all: the name typed goes."""
    entry.outcome = OfflineEntry.REMOVED
    entry.name_typed = ""
    entry.save(update_fields=["outcome", "name_typed"])
