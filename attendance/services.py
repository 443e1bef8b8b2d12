"""Actions on a person that write several models at once."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone, translation

from peerspace import crypto
from peerspace.accounts.models import Site
from peerspace.text import sort_key

from .models import (
    CONTACT_DETAILS,
    PERSON_DETAILS,
    EmergencyContact,
    PendingArrival,
    Person,
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
