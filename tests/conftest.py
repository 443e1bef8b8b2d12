import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.utils import translation

from attendance.models import Activity, EmergencyContact, Person
from peerspace import i18n
from peerspace.accounts.models import Membership, Organisation, Site
from tests.helpers import SmtpSink


@pytest.fixture(autouse=True, scope="session")
def _translations_compiled():
    """The .mo files, built from the .po files as `make test` builds them, so
    a run of pytest alone sees the current translations."""
    i18n.compile_catalogues()


@pytest.fixture(autouse=True)
def _language_put_back():
    """A request in another language leaves it active in the test's thread,
    where the next test's English (a report period's label) would follow it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _caches_emptied():
    """Each test starts with empty caches: a rolled-back test's site can come
    back with the same id and door version but other people (see
    attendance.views.door._here)."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def midday():
    """Today at noon, with the clock running: for tests of times "an hour
    ago", which would fall on yesterday in the first hour after midnight."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))
    with time_machine.travel(noon, tick=True):
        yield noon


def make_user(username, org, *roles, site=None):
    user = get_user_model().objects.create_user(
        username=username, password="password", first_name=username.title()
    )
    for role in roles:
        Membership.objects.create(
            user=user,
            organisation=org,
            role=role,
            site=site if role == "kiosk" else None,
        )
    return user


@pytest.fixture
def org(db):
    return Organisation.objects.create(name="Mended Together", slug="mended")


@pytest.fixture
def other_org(db):
    return Organisation.objects.create(name="Elsewhere Group", slug="elsewhere")


@pytest.fixture
def site(org):
    return Site.objects.create(organisation=org, name="Wigan")


@pytest.fixture
def site2(org):
    return Site.objects.create(organisation=org, name="Leigh")


@pytest.fixture
def other_site(other_org):
    return Site.objects.create(organisation=other_org, name="Bolton")


@pytest.fixture
def alice(org):
    """A coordinator."""
    return make_user("alice", org, Membership.COORDINATOR)


@pytest.fixture
def bob(org):
    """A facilitator."""
    return make_user("bob", org, Membership.FACILITATOR)


@pytest.fixture
def sally(org):
    """A safeguarding member."""
    return make_user("sally", org, Membership.SAFEGUARDING)


@pytest.fixture
def charlie(other_org):
    """A coordinator and facilitator in another organisation."""
    return make_user(
        "charlie", other_org, Membership.COORDINATOR, Membership.FACILITATOR
    )


@pytest.fixture
def kiosk(org, site):
    return make_user("kiosk", org, Membership.KIOSK, site=site)


@pytest.fixture
def person(org):
    p = Person.objects.create(
        organisation=org,
        known_as="Sam",
        full_name="Samantha O'Brien",
        phone="07700 900123",
        anything_to_know="Prefers a quiet corner",
    )
    EmergencyContact.objects.create(
        person=p, name="Jo", relationship="sister", phone="07700 900999"
    )
    return p


@pytest.fixture
def other_person(other_org):
    return Person.objects.create(organisation=other_org, known_as="Olga")


@pytest.fixture
def activity(org):
    return Activity.objects.create(organisation=org, name="Quilting")


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def smtp_sink(settings):
    """A real mail server on 127.0.0.1, with Django set to send through it.

    Stop it (`smtp_sink.stop()`) to be a mail server that's down.
    """
    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def _pseudo_catalogue(tmp_path_factory):
    return i18n.build_pseudo_catalogue(tmp_path_factory.mktemp("pseudo-locale"))


@pytest.fixture
def pseudo_language(settings, _pseudo_catalogue):
    """The pseudo-language switched on, as it is when developing: returns its
    code, to ask for with Accept-Language or activate."""
    code = settings.PSEUDO_LANGUAGE[0]
    settings.LANGUAGES = [*settings.LANGUAGES, settings.PSEUDO_LANGUAGE]
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, _pseudo_catalogue]
    return code
