"""An urgent worry must reach a person, and the screen must tell the truth.

Sent through a real SMTP server on 127.0.0.1 (aiosmtpd), up or down.
"""

import socket
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.models import UrgentAlert, Worry
from tests.conftest import make_user
from tests.safeguarding.safeguarding_helpers import FULL_NAME, KNOWN_AS, make_worry
from tests.safeguarding.test_safeguarding_worries import RAISE

URGENT = {**RAISE, "serious_harm": "yes"}
BANNER = "An urgent worry hasn't reached anyone by email"
NOT_TOLD = "nobody has been told yet"


def raise_urgent(client, user, person=None, **extra):
    client.force_login(user)
    url = reverse("safeguarding:worry_new")
    if person:
        url += f"?person={person.pk}"
    return client.post(url, {**URGENT, **extra}, follow=True).content.decode()


def page_for(client, user, url=None) -> str:
    client.force_login(user)
    return client.get(url or reverse("attendance:people")).content.decode()


@pytest.fixture
def unsent(client, bob, sally, her, smtp_sink):
    """An urgent worry raised while the mail server was down."""
    smtp_sink.stop()
    raise_urgent(client, bob, her)
    return UrgentAlert.objects.get()


def test_an_urgent_worry_is_emailed_through_a_real_mail_server_naming_no_one(
    client, bob, sally, smtp_sink
):
    description = "Came with her neighbour Philippa from Hindley."
    page = raise_urgent(
        client, bob, about_initials="K M", about_description=description
    )
    assert "We have emailed our safeguarding members (1)" in page
    (mail,) = smtp_sink.received
    assert mail.to == ["sally@example.org"]
    worry = Worry.objects.get()
    assert f"http://testserver/safeguarding/worries/{worry.pk}/" in mail.body
    # Email isn't encrypted: no name, initials or description, not even whose
    # worry it is or who raised it.
    for secret in ("K.M.", "K M", "Philippa", "Hindley", "Bob", "bob", "eaten"):
        assert secret not in mail.body and secret not in mail.subject
    alert = UrgentAlert.objects.get()
    assert (alert.status, alert.recipients, alert.delivered, alert.attempts) == (
        UrgentAlert.SENT,
        1,
        1,
        1,
    )
    assert BANNER not in page_for(client, sally)


def test_with_the_mail_server_down_the_page_says_nobody_was_told_until_a_retry_gets_through(
    client, bob, sally, her, smtp_sink
):
    smtp_sink.stop()
    page = raise_urgent(client, bob, her)
    assert NOT_TOLD in page
    assert "Please phone one of them now" in page
    assert "We have emailed" not in page
    assert "refused the connection" in page
    alert = UrgentAlert.objects.get()
    assert alert.status == UrgentAlert.NOT_SENT
    assert alert.attempts == 1 and alert.delivered == 0
    assert "refused the connection" in alert.last_error

    # Every page tells the safeguarding members, and the worry's page records it.
    assert BANNER in page_for(client, sally)
    detail = page_for(client, sally, alert.worry.get_absolute_url())
    assert "not sent" in detail and "tried 1 time" in detail

    call_command("send_urgent_alerts")  # still down: kept for the next try
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == (UrgentAlert.NOT_SENT, 2)

    smtp_sink.start()
    call_command("send_urgent_alerts")
    (mail,) = smtp_sink.received
    assert mail.to == ["sally@example.org"]
    assert KNOWN_AS not in mail.body and FULL_NAME not in mail.body
    alert.refresh_from_db()
    assert (alert.status, alert.attempts, alert.last_error) == (UrgentAlert.SENT, 3, "")
    assert BANNER not in page_for(client, sally)
    assert "<strong>sent</strong> to 1 member" in page_for(
        client, sally, alert.worry.get_absolute_url()
    )
    # A sent alert is never sent again.
    call_command("send_urgent_alerts")
    assert len(smtp_sink.received) == 1


def test_without_email_set_up_the_page_says_so_and_sends_nothing(
    client, bob, sally, her, mailoutbox
):
    # The test settings' in-memory backend, like the console one in `make run`,
    # tells nobody, so the page mustn't say "emailed".
    page = raise_urgent(client, bob, her)
    assert NOT_TOLD in page
    assert "isn&#x27;t set up to send email" in page
    assert mailoutbox == []
    assert UrgentAlert.objects.get().status == UrgentAlert.NOT_SENT


def test_a_mail_server_that_never_answers_gives_up_after_the_timeout(
    client, bob, sally, her, smtp_sink, settings
):
    smtp_sink.stop()
    settings.EMAIL_TIMEOUT = 1
    with socket.socket() as silent:
        # Listens, but never says hello: a mail server that has hung.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.EMAIL_PORT = silent.getsockname()[1]
        started = time.monotonic()
        page = raise_urgent(client, bob, her)
        assert time.monotonic() - started < 5
    assert NOT_TOLD in page
    assert (
        UrgentAlert.objects.get().last_error == "The mail server didn't answer in time."
    )


def test_it_says_who_was_not_told_when_the_mail_server_refuses_one_address(
    client, bob, sally, org, her, smtp_sink
):
    sam = make_user("sam", org, "safeguarding")
    sam.email = "sam@example.org"
    sam.save()
    smtp_sink.refuse = {"sam@example.org"}
    page = raise_urgent(client, bob, her)
    assert "Only 1 of our 2 safeguarding members got the email" in page
    assert [m.to for m in smtp_sink.received] == [["sally@example.org"]]
    alert = UrgentAlert.objects.get()
    assert (alert.status, alert.delivered, alert.recipients) == (
        UrgentAlert.NOT_SENT,
        1,
        2,
    )
    # The refused address is the mail server's business, not the record's.
    assert "sam@" not in alert.last_error
    assert (
        alert.last_error == "The mail server refused a safeguarding member's address."
    )


def test_no_safeguarding_email_address_means_not_sent(client, bob, org, her, smtp_sink):
    make_user("sam", org, "safeguarding")  # no email address
    page = raise_urgent(client, bob, her)
    assert NOT_TOLD in page
    assert "None of our safeguarding members has an email address" in page
    assert smtp_sink.received == []


def test_acknowledging_an_unsent_alert_takes_the_banner_down_and_stops_retries(
    client, sally, unsent, smtp_sink
):
    alert = unsent
    client.force_login(sally)
    people = reverse("attendance:people")
    response = client.post(
        reverse("safeguarding:alert_acknowledge", args=[alert.pk]), {"next": people}
    )
    assert response.status_code == 302 and response.url == people
    alert.refresh_from_db()
    assert alert.status == UrgentAlert.ACKNOWLEDGED
    assert alert.acknowledged_by == sally
    assert BANNER not in page_for(client, sally)
    assert "Sally knew about it" in page_for(
        client, sally, alert.worry.get_absolute_url()
    )
    smtp_sink.start()
    call_command("send_urgent_alerts")
    assert smtp_sink.received == []


def test_a_safeguarding_member_can_try_again_from_the_banner(
    client, sally, unsent, smtp_sink
):
    client.force_login(sally)
    retry = reverse("safeguarding:alert_retry", args=[unsent.pk])
    page = client.post(retry, follow=True).content.decode()
    assert "Still not sent" in page and BANNER in page
    smtp_sink.start()
    page = client.post(retry, follow=True).content.decode()
    assert "Sent: our safeguarding members have the email" in page
    assert BANNER not in page
    assert len(smtp_sink.received) == 1


def test_only_that_groups_safeguarding_members_see_the_banner(
    client, bob, alice, sally, ursula, unsent
):
    assert BANNER in page_for(client, sally, reverse("home"))
    for someone in (bob, alice, ursula):
        assert BANNER not in page_for(client, someone, reverse("home"))


@pytest.mark.parametrize("action", ["alert_retry", "alert_acknowledge"])
def test_alert_buttons_are_for_that_groups_safeguarding_members_only(
    client, bob, sally, ursula, org, action, smtp_sink
):
    smtp_sink.stop()
    alert = UrgentAlert.objects.create(
        worry=make_worry(org, bob, about_initials="R.T.", serious_harm="yes"),
        link="http://testserver/",
    )
    url = reverse(f"safeguarding:{action}", args=[alert.pk])
    client.force_login(sally)
    assert client.get(url).status_code == 405
    client.force_login(ursula)
    assert client.post(url).status_code == 404
    client.force_login(bob)
    assert client.post(url).status_code == 403
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == (UrgentAlert.NOT_SENT, 0)


def test_the_banner_costs_safeguarding_members_one_query_and_others_none(
    client, bob, sally, unsent
):
    def alert_queries(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("attendance:people"))
        return sum("urgentalert" in q["sql"] for q in queries.captured_queries)

    assert alert_queries(sally) == 1
    assert alert_queries(bob) == 0


def test_changing_a_worry_to_urgent_with_the_mail_server_down_says_so(
    client, sally, worry, smtp_sink
):
    smtp_sink.stop()
    client.force_login(sally)
    page = client.post(
        reverse("safeguarding:worry_edit", args=[worry.pk]), URGENT, follow=True
    ).content.decode()
    assert "wasn&#x27;t sent, so nobody has been told yet" in page
    assert "We have emailed" not in page
    assert BANNER in page
    assert UrgentAlert.objects.get().worry == worry
