import datetime as dt

from django.utils import timezone

from peerspace.accounts.models import Partnership
from safeguarding.models import Worry

# Distinctive names, so "never shows her name" can be checked by searching for it.
FULL_NAME = "Zephyrine Quartermaine"
KNOWN_AS = "Zephyrine"


def make_worry(org, raised_by, person=None, days_ago=0, **kwargs):
    kwargs.setdefault("what_worries_us", "She seems worried about the rent.")
    return Worry.objects.create(
        organisation=org,
        person=person,
        raised_by=raised_by,
        raised_at=timezone.now() - dt.timedelta(days=days_ago),
        **kwargs,
    )


def become_partners(asking, asked, asked_by, answered_by) -> Partnership:
    partnership, _ = Partnership.objects.propose(
        asking, asked_by, code=asked.get_partnership_code()
    )
    partnership.accept(by=answered_by)
    return partnership
