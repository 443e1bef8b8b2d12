"""Ids typed into query strings, forms and cookies: anything odd is no id at all."""

import pytest
from django.conf import settings
from django.urls import reverse

from peerspace.fields import MAX_ID, parse_id


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12", 12),
        (" 7 ", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("¹", None),
        ("٣", None),
        ("0", None),
        ("-1", None),
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("odd", ["¹", "٣", "99999999999999999999"])
def test_odd_ids_in_a_query_string_are_ignored_not_a_server_error(
    bob_client, site, odd
):
    url = reverse("signposting:signpost_new")
    assert (
        bob_client.get(url, {"site": odd, "person": odd, "service": odd}).status_code
        == 200
    )
    if odd.isascii() or odd == "¹":  # a cookie header is Latin-1 at most
        bob_client.cookies[settings.SITE_COOKIE_NAME] = odd
        assert bob_client.get(reverse("attendance:door")).status_code == 302
    response = bob_client.post(reverse("attendance:choose_site"), {"site": odd})
    assert response.status_code == 200


@pytest.mark.parametrize("odd", ["¹", "٣", "99999999999999999999", "-1", "1e3"])
def test_an_odd_id_in_a_spreadsheet_is_a_row_error_read_like_parse_id(
    alice_client, site, person, odd
):
    from tests.test_import_export import IMPORT_PEOPLE, IMPORT_VISITS, make_csv, upload

    people = make_csv([["id", "known_as"], [odd, "Sam"], [f" {person.pk} ", "Sam"]])
    response = upload(alice_client, IMPORT_PEOPLE, people)
    preview = response.context["preview"]
    (row,) = preview["rows"]  # the second, her own id, is unchanged
    assert (row["number"], row["problems"]) == (
        2,
        [
            f"id: No person with id {odd} in your organisation. Leave id blank to "
            "add someone new."
        ],
    )
    assert preview["totals"]["skip"] == 1
    visits = make_csv([["date", "person_id"], ["2026-03-14", odd]])
    response = upload(alice_client, IMPORT_VISITS, visits, "visits.csv")
    (row,) = response.context["preview"]["rows"]
    assert row["problems"] == [
        f"person_id: No person with id {odd} in your organisation. Import people "
        "first, or check the id."
    ]
