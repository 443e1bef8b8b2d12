import datetime as dt

import pytest
from django.utils import timezone

from attendance.models import Person
from peerspace.accounts.models import Membership, Organisation
from safeguarding.models import (
    Action,
    ReflectionSession,
    SessionAnswer,
    SessionWorry,
)
from tests.conftest import make_user
from tests.safeguarding.safeguarding_helpers import (
    FULL_NAME,
    KNOWN_AS,
    become_partners,
    make_worry,
)


@pytest.fixture
def sally(org):
    user = make_user("sally", org, Membership.SAFEGUARDING)
    user.email = "sally@example.org"
    user.save()
    return user


@pytest.fixture
def fran(org):
    """A facilitator who didn't raise the worry."""
    return make_user("fran", org, Membership.FACILITATOR)


@pytest.fixture
def partner_org(db):
    return Organisation.objects.create(
        name="Pemberton Community Corner", slug="pemberton"
    )


@pytest.fixture
def pat(partner_org):
    """A safeguarding member of the partner group."""
    return make_user("pat", partner_org, Membership.SAFEGUARDING)


@pytest.fixture
def ursula(other_org):
    """A safeguarding member of an unrelated organisation."""
    return make_user("ursula", other_org, Membership.SAFEGUARDING)


@pytest.fixture
def her(org):
    return Person.objects.create(
        organisation=org, known_as=KNOWN_AS, full_name=FULL_NAME
    )


@pytest.fixture
def worry(org, bob, her):
    """Raised by bob about her, and brought to the joint session."""
    return make_worry(
        org,
        bob,
        her,
        days_ago=10,
        what_worries_us="Her landlord has been turning up unannounced.",
        whats_going_well="She has come every week and leads the quilting.",
        circle_of_support="Her sister nearby.",
        her_wishes="To stay in her flat.",
        categories=["housing", "safety-at-home"],
    )


@pytest.fixture
def unshared(org, sally):
    return make_worry(
        org,
        sally,
        about_initials="R.T.",
        what_worries_us="An unshared worry about money troubles.",
        days_ago=5,
    )


@pytest.fixture
def partnership(org, partner_org, sally, pat):
    """The host and the partner group: sally asked, pat said yes."""
    return become_partners(org, partner_org, sally, pat)


@pytest.fixture
def joint(org, partner_org, sally, pat, worry, partnership):
    """Today's joint session, hosted by org, that the partner group agreed to."""
    session = ReflectionSession.objects.create(
        host=org, date=timezone.localdate(), created_by=sally
    )
    session.partners.add(partner_org)
    SessionAnswer.give(session, partner_org, joining=True, by=pat)
    session.attendees.add(sally, pat)
    SessionWorry.objects.create(session=session, worry=worry, brought_by=sally)
    return session


@pytest.fixture
def action(worry):
    return Action.objects.create(
        worry=worry,
        what="Ask her if she'd like the housing advice number.",
        who_else="Jo",
        due=timezone.localdate() - dt.timedelta(days=1),
    )
