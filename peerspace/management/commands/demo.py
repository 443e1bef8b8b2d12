"""A believable fictional organisation to try Peerspace with, and to benchmark it.

Idempotent: running it again resets the demo logins' passwords and leaves the
data alone, whatever was typed into it since. `--scale N` multiplies people and
visits (10 gives about 1,500 people and 50,000 visits).

It never touches a database that holds an organisation of its own (one made
with create_organisation): demo logins with a published password and a
fictional organisation have no place there. `--unless-own-data`, which
`make run` uses, then leaves quietly instead of failing.
"""

import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import attendance.demo
import peerspace.reports.demo
import safeguarding.demo
import signposting.demo
from peerspace.accounts.models import Membership, Organisation, Site

DEFAULT_PASSWORD = "peerspace-demo"
ORG_SLUG = "mended-together"
DEMO_SLUGS = {ORG_SLUG, safeguarding.demo.PARTNER_SLUG}
LOGINS = [
    ("coordinator", "Chris", "Coordinator", [Membership.COORDINATOR]),
    ("facilitator", "Fran", "Facilitator", [Membership.FACILITATOR]),
    (
        "safeguarding",
        "Sally",
        "Safeguarding",
        [Membership.SAFEGUARDING, Membership.FACILITATOR],
    ),
]


class Command(BaseCommand):
    help = "Create a fictional organisation with a year of data, and demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--unless-own-data",
            action="store_true",
            help="If the database holds an organisation of its own, say so and "
            "stop without failing (make run).",
        )

    def handle(self, *args, scale, password, seed, unless_own_data, **options):
        own = list(
            Organisation.objects.exclude(slug__in=DEMO_SLUGS)
            .order_by("name")
            .values_list("name", flat=True)
        )
        if own:
            message = (
                f"This database holds {', '.join(own)}, so the demo was not "
                "loaded and nothing was changed. To try the demo, use another "
                "database: SQLITE_PATH=demo.sqlite3 make run"
            )
            if unless_own_data:
                self.stdout.write(message)
                return
            raise CommandError(message)
        rng = random.Random(seed)
        with transaction.atomic():
            org, created = Organisation.objects.get_or_create(
                slug=ORG_SLUG, defaults={"name": "Mended Together Women's Workshop"}
            )
            sites = [
                Site.objects.get_or_create(
                    organisation=org,
                    name=name,
                    defaults={"address": f"The Workshop, {name}"},
                )[0]
                for name, *_ in attendance.demo.SITES
            ]
            users = self.make_logins(org, sites, password)
            if created or not org.people.exists():
                attendance.demo.make_demo(org, sites, rng, scale)
                signposting.demo.make_demo(org, rng, scale)
            # Each does nothing if its part is already there.
            safeguarding.demo.make_demo(
                org,
                None,
                list(org.people.order_by("id")),
                [users[u] for u in ("coordinator", "facilitator", "safeguarding")],
                rng,
                password=password,
            )
            peerspace.reports.demo.make_demo(org, sites, rng)
        self.print_logins(password)

    def make_logins(self, org, sites, password) -> dict:
        User = get_user_model()
        users = {}
        for username, first, last, roles in LOGINS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(password)
            user.save()
            for role in roles:
                Membership.objects.get_or_create(user=user, organisation=org, role=role)
            users[username] = user
        kiosk, _ = User.objects.get_or_create(
            username="kiosk", defaults={"first_name": "Kiosk", "last_name": "Wigan"}
        )
        kiosk.set_password(password)
        kiosk.save()
        Membership.objects.get_or_create(
            user=kiosk,
            organisation=org,
            role=Membership.KIOSK,
            defaults={"site": sites[0]},
        )
        users["kiosk"] = kiosk
        return users

    def print_logins(self, password):
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins (password: {password}):")
            + "\n  coordinator   sees everything, runs reports"
            + "\n  facilitator   signs people in at the door"
            + "\n  safeguarding  safeguarding member (and facilitator)"
            + "\n  kiosk         the tablet at the Wigan door"
            + "\n  partner       a safeguarding member of the partner community group"
        )
