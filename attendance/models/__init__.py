"""Attendance's models, by moment: the people who come (people), the sessions
and the visits they make to them (visits), and arrivals still to be confirmed
(arrivals). Import them from here."""

from .arrivals import (
    OfflineEntry,
    OfflineEntryQuerySet,
    PendingArrival,
    PendingArrivalQuerySet,
)
from .people import (
    AGE_BANDS,
    AGREEMENT_DETAILS,
    CONTACT_DETAILS,
    CONTACT_WISHES,
    HEARD_ABOUT_US,
    KIOSK_WORD_CHECKS,
    PERSON_DETAILS,
    SPREADSHEET_DETAILS,
    EmergencyContact,
    Person,
    PersonQuerySet,
)
from .visits import (
    UNDO_SIGN_OUT_FOR,
    Activity,
    Session,
    SessionQuerySet,
    Visit,
    VisitQuerySet,
)

__all__ = [
    "AGE_BANDS",
    "AGREEMENT_DETAILS",
    "CONTACT_DETAILS",
    "CONTACT_WISHES",
    "HEARD_ABOUT_US",
    "KIOSK_WORD_CHECKS",
    "PERSON_DETAILS",
    "SPREADSHEET_DETAILS",
    "UNDO_SIGN_OUT_FOR",
    "Activity",
    "EmergencyContact",
    "OfflineEntry",
    "OfflineEntryQuerySet",
    "PendingArrival",
    "PendingArrivalQuerySet",
    "Person",
    "PersonQuerySet",
    "Session",
    "SessionQuerySet",
    "Visit",
    "VisitQuerySet",
]
