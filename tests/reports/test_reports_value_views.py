"""Setting up a social value framework, entering a month, the quick tally, and
the spreadsheet in and out."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from attendance.models import Session, Visit
from peerspace.reports.figures import Options, build_report
from peerspace.reports.models import (
    HELPED_OUT,
    TYPED,
    VISITS,
    Income,
    Rate,
    ReportTemplate,
    Tally,
    ValueLevel,
    ValueLine,
)
from peerspace.reports.periods import Period
from tests.conftest import client_for
from tests.reports.reports_helpers import APRIL

MARCH = dt.date(2025, 3, 1)


def month_url(month: dt.date) -> str:
    return reverse("reports:value_month", args=[month.year, month.month])


def form_data(response) -> dict:
    """What the browser would send back: every field as the page filled it."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    return data


@pytest.fixture
def peers(org):
    line = ValueLine.objects.create(
        organisation=org,
        name="Peer support",
        unit="a peer supporter",
        source=TYPED,
        counts_people=True,
    )
    levels = [
        ValueLevel.objects.create(line=line, name=f"Level {n}", position=n)
        for n in (1, 2)
    ]
    for level, amount in zip(levels, ("85", "150"), strict=True):
        Rate.objects.create(
            line=line,
            level=level,
            effective_from=dt.date(2024, 4, 1),
            amount=Decimal(amount),
            source="Agreed with the council, 2024",
        )
        Tally.objects.create(line=line, level=level, month=MARCH, count=7)
    return line, levels


@pytest.fixture
def crisis(org):
    return ValueLine.objects.create(
        organisation=org,
        name="Crisis support",
        unit="a crisis helped through",
        source=TYPED,
        quick_tally=True,
        tally_kinds="In person, Phone call",
    )


def test_the_framework_page_lists_every_line_and_warns_of_double_counting(
    alice_client, org, peers
):
    for name, source in (("Centre usage", VISITS), ("Volunteering", HELPED_OUT)):
        ValueLine.objects.create(
            organisation=org, name=name, unit="a visit", source=source
        )
    response = alice_client.get(reverse("reports:social_value"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Level 2: rate this month" in html and "£150.00" in html
    assert "Agreed with the council, 2024" in html
    assert "“Centre usage” and “Volunteering” count some of the same work" in html
    assert "helped-out visits are visits too" in html
    # Every month of the year is a button, March marked as entered.
    assert response.context["months"][0]["month"].month == 4
    assert len(response.context["months"]) == 12


def test_the_year_picker_goes_back_as_far_as_the_data(alice_client, org, peers):
    Tally.objects.create(
        line=peers[0], level=peers[1][0], month=dt.date(2016, 7, 1), count=3
    )
    response = alice_client.get(reverse("reports:social_value"))
    years = response.context["years"]
    assert years[-1] == 2016 and years[0] == timezone.localdate().year - (
        timezone.localdate().month < 4
    )
    old = alice_client.get(reverse("reports:social_value"), {"year": 2016})
    months = old.context["months"]
    assert months[0]["month"] == dt.date(2016, 4, 1)
    july = next(m for m in months if m["month"] == dt.date(2016, 7, 1))
    assert july["entered"] and july["url"] in old.content.decode()
    # A year before any data can be asked for too (the "further back" box).
    assert 'name="year" min="1990"' in old.content.decode()
    older = alice_client.get(reverse("reports:social_value"), {"year": 2012})
    assert older.context["months"][0]["month"] == dt.date(2012, 4, 1)


def test_adding_a_line_with_levels_then_its_rates(alice_client, org):
    response = alice_client.post(
        reverse("reports:value_line_new"),
        {
            "name": "Leadership",
            "unit": "an hour",
            "source": TYPED,
            "levels-TOTAL_FORMS": 3,
            "levels-INITIAL_FORMS": 0,
            "levels-0-name": "Volunteers",
            "levels-1-name": "Paid team",
            "levels-2-name": "",
        },
    )
    line = ValueLine.objects.get(organisation=org, name="Leadership")
    assert response.url == reverse("reports:value_rates", args=[line.pk])
    assert [lv.name for lv in line.levels.all()] == ["Volunteers", "Paid team"]
    volunteers, paid = line.levels.all()
    # One blank rate for each level, already saying which.
    page = alice_client.get(response.url)
    forms = page.context["formset"].forms
    assert [f["level"].value() for f in forms] == [volunteers.pk, paid.pk]
    rates = {
        "rates-TOTAL_FORMS": 2,
        "rates-INITIAL_FORMS": 0,
        "rates-0-level": volunteers.pk,
        "rates-0-effective_from": "2025-04",
        "rates-0-amount": "12.60",
        "rates-0-low": "13",
        "rates-0-source": "Real Living Wage 2025",
        "rates-1-level": paid.pk,
        "rates-1-effective_from": "2025-04",
        "rates-1-amount": "24.12345",
        "rates-1-low": "20",
        "rates-1-source": "Our pay scale 2025",
    }
    response = alice_client.post(reverse("reports:value_rates", args=[line.pk]), rates)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Up to 4 decimal places, please." in html
    assert "The low value is more than the rate." in html
    assert 'value="Our pay scale 2025"' in html  # nothing typed is lost
    rates.update({"rates-1-amount": "24.1235", "rates-0-low": ""})
    response = alice_client.post(reverse("reports:value_rates", args=[line.pk]), rates)
    assert response.status_code == 302
    rate = Rate.objects.get(level=paid)
    assert rate.amount == Decimal("24.1235") and rate.low == 20
    assert rate.effective_from == APRIL


def test_a_line_counted_from_records_has_no_levels(alice_client, org):
    response = alice_client.post(
        reverse("reports:value_line_new"),
        {
            "name": "Centre usage",
            "unit": "a visit",
            "source": VISITS,
            "levels-TOTAL_FORMS": 1,
            "levels-INITIAL_FORMS": 0,
            "levels-0-name": "Level 1",
        },
    )
    assert response.status_code == 200
    assert "Only lines typed in each month can have levels." in (
        response.content.decode()
    )
    assert not ValueLine.objects.exists()


def test_a_line_with_counts_is_not_removed(alice_client, peers):
    line, _ = peers
    response = alice_client.post(reverse("reports:value_line_delete", args=[line.pk]))
    assert response.status_code == 302
    assert ValueLine.objects.filter(pk=line.pk).exists()


def test_the_month_screen_shows_last_month_and_what_records_already_know(
    alice_client, org, site, peers, crisis
):
    ValueLine.objects.create(
        organisation=org, name="Centre usage", unit="a visit", source=VISITS
    )
    session = Session.objects.create(site=site, date=APRIL.replace(day=8))
    Visit.objects.bulk_create([Visit(session=session) for _ in range(23)])
    Tally.objects.create(line=crisis, date=APRIL.replace(day=3), minutes=40)
    response = alice_client.get(month_url(APRIL))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>April 2025</h1>" in html
    # Last month's figure beside each typed line, the rate in force filled in.
    row = html[html.index('id="row-') : html.index("</fieldset>")]
    assert "March: <strong>7</strong> at £85.00" in row
    assert 'value="85.00"' in row
    # Counts from records, read-only.
    records = html[html.index('id="from-records"') :]
    assert "Centre usage" in records and ">23<" in records
    assert 'name="count-' not in records.split("</table>")[0]
    # The tally logged at the door, counted as well.
    assert "Logged as it happened this month: <strong>1</strong>" in html
    assert "3 Apr: Crisis support (" not in html  # no kind was given
    assert "3 Apr: Crisis support × 1, 40 minutes" in html


def test_copying_last_month_fills_the_form_and_saves_nothing(alice_client, peers):
    line, (level1, level2) = peers
    response = alice_client.get(month_url(APRIL), {"copy": "1"})
    assert "These are March's figures" in response.content.decode()
    data = form_data(response)
    assert data[f"count-{line.pk}-{level1.pk}"] == "7"
    assert not Tally.objects.filter(month=APRIL).exists()
    response = alice_client.post(month_url(APRIL), data)
    assert response.status_code == 302
    assert {t.count for t in Tally.objects.filter(month=APRIL)} == {7}


def test_saving_a_month_with_a_new_rate_and_income(alice_client, org, peers):
    line, (level1, level2) = peers
    Income.objects.create(
        organisation=org,
        month=MARCH,
        kind=Income.STATUTORY,
        name="Council",
        amount=Decimal(1000),
    )
    page = alice_client.get(month_url(APRIL))
    data = form_data(page)
    assert "income-0" in data and data["income-0"] == ""  # March's source, no April
    data.update(
        {
            f"count-{line.pk}-{level1.pk}": "9",
            f"count-{line.pk}-{level2.pk}": "4.5",
            f"rate-{line.pk}-{level2.pk}": "152.125",
            f"source-{line.pk}-{level2.pk}": "",
            "income-0": "1200",
            "newkind-0": "other",
            "newname-0": "Lottery",
            "newamount-0": "",
        }
    )
    response = alice_client.post(month_url(APRIL), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a whole number." in html  # 4.5 people
    assert "Please say where the new rate comes from" in html
    assert "Please give the amount." in html
    assert 'value="152.125"' in html and 'value="Lottery"' in html
    assert not Tally.objects.filter(month=APRIL).exists()
    data.update(
        {
            f"count-{line.pk}-{level2.pk}": "5",
            f"source-{line.pk}-{level2.pk}": "Agreed with the council, 2025",
            "newamount-0": "480.50",
        }
    )
    response = alice_client.post(month_url(APRIL), data)
    assert response.status_code == 302
    counts = {t.level.name: t.count for t in Tally.objects.filter(month=APRIL)}
    assert counts == {"Level 1": 9, "Level 2": 5}
    new = Rate.objects.get(level=level2, effective_from=APRIL)
    assert new.amount == Decimal("152.125")
    # March keeps the rate it had.
    assert Rate.objects.in_force(line, level2, MARCH).amount == 150
    assert Rate.objects.filter(level=level1).count() == 1  # unchanged: no new rate
    assert {(i.name, i.amount) for i in Income.objects.filter(month=APRIL)} == {
        ("Council", 1200),
        ("Lottery", Decimal("480.50")),
    }
    # Clearing a count takes the typed figure away.
    data = form_data(alice_client.get(month_url(APRIL)))
    data[f"count-{line.pk}-{level1.pk}"] = ""
    alice_client.post(month_url(APRIL), data)
    assert Tally.objects.filter(month=APRIL).count() == 1


def test_a_month_that_does_not_exist_is_not_found(alice_client):
    assert alice_client.get("/reports/social-value/2025/13/").status_code == 404
    assert alice_client.get("/reports/social-value/1066/10/").status_code == 404


def test_the_team_logs_a_quick_tally_with_no_name(bob_client, bob, crisis):
    page = bob_client.get(reverse("reports:tally"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Log Crisis support" in html and "Phone call" in html
    today = timezone.localdate()
    assert f'type="date" name="line{crisis.pk}-date" value="{today:%Y-%m-%d}"' in html
    for field in ("name", "person", "known_as"):
        assert f'name="line{crisis.pk}-{field}"' not in html
    response = bob_client.post(
        reverse("reports:tally"),
        {
            "line": crisis.pk,
            f"line{crisis.pk}-date": today.isoformat(),
            f"line{crisis.pk}-count": "1",
            f"line{crisis.pk}-minutes": "40",
            f"line{crisis.pk}-kind": "Phone call",
        },
    )
    assert response.status_code == 302
    tally = Tally.objects.get()
    assert (tally.line, tally.date, tally.month) == (
        crisis,
        today,
        today.replace(day=1),
    )
    assert (tally.minutes, tally.kind, tally.recorded_by) == (40, "Phone call", bob)
    page = bob_client.get(reverse("reports:tally")).content.decode()
    assert "Logged 1 × Crisis support, 40 minutes" in page
    assert "You logged today" in page
    # A date to come is refused, and what was typed stays.
    response = bob_client.post(
        reverse("reports:tally"),
        {
            "line": crisis.pk,
            f"line{crisis.pk}-date": (today + dt.timedelta(days=2)).isoformat(),
            f"line{crisis.pk}-count": "1",
            f"line{crisis.pk}-minutes": "25",
        },
    )
    assert response.status_code == 400
    assert "That date is in the future." in response.content.decode()
    assert 'value="25"' in response.content.decode()
    empty = bob_client.post(
        reverse("reports:tally"), {"line": crisis.pk, f"line{crisis.pk}-count": "1"}
    )
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    # Taken back, by whoever logged it.
    bob_client.post(reverse("reports:tally_undo", args=[tally.pk]))
    assert not Tally.objects.exists()


def test_someone_elses_tally_and_lines_are_out_of_reach(
    client, bob, charlie, crisis, other_org
):
    tally = Tally.objects.create(
        line=crisis, date=timezone.localdate(), recorded_by=bob
    )
    theirs = ValueLine.objects.create(
        organisation=other_org,
        name="Theirs",
        unit="a call",
        source=TYPED,
        quick_tally=True,
    )
    client_for(client, charlie)
    assert "Crisis support" not in client.get(reverse("reports:tally")).content.decode()
    assert (
        client.post(reverse("reports:tally_undo", args=[tally.pk])).status_code == 404
    )
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("reports:tally"),
        {
            "line": crisis.pk,
            f"line{crisis.pk}-date": today,
            f"line{crisis.pk}-count": 1,
        },
    )
    assert response.status_code == 404
    assert Tally.objects.count() == 1
    for name in ("reports:value_line_edit", "reports:value_rates"):
        assert client.get(reverse(name, args=[crisis.pk])).status_code == 404
    assert (
        client.get(reverse("reports:value_rates", args=[theirs.pk])).status_code == 200
    )


def test_the_door_links_to_the_quick_tally(bob_client, site):
    html = bob_client.get(reverse("attendance:today", args=[site.pk])).content.decode()
    assert reverse("reports:tally") in html


@pytest.mark.parametrize(
    "name, args",
    [
        ("reports:value_line_new", []),
        ("reports:value_month", [2025, 4]),
        ("reports:value_export", ["csv"]),
    ],
)
def test_facilitators_may_not_change_the_framework(bob_client, name, args):
    assert bob_client.get(reverse(name, args=args)).status_code == 403


def test_wrong_methods_are_refused(alice_client, bob_client, peers):
    assert alice_client.get(reverse("reports:value_import")).status_code == 405
    delete = reverse("reports:value_line_delete", args=[peers[0].pk])
    assert alice_client.get(delete).status_code == 405
    assert bob_client.get(reverse("reports:tally_undo", args=[1])).status_code == 405


def test_a_funder_who_asks_for_all_income(alice_client, org, framework):
    template = ReportTemplate.objects.create(
        organisation=org,
        name="Trust",
        sections=["social_value"],
        cost_basis="income",
    )
    html = alice_client.get(
        reverse("reports:view"),
        {"template": template.pk, "period": "custom", "start": "2025-04-01"}
        | {"end": "2025-06-30"},
    ).content.decode()
    # 72,573.1272 / 19,003 = 3.8190
    assert "Return per £1 of all income" in html
    assert "For every £1 of our income, the work was worth £3.82" in html


# The spreadsheet, in and out.


def upload(client, content: bytes, name: str, org=None):
    data = {"framework-file": SimpleUploadedFile(name, content)}
    if org is not None:
        data["org"] = org.pk
    return client.post(reverse("reports:value_import"), data)


def confirm(client, response, org=None):
    token = response.context["token"]
    assert token, response.content.decode()[:3000]
    data = {"token": token}
    if org is not None:
        data["org"] = org.pk
    return client.post(reverse("reports:value_import"), data)


def tables(org, sites=()) -> dict:
    report = build_report(
        Options(
            organisation=org,
            period=Period(APRIL, dt.date(2025, 6, 30)),
            sites=list(sites),
            all_sites=True,
            sections=["social_value"],
        )
    )
    return {key: table.html_rows() for key, table in report.tables().items()}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_imported_into_an_empty_organisation_gives_the_same_table(
    client, alice, charlie, org, site, other_org, framework, fmt
):
    ValueLine.objects.filter(organisation=other_org).delete()
    Income.objects.filter(organisation=other_org).delete()
    client_for(client, alice)
    exported = client.get(reverse("reports:value_export", args=[fmt]))
    assert exported.status_code == 200
    assert exported["Content-Disposition"].endswith(
        f'social-value-{org.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"'
    )
    client_for(client, charlie)
    checked = upload(client, exported.content, f"framework.{fmt}")
    assert checked.status_code == 200
    assert "Check, then confirm" in checked.content.decode()
    assert not ValueLine.objects.filter(organisation=other_org).exists()  # dry run
    done = confirm(client, checked)
    assert done.status_code == 302
    assert tables(other_org)["social_value"] == tables(org, [site])["social_value"]
    assert tables(other_org) == tables(org, [site])
    names = set(Income.objects.filter(organisation=other_org).values_list("name"))
    assert names == {("Council",), ("Lottery",)}
    # And the same file again changes nothing.
    again = upload(client, exported.content, f"framework.{fmt}")
    assert {row["label"] for row in again.context["preview"]["rows"]} == {"No change"}
    rates = Rate.objects.filter(line__organisation=other_org).count()
    confirm(client, again)
    assert Rate.objects.filter(line__organisation=other_org).count() == rates
    assert tables(other_org) == tables(org, [site])


def test_the_export_has_the_columns_the_issue_asks_for(alice_client, framework):
    exported = alice_client.get(reverse("reports:value_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:6]) == ["month", "line", "level", "count", "rate", "source"]
    assert "income" in rows[0] and "amount" in rows[0]
    paid = next(r for r in rows if r[0] == "2025-05" and r[2] == "Paid team")
    assert [str(v) for v in paid[1:6]] == [
        "Leadership",
        "Paid team",
        "60",
        "24.125",
        "Pay",
    ]


BAD = (
    "month,line,level,count,rate,source,income,amount,people\n"
    "2025-13,Leadership,Volunteers,40,12.60,RLW,,,\n"
    "2025-04,Leadership,Volunteers,-3,12.60,RLW,,,\n"
    "2025-04,Peers,,2.5,85,PS,,,yes\n"
    "2025-04,Peers2,,2,85,,,,\n"
    "2025-04,Peers3,,2,85.00001,X,,,\n"
    "2025-04,Leadership,,1,,,statutory,100,\n"
    "2025-04,,,,,,grants,100,\n"
    "2025-05,Centre usage,Level 1,10,1,X,,,\n"
    "2025-05,Leadership,Volunteers,10,12.60,RLW,,,\n"
    "2025-05,Leadership,volunteers,11,12.60,RLW,,,\n"
)


def test_a_spreadsheet_with_problems_is_explained_row_by_row(
    alice_client, org, framework
):
    before = Tally.objects.count()
    response = upload(alice_client, BAD.encode(), "framework.csv")
    assert response.status_code == 400
    assert response.context["token"] is None
    problems = {
        row["number"]: " ".join(row["problems"])
        for row in response.context["preview"]["rows"]
    }
    assert problems == {
        2: "month: Please write the month like 2025-04.",
        3: "count: Please give a number of nought or more.",
        4: "count: This counts people: please give a whole number.",
        5: "source: Please say where the rate comes from (the published table or "
        "agreement, with its year).",
        6: "rate: Up to 4 decimal places, please.",
        7: "income: A row is either a value line or income: this one has both. Put "
        "income on a row of its own.",
        8: "income: Please put statutory or other.",
        9: "level: “Centre usage” is counted from your records, so it has no levels.",
        11: "An earlier row already gives Leadership: volunteers for May 2025. Please "
        "keep just one.",
    }
    assert "Nothing has been imported." in response.content.decode()
    assert Tally.objects.count() == before


def test_the_import_command_checks_then_imports(org, tmp_path):
    path = tmp_path / "framework.csv"
    path.write_text(
        "month,line,level,count,rate,source,income,amount,income_name\n"
        "2023-04,Leadership,Volunteers,40,12.60,RLW 2023,,,\n"
        "2023-05,Leadership,Volunteers,41,12.60,RLW 2023,,,\n"
        "2023-06,Leadership,Volunteers,38,13.15,RLW 2024,,,\n"
        "2023-04,,,,,,statutory,1000,Council\n",
        encoding="utf-8",
    )
    call_command("import_social_value", str(path), "--org", org.slug, "--dry-run")
    assert not ValueLine.objects.exists()
    call_command("import_social_value", str(path), "--org", org.slug)
    line = ValueLine.objects.get()
    assert (line.name, line.source, line.levels.get().name) == (
        "Leadership",
        TYPED,
        "Volunteers",
    )
    assert [(r.effective_from, r.amount) for r in line.rates.all()] == [
        (dt.date(2023, 4, 1), Decimal("12.60")),
        (dt.date(2023, 6, 1), Decimal("13.15")),
    ]
    assert Income.objects.get().name == "Council"
    path.write_text("month,line,count\n2023-04,Leadership,-1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_social_value", str(path), "--org", org.slug)
    with pytest.raises(CommandError, match="No organisation"):
        call_command("import_social_value", str(path), "--org", "nope")


def test_rates_come_out_right_whatever_the_order_of_the_rows(org, tmp_path):
    path = tmp_path / "framework.csv"
    path.write_text(
        "month,line,count,rate,source\n"
        "2023-07,Calls,5,2.00,A\n"
        "2023-06,Calls,5,3.00,B\n"
        "2023-04,Calls,5,2.00,A\n"
        "2023-05,Calls,5,2.00,A\n",
        encoding="utf-8",
    )
    call_command("import_social_value", str(path), "--org", org.slug)
    rates = Rate.objects.order_by("effective_from")
    assert [(r.effective_from.month, r.amount) for r in rates] == [
        (4, 2),
        (6, 3),
        (7, 2),
    ]


def test_an_export_with_no_framework_is_just_the_headings(alice_client):
    response = alice_client.get(reverse("reports:value_export", args=["csv"]))
    assert response.content.decode("utf-8-sig").splitlines() == [
        "month,line,level,count,rate,source,low,high,unit,people,income,amount,"
        "income_name"
    ]


def test_two_years_of_a_spreadsheet_load_in_one_go(alice_client, org):
    rows = ["month,line,level,count,rate,source,income,amount"]
    month = dt.date(2023, 4, 1)
    for n in range(24):
        label = f"{month:%Y-%m}"
        rate, source = ("12.60", "RLW 2023") if n < 12 else ("13.15", "RLW 2024")
        for level, hours in (("Volunteers", 40 + n), ("Paid team", 60)):
            rows.append(f"{label},Leadership,{level},{hours},{rate},{source}")
        for level, people in (("Level 1", 10), ("Level 2", 6), ("Level 3", 3)):
            rows.append(f"{label},Peer support,{level},{people},85,Agreed 2023")
        rows.append(f"{label},Crisis support,,{n % 7},180,Crisis team cost")
        rows.append(f"{label},,,,,,statutory,1500")
        rows.append(f"{label},,,,,,other,{200 + n}.50")
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    checked = upload(alice_client, "\n".join(rows).encode(), "two-years.csv")
    assert checked.status_code == 200, checked.content.decode()[:2000]
    assert "192 rows checked" in checked.content.decode()
    assert confirm(alice_client, checked).status_code == 302
    assert Tally.objects.filter(line__organisation=org).count() == 24 * 6
    assert Income.objects.filter(organisation=org).count() == 48
    volunteers = ValueLevel.objects.get(name="Volunteers")
    # One rate from the first month, one from the month it changed.
    assert [(r.effective_from, r.amount) for r in volunteers.rates.all()] == [
        (dt.date(2023, 4, 1), Decimal("12.60")),
        (dt.date(2024, 4, 1), Decimal("13.15")),
    ]
