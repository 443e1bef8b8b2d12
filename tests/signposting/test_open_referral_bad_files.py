"""Every malformed file gets a clear message naming what's wrong (the record and
the field where there is one), through the page as well as the reader; never a
server error, and nothing imported."""

import html
import io
import json
import time
import uuid
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signposting import hsds
from signposting.models import Service

IMPORT = reverse("signposting:import_hsds")
TABLE_IMPORT = reverse("signposting:import_table")


def message(org, content: bytes, name="services.json") -> str:
    try:
        plan = hsds.plan_import(org, hsds.read_bytes(content, name))
    except hsds.ImportFileError as e:
        return str(e)
    assert not plan.ok
    return " ".join(plan.errors)


def posted(client, content: bytes, name: str, url=IMPORT):
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400, response.status_code
    return html.unescape(response.content.decode())


def service(**extra) -> dict:
    return {"id": str(uuid.uuid4()), "name": "Tea and Memories", "status": "active"} | (
        extra
    )


def test_a_hundred_thousand_brackets_are_refused_at_once(alice_client, org):
    start = time.monotonic()
    page = posted(alice_client, b"[" * 100_000, "deep.json")
    assert "nested more than 24 levels deep" in page
    assert "Nothing has been imported" in page
    assert time.monotonic() - start < 2


def test_a_5000_digit_number_is_refused(alice_client, org):
    content = b'[{"id": "x", "minimum_age": ' + b"9" * 5000 + b"}]"
    assert "a number 5,000 digits long" in posted(alice_client, content, "big.json")
    assert "isn't a number JSON allows" in message(org, b'[{"amount": NaN}]')
    assert "too big to use" in message(org, b'[{"amount": 1e999}]')


def _zip(files: dict[str, bytes], method=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_whose_crc_is_wrong_is_refused(alice_client, org):
    good = _zip({"services.csv": b"id,name,status\n" + b"1,Tea,active\n" * 3})
    damaged = good.replace(b"1,Tea,active", b"1,Tex,active", 1)
    assert "services.csv in that zip is damaged (Bad CRC-32" in posted(
        alice_client, damaged, "hsds.zip"
    )
    assert not Service.objects.exists()


def test_a_cost_option_whose_amount_is_text_names_the_record_and_field(
    alice_client, org
):
    record = service(cost_options=[{"id": str(uuid.uuid4()), "amount": "five pounds"}])
    page = posted(alice_client, json.dumps([record]).encode(), "services.json")
    assert (
        "Record 1 (“Tea and Memories”): cost_options[1].amount “five pounds” should "
        "be a number." in page
    )
    package = _zip(
        {
            "services.csv": b"id,name,status\nS1,Tea,active\n",
            "cost_options.csv": b"id,service_id,amount\nC1,S1,\xc2\xa35\n",
        }
    )
    assert "cost_options.csv row 2: amount “£5” should be a number." in posted(
        alice_client, package, "hsds.zip"
    )


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (service(phones="0161 000 0000"), "phones should be a list"),
        (service(organization=["x"]), "organization should be an object"),
        (service(minimum_age=[12]), "minimum_age “list” should be a number"),
        (
            service(
                service_at_locations=[{"id": "a", "location": {"latitude": "north"}}]
            ),
            "service_at_locations[1].location.latitude “north” should be a number",
        ),
        (service(description={"en": "x"}), "description should be text"),
    ],
)
def test_values_of_the_wrong_kind_are_named(org, record, expected):
    assert expected in message(org, json.dumps([record]).encode())


def test_files_of_the_wrong_kind_are_explained(alice_client, org):
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    assert "That's a spreadsheet (.xlsx)" in posted(
        alice_client, buffer.getvalue(), "services.zip"
    )
    assert "a picture or a PDF" in posted(alice_client, b"%PDF-1.7\n...", "x.json")
    assert "one table of a CSV data package" in posted(
        alice_client, b"id,number\n1,2\n", "phones.csv"
    )
    assert "password-protected" in message(
        org, _encrypted_zip(), "hsds.zip"
    ) or "damaged" in message(org, _encrypted_zip(), "hsds.zip")


def _encrypted_zip() -> bytes:
    # The "encrypted" flag set on an ordinary member, as a password-protected
    # zip has it.
    data = bytearray(_zip({"services.csv": b"id,name,status\n"}))
    data[6] |= 0x1
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1
    return bytes(data)


# --- The services spreadsheet gets the people import's limits ------------------------


def test_a_spreadsheet_of_too_many_rows_is_refused_at_once(alice_client, org):
    rows = b"id,name\n" + b",Tea\n" * 10_001
    start = time.monotonic()
    page = posted(alice_client, rows, "services.csv", TABLE_IMPORT)
    assert "more than 10,000 rows" in page
    assert time.monotonic() - start < 5
    assert not Service.objects.exists()


def test_a_workbook_that_unzips_to_something_enormous_is_refused_at_once(
    alice_client, org
):
    book = openpyxl.Workbook()
    book.active.append(["id", "name"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/padding.bin", b"\0" * (101 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024  # small to upload
    start = time.monotonic()
    page = posted(alice_client, buffer.getvalue(), "services.xlsx", TABLE_IMPORT)
    assert "This workbook is too big to import" in page
    assert time.monotonic() - start < 5


def test_a_spreadsheet_that_isnt_one_is_explained(alice_client, org):
    page = posted(alice_client, b"PK\x03\x04broken", "services.xlsx", TABLE_IMPORT)
    assert "We couldn't read this file" in page
