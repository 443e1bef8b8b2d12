"""Set up a new organisation with its sites and first coordinator."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from peerspace.accounts.models import FirstPassword, Membership, Organisation, Site


class Command(BaseCommand):
    help = "Create an organisation, its sites and its first coordinator login."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--site", action="append", required=True, help="Repeat for each site."
        )
        parser.add_argument("--coordinator", required=True, help="Login name")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Asked for if not given.")

    def handle(self, *args, name, site, coordinator, email, password, **options):
        from getpass import getpass

        slug = slugify(name)[:60] or "organisation"
        if Organisation.objects.filter(slug=slug).exists():
            raise CommandError(f"An organisation called {name!r} already exists.")
        if get_user_model().objects.filter(username=coordinator).exists():
            raise CommandError(f"The login {coordinator!r} is taken.")
        password = password or getpass("Password for the coordinator: ")
        try:
            password_validation.validate_password(password)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        with transaction.atomic():
            org = Organisation.objects.create(name=name, slug=slug)
            for site_name in site:
                Site.objects.create(organisation=org, name=site_name)
            user = get_user_model().objects.create_user(
                coordinator, email=email, password=password
            )
            Membership.objects.create(
                user=user, organisation=org, role=Membership.COORDINATOR
            )
            # Whoever ran this (and the shell history) knows it: hers is next.
            FirstPassword.objects.create(user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {name} with {len(site)} site(s). {coordinator} can now log in, "
                "choose their own password, set up two-factor sign-in, and add the team."
            )
        )
