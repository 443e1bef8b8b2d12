"""Set the scene in the scratch database and print, as JSON, the ids to use.

Run by run.py with the benchmark's environment, before gunicorn starts:
    python benchmarks/prepare.py --present 200

Today's door at the demo's first site is cleared, then `--present` people are
signed in, so the who's-here page shows exactly that many whatever day the
cached database was built.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerspace.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from attendance.models import Person, Session, Visit  # noqa: E402
from peerspace.accounts.models import Organisation  # noqa: E402
from peerspace.management.commands.demo import ORG_SLUG  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--present", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    org = Organisation.objects.get(slug=ORG_SLUG)
    site = org.sites.order_by("id").first()
    facilitator = get_user_model().objects.get(username="facilitator")
    people = list(Person.objects.filter(organisation=org).values_list("id", flat=True))
    random.Random(args.seed).shuffle(people)
    present, others = people[: args.present], people[args.present :]

    now = timezone.now()
    with transaction.atomic():
        Visit.objects.filter(
            session__site=site, session__date=timezone.localdate()
        ).delete()
        session = Session.objects.today(site)
        by_id = Person.objects.in_bulk(present)
        for i, pk in enumerate(present):
            # Arrivals spread over the last two hours, earliest first.
            at = now - dt.timedelta(seconds=7200 * (len(present) - i) / len(present))
            Visit.objects.sign_in(by_id[pk], session, by=facilitator, at=at)

    json.dump(
        {
            "site": site.pk,
            "site_name": site.name,
            "present": present,
            "others": others,
            "people": len(people),
            "visits": Visit.objects.count(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
