import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.sessions.models import Session as DbSession
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attendance.models import SPREADSHEET_DETAILS, Activity, Person, Session, Visit
from attendance.resources import PersonResource
from attendance.views.transfer import read_csv
from tests.conftest import client_for

PAGE = reverse("attendance:import_export")
IMPORT_PEOPLE = reverse("attendance:import_people")
IMPORT_VISITS = reverse("attendance:import_visits")
DAY = dt.date(2026, 3, 14)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_url(kind, fmt):
    return reverse(f"attendance:export_{kind}", args=[fmt])


def make_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def make_xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_export(response):
    content = b"".join(response.streaming_content) if response.streaming else None
    content = content or response.content
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        ["" if v is None else str(v) for v in row]
        for row in book.active.iter_rows(values_only=True)
    ]


def upload(client, url, content, name="people.csv", **extra):
    kind = "people" if url == IMPORT_PEOPLE else "visits"
    data = {f"{kind}-file": SimpleUploadedFile(name, content), **extra}
    return client.post(url, data)


def confirm(client, url, response, **extra):
    return client.post(url, {"token": response.context["token"], **extra})


def text(response) -> str:
    return response.content.decode()


# The page and who may see it


def test_it_shows_the_page_to_a_coordinator(alice_client, org):
    response = alice_client.get(PAGE)
    assert response.status_code == 200
    body = text(response)
    assert "Import &amp; export" in body
    assert 'for="id_people-file"' in body and 'for="id_visits-file"' in body
    assert f'href="{PAGE}">Import &amp; export</a></li>' in body  # the nav link


def test_only_coordinators_see_the_nav_link(bob_client):
    body = text(bob_client.get(reverse("attendance:people")))
    assert "Import &amp; export" not in body


@pytest.mark.parametrize(
    "url",
    [
        PAGE,
        export_url("people", "csv"),
        export_url("visits", "xlsx"),
    ],
)
def test_it_refuses_facilitators_and_the_kiosk(client, bob, kiosk, url):
    for user in (bob, kiosk):
        assert client_for(client, user).get(url).status_code == 403


@pytest.mark.parametrize("url", [IMPORT_PEOPLE, IMPORT_VISITS])
def test_it_refuses_imports_from_facilitators_and_the_kiosk(client, bob, kiosk, url):
    for user in (bob, kiosk):
        response = upload(client_for(client, user), url, b"known_as\nSam\n")
        assert response.status_code == 403


def test_it_answers_the_wrong_method_with_405(alice_client):
    assert alice_client.post(PAGE).status_code == 405
    assert alice_client.post(export_url("people", "csv")).status_code == 405
    assert alice_client.get(IMPORT_PEOPLE).status_code == 405
    assert alice_client.get(IMPORT_VISITS).status_code == 405


def test_an_unknown_format_is_404(alice_client):
    assert alice_client.get(export_url("people", "json")).status_code == 404


def test_an_outsider_cant_reach_another_organisation(client, charlie, org, person):
    c = client_for(client, charlie)
    q = {"org": org.pk}
    assert c.get(PAGE, q).status_code == 404
    assert c.get(export_url("people", "csv"), q).status_code == 404
    response = upload(c, IMPORT_PEOPLE, b"known_as\nSam\n", org=org.pk)
    assert response.status_code == 404
    assert c.get(PAGE, {"org": "x"}).status_code == 404


# Export


def test_it_exports_people_as_csv(alice_client, org, person, other_person):
    response = alice_client.get(export_url("people", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="people-{org.slug}-'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    rows = read_export(response)
    assert rows[0] == ["id", *SPREADSHEET_DETAILS]
    assert rows[1][:4] == [str(person.pk), "Sam", "Samantha O'Brien", "07700 900123"]
    assert len(rows) == 2  # not Olga, from the other organisation
    assert b"quiet corner" not in response.content
    assert b"Olga" not in response.content


def test_it_exports_people_as_xlsx(alice_client, person, other_person):
    person.age_band = "25-34"
    person.save()
    response = alice_client.get(export_url("people", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read_export(response)
    assert rows[0][1] == "known_as"
    assert rows[1][1] == "Sam"
    assert rows[1][7] == "25 to 34"
    assert len(rows) == 2
    assert b"quiet corner" not in response.content


def test_it_escapes_formulae_on_export(alice_client, org):
    Person.objects.create(
        organisation=org,
        known_as='=HYPERLINK("http://evil.example","Click")',
        phone="+44 7700 900123",
        address="@SUM(1+1)",
    )
    rows = read_export(alice_client.get(export_url("people", "csv")))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","Click")'
    assert rows[1][3] == "'+44 7700 900123"
    assert rows[1][5] == "'@SUM(1+1)"

    response = alice_client.get(export_url("people", "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=2)
    # In XLSX the text is kept as typed, in a string cell marked as text.
    assert cell.value == '=HYPERLINK("http://evil.example","Click")'
    assert cell.data_type == "s" and cell.quotePrefix
    assert sheet.cell(row=2, column=4).value == "+44 7700 900123"


def test_it_exports_visits(
    alice_client, site, other_site, person, other_person, activity
):
    session = Session.objects.on(site, DAY)
    Visit.objects.create(
        person=person,
        session=session,
        activity=activity,
        helped_out=True,
        method=Visit.KIOSK,
    )
    Visit.objects.create(person=None, session=session)
    Visit.objects.create(
        person=other_person, session=Session.objects.on(other_site, DAY)
    )
    for fmt in ("csv", "xlsx"):
        rows = read_export(alice_client.get(export_url("visits", fmt)))
        assert rows[0] == [
            "date",
            "site",
            "person_id",
            "known_as",
            "activity",
            "helped_out",
            "method",
            "arrived",
            "left",
        ]
        assert len(rows) == 3
        named = next(r for r in rows[1:] if r[3])
        assert named[:7] == [
            "2026-03-14",
            "Wigan",
            str(person.pk),
            "Sam",
            "Quilting",
            "yes",
            "Signed herself in at the kiosk",
        ]


def test_visit_export_queries_dont_grow_with_visits(
    alice_client, site, person, org, django_assert_max_num_queries
):
    for i in range(20):
        p = Person.objects.create(organisation=org, known_as=f"P{i}")
        Visit.objects.create(person=p, session=Session.objects.on(site, DAY))
    with django_assert_max_num_queries(8):
        response = alice_client.get(export_url("visits", "csv"))
    assert len(read_export(response)) == 21


def test_an_empty_export_still_has_the_headings(alice_client, org):
    rows = read_export(alice_client.get(export_url("people", "xlsx")))
    assert rows == [PersonResource.columns]


# Importing people


def test_a_dry_run_writes_nothing(alice_client, org):
    content = make_csv([["known_as", "phone"], ["Aisha", "07700 900001"], ["Bea", ""]])
    response = upload(alice_client, IMPORT_PEOPLE, content)
    assert response.status_code == 200
    body = text(response)
    assert "Confirm import" in body
    assert "Aisha" in body and "Bea" in body
    assert response.context["preview"]["totals"]["new"] == 2
    assert Person.objects.count() == 0


def test_it_keeps_the_checked_file_encrypted_in_the_session(alice_client, org):
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\nZebedee\n")
    assert response.context["token"]
    raw = DbSession.objects.get().session_data
    assert "Zebedee" not in raw
    session = alice_client.session["pending_import"]
    assert session["data"].startswith("fernet:")
    assert session["token"] == response.context["token"]


def test_confirm_imports_people(alice_client, alice, org):
    content = make_csv(
        [
            ["id", "known_as", "postcode", "age_band", "heard_about_us"],
            ["", "Aisha", "wn1 1aa", "25 to 34", "friend"],
            ["", "Bea", "", "", ""],
        ]
    )
    response = upload(alice_client, IMPORT_PEOPLE, content)
    response = confirm(alice_client, IMPORT_PEOPLE, response)
    assert response.status_code == 302
    aisha = Person.objects.get(known_as="Aisha")
    assert aisha.organisation == org
    assert aisha.postcode == "WN1 1AA"
    assert aisha.age_band == "25-34"
    assert aisha.heard_about_us == "friend"
    assert aisha.form_complete is False  # shows on "forms to finish"
    assert aisha.created_by == alice
    assert aisha.data_use_agreed_at is None
    assert Person.objects.count() == 2
    page = alice_client.get(response.url)
    assert "Imported: 2 new people, 0 updated." in text(page)
    assert "pending_import" not in alice_client.session


def test_a_second_confirm_is_refused_with_a_message(alice_client, org):
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\nAisha\n")
    confirm(alice_client, IMPORT_PEOPLE, response)
    response = alice_client.post(
        IMPORT_PEOPLE, {"token": response.context["token"]}, follow=True
    )
    assert "already been imported, or the check has expired" in text(response)
    assert Person.objects.count() == 1


def test_the_same_upload_confirmed_from_two_tabs_adds_people_once(alice_client, org):
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\nAisha\nBea\n")
    pending = alice_client.session["pending_import"]
    confirm(alice_client, IMPORT_PEOPLE, response)
    # A second tab that read the session before the first confirm finished.
    session = alice_client.session
    session["pending_import"] = pending
    session.save()
    response = confirm(alice_client, IMPORT_PEOPLE, response)
    assert "Nothing has been imported" in text(response)
    assert "saved by someone else" in text(response)
    assert sorted(Person.objects.values_list("known_as", flat=True)) == ["Aisha", "Bea"]


def test_one_bad_row_imports_nothing_and_says_where(alice_client, org):
    content = make_csv(
        [
            ["known_as", "phone", "postcode"],
            ["Aisha", "07700 900001", ""],
            ["Bea", "", "WN1 1AA"],
            ["Cath", "call me", ""],
            ["", "", "nowhere"],
        ]
    )
    response = upload(alice_client, IMPORT_PEOPLE, content)
    assert response.status_code == 200
    assert response.context["token"] is None
    body = text(response)
    assert "Nothing has been imported" in body
    assert "Confirm import" not in body
    rows = {r["number"]: r for r in response.context["preview"]["rows"]}
    assert set(rows) == {4, 5}  # spreadsheet rows: headings are row 1
    assert "phone: That doesn&#x27;t look like a phone number" in body
    assert any("UK postcode" in p for p in rows[5]["problems"])
    assert any("known_as: Every person needs a name" in p for p in rows[5]["problems"])
    assert Person.objects.count() == 0
    assert "pending_import" not in alice_client.session


def test_it_checks_email_and_choices_like_the_form(alice_client, org):
    content = make_csv(
        [["known_as", "email", "age_band"], ["Aisha", "not-an-email", "ancient"]]
    )
    response = upload(alice_client, IMPORT_PEOPLE, content)
    (row,) = response.context["preview"]["rows"]
    assert "email: Enter a valid email address." in row["problems"]
    assert any(
        p.startswith("age_band: Please use one of: Under 18") for p in row["problems"]
    )


def test_reimporting_by_id_updates_rather_than_duplicates(alice_client, person):
    rows = read_export(alice_client.get(export_url("people", "csv")))
    rows[1][3] = "01942 123456"
    response = upload(alice_client, IMPORT_PEOPLE, make_csv(rows))
    assert response.context["preview"]["totals"] == {"new": 0, "update": 1, "skip": 0}
    confirm(alice_client, IMPORT_PEOPLE, response)
    person.refresh_from_db()
    assert Person.objects.count() == 1
    assert person.phone == "01942 123456"
    assert person.anything_to_know == "Prefers a quiet corner"  # untouched
    assert person.form_complete is True


def test_an_unchanged_export_reimports_as_skips(alice_client, person):
    response = alice_client.get(export_url("people", "xlsx"))
    response = upload(alice_client, IMPORT_PEOPLE, response.content, "people.xlsx")
    assert response.context["preview"]["totals"] == {"new": 0, "update": 0, "skip": 1}
    assert "Nothing has changed." in text(response)


def test_a_formula_escaped_export_reimports_as_the_original_text(alice_client, org):
    p = Person.objects.create(organisation=org, known_as="=1+1", phone="+44 1942 1")
    response = alice_client.get(export_url("people", "csv"))
    response = upload(alice_client, IMPORT_PEOPLE, response.content)
    assert response.context["preview"]["totals"]["skip"] == 1
    p.refresh_from_db()
    assert p.known_as == "=1+1"


def test_an_id_from_another_organisation_is_a_row_error(
    alice_client, person, other_person
):
    content = make_csv(
        [["id", "known_as"], [other_person.pk, "Taken over"], ["", "Aisha"]]
    )
    response = upload(alice_client, IMPORT_PEOPLE, content)
    body = text(response)
    assert f"No person with id {other_person.pk} in your organisation" in body
    assert response.context["token"] is None
    other_person.refresh_from_db()
    assert other_person.known_as == "Olga"
    assert Person.objects.count() == 2


def test_the_resource_never_updates_another_organisations_row(org, alice, other_person):
    import tablib

    dataset = tablib.Dataset(
        [other_person.pk, "Taken over"], [999999, "Made up"], headers=["id", "known_as"]
    )
    resource = PersonResource(organisation=org, user=alice)
    resource.prepare(dataset)
    result = resource.import_data(dataset, dry_run=False, use_transactions=True)
    assert result.has_validation_errors()
    other_person.refresh_from_db()
    assert other_person.known_as == "Olga"
    assert other_person.organisation_id != org.pk
    assert not Person.objects.filter(pk=999999).exists()
    assert not Person.objects.filter(organisation=org).exists()


def test_confirm_rolls_everything_back_if_a_row_fails_then(alice_client, person):
    content = make_csv(
        [["id", "known_as"], ["", "Aisha"], [person.pk, "Sammy"], ["", "Bea"]]
    )
    response = upload(alice_client, IMPORT_PEOPLE, content)
    assert response.context["token"]
    person.delete()  # gone between the check and the confirm
    response = confirm(alice_client, IMPORT_PEOPLE, response)
    assert response.status_code == 200
    assert "Nothing has been imported" in text(response)
    assert Person.objects.count() == 0


def test_it_notes_a_new_row_that_may_be_someone_already_here(alice_client, person):
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\nsam\n")
    assert f"There&#x27;s already someone called sam (id {person.pk})" in text(response)


def test_it_reads_xlsx_people(alice_client, org):
    content = make_xlsx(
        [["Known as", "Phone", "Notes"], ["Aisha", 7700900123, "x"], [None, None, None]]
    )
    response = upload(alice_client, IMPORT_PEOPLE, content, "people.xlsx")
    assert response.context["ignored"] == ["Notes"]
    confirm(alice_client, IMPORT_PEOPLE, response)
    # Excel had dropped the leading 0 of the number.
    assert Person.objects.get().phone == "07700900123"


def test_it_reads_a_utf8_csv_with_a_bom(alice_client, org):
    content = "\ufeffknown_as,full_name\nSiobhán,Siobhán Ní Bhriain\n".encode()
    response = upload(alice_client, IMPORT_PEOPLE, content)
    confirm(alice_client, IMPORT_PEOPLE, response)
    assert Person.objects.get().known_as == "Siobhán"


def test_it_reads_an_old_excel_csv_and_says_so(alice_client, org):
    content = "known_as\nSiobhán\n".encode("cp1252")
    response = upload(alice_client, IMPORT_PEOPLE, content)
    assert "wasn&#x27;t saved as UTF-8" in text(response)
    assert "Siobhán" in text(response)


def test_it_follows_excels_sep_line():
    sheet = read_csv(b"sep=;\r\nknown_as;phone\r\nAisha;07700 900001\r\n")
    assert sheet.dataset.headers == ["known_as", "phone"]
    assert sheet.lines == [2]


# Files that can't be imported


def test_a_too_large_file_is_refused_clearly(alice_client, org, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\n" + b"Sam\n" * 50)
    assert response.status_code == 200
    assert "the most we can take is 100\xa0bytes" in text(response)
    assert Person.objects.count() == 0


def test_a_wrong_file_type_is_refused_clearly(alice_client, org):
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\nSam\n", "people.txt")
    assert "Please choose a CSV (.csv) or Excel (.xlsx) file" in text(response)
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\nSam\n", "people.xlsx")
    assert "doesn&#x27;t look like an Excel .xlsx file" in text(response)
    response = upload(alice_client, IMPORT_PEOPLE, make_xlsx([["a"]]), "people.csv")
    assert "doesn&#x27;t look like a CSV file" in text(response)


def test_an_unreadable_file_is_refused_clearly(alice_client, org):
    response = upload(alice_client, IMPORT_PEOPLE, b"PK\x03\x04junk", "p.xlsx")
    assert "We couldn&#x27;t read this file" in text(response)
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\nA\x00b\n")
    assert "doesn&#x27;t look like a CSV file" in text(response)
    response = upload(alice_client, IMPORT_PEOPLE, b"")
    assert response.context["people_form"].errors


def test_missing_headings_are_explained(alice_client, org):
    response = upload(alice_client, IMPORT_PEOPLE, b"colour,size\nred,big\n")
    assert "We couldn&#x27;t find a known_as column" in text(response)
    response = upload(alice_client, IMPORT_PEOPLE, b"known_as\n\n\n")
    assert "nothing under the column headings" in text(response)


def test_blank_rows_are_left_out_but_row_numbers_still_match():
    sheet = read_csv(b"known_as,phone\n\nAisha,\n,\nBea,x\n")
    assert sheet.lines == [3, 5]
    assert len(sheet.dataset) == 2


# Importing visits


@pytest.fixture
def jo_twice(org):
    return [
        Person.objects.create(organisation=org, known_as="Jo"),
        Person.objects.create(organisation=org, known_as="Jo", full_name="Jo Smith"),
    ]


def test_it_imports_visits_matched_by_name(
    alice_client, alice, site, site2, person, activity
):
    content = make_csv(
        [
            ["date", "site", "name", "activity", "helped_out", "arrived", "left"],
            ["2026-03-14", "wigan", "SAM", "quilting", "yes", "10:30", "12:15"],
            ["15/03/2026", "Leigh", "Samantha OBrien", "", "", "", ""],
        ]
    )
    response = upload(alice_client, IMPORT_VISITS, content, "visits.csv")
    assert response.context["preview"]["totals"]["new"] == 2
    assert Visit.objects.count() == 0 and Session.objects.count() == 0
    assert confirm(alice_client, IMPORT_VISITS, response).status_code == 302
    first = Visit.objects.get(session__site=site)
    assert first.person == person
    assert first.session.date == DAY
    assert first.activity == activity
    assert first.helped_out is True
    assert first.method == Visit.PAPER
    assert first.signed_in_by == alice
    assert f"{first.arrived_at.astimezone(dt.UTC):%H:%M}" == "10:30"  # GMT in March
    assert f"{first.left_at.astimezone(dt.UTC):%H:%M}" == "12:15"
    second = Visit.objects.get(session__site=site2)
    assert second.session.date == dt.date(2026, 3, 15)
    assert second.helped_out is False
    assert second.left_at == second.arrived_at  # a past day's visit is over


def test_it_imports_visits_by_person_id_and_from_xlsx(alice_client, site, jo_twice):
    content = make_xlsx(
        [
            ["date", "site", "person_id", "known_as"],
            [dt.datetime(2026, 3, 14), "Wigan", jo_twice[1].pk, None],
            [dt.date(2026, 3, 14), "Wigan", jo_twice[0].pk, "Jo"],
        ]
    )
    response = upload(alice_client, IMPORT_VISITS, content, "visits.xlsx")
    confirm(alice_client, IMPORT_VISITS, response)
    assert {v.person for v in Visit.objects.all()} == set(jo_twice)


def test_ambiguous_and_unknown_names_are_row_errors(alice_client, site, jo_twice):
    content = make_csv(
        [
            ["date", "site", "known_as"],
            ["2026-03-14", "Wigan", "Jo"],
            ["2026-03-14", "Wigan", "Nobody"],
            ["2026-03-14", "Wigan", "Jo Smith"],
        ]
    )
    response = upload(alice_client, IMPORT_VISITS, content, "visits.csv")
    body = text(response)
    assert "2 people are called Jo" in body
    assert "No one called Nobody in your organisation. Import people first" in body
    rows = [r["number"] for r in response.context["preview"]["rows"]]
    assert rows == [2, 3]
    assert response.context["token"] is None
    assert Visit.objects.count() == 0 and Session.objects.count() == 0


def test_other_visit_problems_are_row_errors(
    alice_client, site, site2, person, other_person
):
    content = make_csv(
        [
            ["date", "site", "person_id", "known_as", "activity", "helped_out", "left"],
            ["2026-03-14", "Wigan", other_person.pk, "", "", "", ""],
            ["soon", "Bolton", person.pk, "Jo", "Juggling", "maybe", "late"],
            ["2099-01-01", "", person.pk, "", "", "", ""],
        ]
    )
    response = upload(alice_client, IMPORT_VISITS, content, "visits.csv")
    rows = {r["number"]: r["problems"] for r in response.context["preview"]["rows"]}
    assert rows[2] == [
        f"person_id: No person with id {other_person.pk} in your organisation. "
        "Import people first, or check the id."
    ]
    assert len(rows[3]) == 6
    assert "site: No site called Bolton. Your sites are: Leigh, Wigan." in rows[3]
    assert any("person_id" in p and "this row says Jo" in p for p in rows[3])
    assert "date: That date is in the future." in rows[4]
    assert "site: Please say which site: Leigh, Wigan." in rows[4]
    assert not Visit.objects.filter(person=other_person).exists()


def test_duplicate_visits_are_skipped_not_errors(alice_client, site, person):
    session = Session.objects.on(site, DAY)
    Visit.objects.create(person=person, session=session)
    content = make_csv(
        [
            ["date", "site", "known_as"],
            ["2026-03-14", "Wigan", "Sam"],
            ["2026-03-13", "Wigan", "Sam"],
            ["2026-03-13", "Wigan", "Sam"],
            ["2026-03-13", "Wigan", ""],
        ]
    )
    response = upload(alice_client, IMPORT_VISITS, content, "visits.csv")
    preview = response.context["preview"]
    assert preview["totals"] == {"new": 1, "update": 0, "skip": 3}
    assert "Already recorded" in text(response)
    assert "unnamed visits (head counts) aren" in text(response)
    confirm(alice_client, IMPORT_VISITS, response)
    assert Visit.objects.filter(person=person).count() == 2
    # Importing the same file again adds nothing.
    response = upload(alice_client, IMPORT_VISITS, content, "visits.csv")
    assert response.context["preview"]["totals"]["new"] == 0
    confirm(alice_client, IMPORT_VISITS, response)
    assert Visit.objects.count() == 2


def test_a_visit_export_reimports_as_skips(alice_client, site, person):
    Visit.objects.create(person=person, session=Session.objects.on(site, DAY))
    Visit.objects.create(person=None, session=Session.objects.on(site, DAY))
    response = alice_client.get(export_url("visits", "xlsx"))
    response = upload(alice_client, IMPORT_VISITS, response.content, "visits.xlsx")
    assert response.context["preview"]["totals"] == {"new": 0, "update": 0, "skip": 2}


def test_visits_need_a_date_and_a_person_column(alice_client, site):
    response = upload(alice_client, IMPORT_VISITS, b"site,name\nWigan,Sam\n", "v.csv")
    assert "We couldn&#x27;t find a date column" in text(response)
    response = upload(
        alice_client, IMPORT_VISITS, b"date,site\n2026-03-14,W\n", "v.csv"
    )
    assert "person_id or known_as (name) column" in text(response)


def test_inactive_activities_are_found_for_old_visits(alice_client, site, person, org):
    Activity.objects.create(organisation=org, name="Pottery", is_active=False)
    content = b"date,known_as,activity\n2026-03-14,Sam,Pottery\n"
    response = upload(alice_client, IMPORT_VISITS, content, "visits.csv")
    confirm(alice_client, IMPORT_VISITS, response)
    assert Visit.objects.get().activity.name == "Pottery"
