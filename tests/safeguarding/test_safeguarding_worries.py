import pytest
from django.db import connection
from django.urls import reverse

from safeguarding.models import NotDeletable, SafeguardingSettings, Worry
from tests.helpers import form_data
from tests.safeguarding.safeguarding_helpers import FULL_NAME, make_worry

RAISE = {
    "what_worries_us": "She said she hasn't eaten properly this week.",
    "whats_going_well": "She's brilliant at upholstery and made a friend.",
    "circle_of_support": "Her neighbour Pat checks in.",
    "her_wishes": "Wants help with a food bank referral, nothing else.",
    "does_she_know": "yes",
    "serious_harm": "no",
    "categories": ["money", "isolation"],
}


def test_a_facilitator_raises_a_worry_from_her_page(
    client, bob, her, sally, mailoutbox
):
    client.force_login(bob)
    url = reverse("safeguarding:worry_new") + f"?person={her.pk}"
    page = client.get(url)
    assert "Raise a worry about Zephyrine" in page.content.decode()
    response = client.post(url, RAISE)
    worry = Worry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding:worry_raised", args=[worry.pk])
    assert worry.person == her
    assert worry.organisation == her.organisation
    assert worry.raised_by == bob
    assert worry.categories == ["money", "isolation"]
    assert worry.status == Worry.OPEN
    assert mailoutbox == []


def test_it_raises_a_worry_about_someone_not_registered(client, bob):
    client.force_login(bob)
    data = {**RAISE, "about_initials": "k m", "about_description": "Came with Jo."}
    client.post(reverse("safeguarding:worry_new"), data)
    worry = Worry.objects.get()
    assert worry.person is None
    assert worry.about_initials == "K.M."
    assert worry.initials == "K.M."


def test_it_refuses_a_name_in_place_of_initials(client, bob):
    client.force_login(bob)
    data = {**RAISE, "about_initials": "Kathleen"}
    response = client.post(reverse("safeguarding:worry_new"), data)
    assert response.status_code == 200
    assert "Just her initials" in response.content.decode()
    assert not Worry.objects.exists()


def test_it_needs_someone_to_be_about(client, bob):
    client.force_login(bob)
    response = client.post(reverse("safeguarding:worry_new"), RAISE)
    assert "Please give her initials" in response.content.decode()
    assert not Worry.objects.exists()


def test_it_will_not_raise_a_worry_about_another_organisations_person(
    client, charlie, her
):
    client.force_login(charlie)
    url = reverse("safeguarding:worry_new") + f"?person={her.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, RAISE).status_code == 404


NEW = reverse("safeguarding:worry_new")


def as_typed(data: dict) -> dict:
    """The posted values as lists, as form_data() reads them back."""
    return {k: v if isinstance(v, list) else [v] for k, v in data.items()}


def test_finding_her_keeps_everything_already_written(client, bob, her):
    """Without JavaScript, Find posts the whole form back: nothing is lost,
    nothing is saved, and nothing complains about what isn't filled in yet."""
    client.force_login(bob)
    typed = {**RAISE, "about_initials": "z q", "about_description": "Came with Jo."}
    response = client.post(NEW, {**typed, "q": "zeph", "find": "1"})
    assert response.status_code == 200
    assert not Worry.objects.exists()
    page = response.content.decode()
    assert form_data(page, NEW) == {**as_typed(typed), "q": ["zeph"]}
    assert f'name="choose" value="{her.pk}"' in page
    assert "Choose her" in page and "About her" not in page
    assert "invalid-feedback" not in page and "Please" not in page


def test_choosing_her_keeps_everything_and_raises_it_about_her(client, bob, her):
    client.force_login(bob)
    typed = {**RAISE, "about_initials": "z q"}
    page = client.post(NEW, {**typed, "q": "zeph", "choose": str(her.pk)})
    page = page.content.decode()
    assert not Worry.objects.exists()
    assert "Raise a worry about Zephyrine" in page
    back = form_data(page, NEW)
    # Her initials aren't asked for now, but are kept in case it isn't her.
    assert back == {**as_typed(typed), "person": [str(her.pk)]}
    client.post(NEW, {k: v if len(v) > 1 else v[0] for k, v in back.items()})
    worry = Worry.objects.get()
    assert worry.person == her and worry.about_initials == ""
    assert worry.what_worries_us == RAISE["what_worries_us"]


def test_choosing_someone_else_brings_back_her_initials(client, bob, her):
    client.force_login(bob)
    typed = {**RAISE, "about_initials": "r t", "person": str(her.pk)}
    page = client.post(NEW, {**typed, "choose": ""}).content.decode()
    back = form_data(page, NEW)
    assert back["about_initials"] == ["r t"] and "person" not in back
    assert back["what_worries_us"] == [RAISE["what_worries_us"]]


def test_find_her_lists_only_her_own_groups_people_as_choices(
    client, bob, charlie, her
):
    url = reverse("safeguarding:find_her") + "?q=zeph"
    client.force_login(bob)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'name="choose" value="{her.pk}"' in fragment
    assert "<html" not in fragment
    client.force_login(charlie)
    fragment = client.get(url).content.decode()
    assert "Zephyrine" not in fragment and "No one found" in fragment


def test_choosing_someone_from_another_group_is_refused(client, charlie, her):
    client.force_login(charlie)
    response = client.post(NEW, {**RAISE, "choose": str(her.pk)})
    assert response.status_code == 404


def test_serious_harm_shows_what_to_do_and_emails_safeguarding_at_once(
    client, bob, her, sally, org, smtp_sink
):
    SafeguardingSettings.objects.create(
        organisation=org, contacts="Sally: 07700 900555", local_numbers="Wigan ASC"
    )
    client.force_login(bob)
    url = reverse("safeguarding:worry_new") + f"?person={her.pk}"
    # The form already carries what to do now, before anything is saved.
    assert "Call 999" in client.get(url).content.decode()
    response = client.post(url, {**RAISE, "serious_harm": "yes"}, follow=True)
    page = response.content.decode()
    assert "Call 999" in page
    assert 'Sally: <a class="tel" href="tel:+447700900555">07700 900555</a>' in page
    assert "We have emailed our safeguarding members" in page
    (mail,) = smtp_sink.received
    assert mail.to == ["sally@example.org"]
    worry = Worry.objects.get()
    assert f"/safeguarding/worries/{worry.pk}/" in mail.body
    # Email isn't encrypted: nothing about her goes in it.
    for secret in ("Zephyrine", "Quartermaine", "eaten", "upholstery"):
        assert secret not in mail.body
        assert secret not in mail.subject


def test_serious_harm_says_phone_when_no_one_can_be_emailed(client, bob, her):
    client.force_login(bob)
    url = reverse("safeguarding:worry_new") + f"?person={her.pk}"
    response = client.post(url, {**RAISE, "serious_harm": "yes"}, follow=True)
    assert "Please phone one of them now" in response.content.decode()


def test_a_facilitator_sees_her_own_worries_and_their_status_only(
    client, bob, fran, worry, unshared, org
):
    other = make_worry(org, fran, about_initials="Q.Q.")
    client.force_login(bob)
    page = client.get(reverse("safeguarding:worries")).content.decode()
    assert FULL_NAME in page
    assert "Open" in page
    # Nothing of what was written, and nobody else's worries.
    assert "landlord" not in page
    assert "R.T." not in page and "Q.Q." not in page
    assert reverse("safeguarding:worry", args=[worry.pk]) not in page
    assert other.pk


def test_it_hides_worries_from_coordinators(client, alice, worry):
    client.force_login(alice)
    page = client.get(reverse("safeguarding:worries")).content.decode()
    assert FULL_NAME not in page
    assert client.get(worry.get_absolute_url()).status_code == 404


def test_safeguarding_members_see_all_their_organisations_worries(
    client, sally, worry, unshared, other_org, charlie
):
    elsewhere = make_worry(other_org, charlie, about_initials="E.E.")
    client.force_login(sally)
    page = client.get(reverse("safeguarding:worries")).content.decode()
    assert FULL_NAME in page and "R.T." in page
    assert "E.E." not in page
    assert elsewhere.pk


def test_safeguarding_reads_a_worry_in_full(client, sally, worry):
    client.force_login(sally)
    page = client.get(worry.get_absolute_url()).content.decode()
    for text in ("landlord", "leads the quilting", "Her sister", "stay in her flat"):
        assert text in page


def test_it_encrypts_every_free_text_field_in_the_raw_row(worry, unshared):
    worry.close("She moved to her sister's and is settled.")
    columns = [
        "what_worries_us",
        "whats_going_well",
        "circle_of_support",
        "her_wishes",
        "closed_reason",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM safeguarding_worry WHERE id = %s",  # noqa: S608
            [worry.pk],
        )
        row = cursor.fetchone()
        cursor.execute(
            "SELECT about_initials, what_worries_us FROM safeguarding_worry "
            "WHERE id = %s",
            [unshared.pk],
        )
        row += cursor.fetchone()
    assert all(value.startswith("fernet:") for value in row)
    raw = " ".join(row)
    for text in ("landlord", "quilting", "sister", "flat", "settled", "R.T.", "money"):
        assert text not in raw


def test_history_copies_stay_encrypted_and_record_every_change(client, sally, worry):
    client.force_login(sally)
    client.post(
        reverse("safeguarding:worry_status", args=[worry.pk]),
        {"status": "closed", "closed_reason": "All sorted with the council."},
    )
    assert [h.history_type for h in worry.history.order_by("history_date")] == [
        "+",
        "~",
    ]
    latest = worry.history.latest()
    assert latest.status == "closed"
    assert latest.history_user == sally
    assert latest.closed_reason == "All sorted with the council."
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT what_worries_us, closed_reason FROM "
            "safeguarding_historicalworry WHERE id = %s",
            [worry.pk],
        )
        rows = cursor.fetchall()
    assert rows and all(v.startswith("fernet:") for row in rows for v in row if v)
    assert "council" not in str(rows) and "landlord" not in str(rows)


def test_closing_needs_a_reason(client, sally, worry):
    client.force_login(sally)
    response = client.post(
        reverse("safeguarding:worry_status", args=[worry.pk]), {"status": "closed"}
    )
    assert response.status_code == 400
    assert "Please say why" in response.content.decode()
    worry.refresh_from_db()
    assert worry.status == Worry.OPEN


def test_nothing_can_be_deleted(worry):
    with pytest.raises(NotDeletable):
        worry.delete()
    assert Worry.objects.filter(pk=worry.pk).exists()


def test_safeguarding_changes_a_worry_and_history_keeps_the_old_text(
    client, sally, worry
):
    client.force_login(sally)
    data = {**RAISE, "what_worries_us": "Updated after talking with her."}
    response = client.post(reverse("safeguarding:worry_edit", args=[worry.pk]), data)
    assert response.status_code == 302
    worry.refresh_from_db()
    assert worry.what_worries_us == "Updated after talking with her."
    assert worry.history.earliest().what_worries_us.startswith("Her landlord")


def test_changing_a_worry_to_serious_harm_emails_at_once(
    client, sally, worry, smtp_sink
):
    client.force_login(sally)
    response = client.post(
        reverse("safeguarding:worry_edit", args=[worry.pk]),
        {**RAISE, "serious_harm": "yes"},
        follow=True,
    )
    assert "We have emailed our safeguarding members" in response.content.decode()
    (mail,) = smtp_sink.received
    assert "Zephyrine" not in mail.body


def test_partner_display_is_initials_only(worry, unshared):
    shared = worry.for_partner()
    assert shared["initials"] == "Z.Q."
    assert FULL_NAME not in str(shared) and "Zephyrine" not in str(shared)
    assert unshared.for_partner()["initials"] == "R.T."


def test_the_worry_list_keeps_to_a_fixed_number_of_queries(
    client, sally, org, her, django_assert_max_num_queries
):
    for i in range(20):
        make_worry(org, sally, her if i % 2 else None, about_initials="C.C.")
    client.force_login(sally)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("safeguarding:worries"))
    assert page.content.decode().count(FULL_NAME) >= 10


def test_the_access_log_keeps_to_a_fixed_number_of_queries(
    client, sally, org, her, django_assert_max_num_queries
):
    from safeguarding.models import AccessLog

    worries = [make_worry(org, sally, her) for _ in range(10)]
    AccessLog.objects.record(sally, AccessLog.WORRY, worries=worries)
    client.force_login(sally)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("safeguarding:access_log")).status_code == 200


def test_the_menu_links_to_safeguarding_or_my_worries(client, sally, bob):
    client.force_login(sally)
    home = client.get(reverse("safeguarding:worries")).content.decode()
    assert ">Safeguarding</a>" in home and ">My worries</a>" not in home
    client.force_login(bob)
    home = client.get(reverse("safeguarding:worries")).content.decode()
    assert ">My worries</a>" in home and ">Safeguarding</a>" not in home
