"""The commands for bulk moves and the daily job."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from signposting.models import DirectorySettings, Service

EXAMPLES = Path(__file__).resolve().parents[2] / "signposting/standards/hsds/examples"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_dry_run_says_what_would_happen_and_changes_nothing(org):
    out = run(
        "import_open_referral",
        str(EXAMPLES / "service_full.json"),
        "--org",
        org.slug,
        "--dry-run",
    )
    assert "1 to add, 0 to change, 0 unchanged: 1 new (Community Counselling)" in out
    assert "Dry run: nothing was changed." in out
    assert not Service.objects.exists()


def test_it_imports_a_csv_package_folder_and_names_rows_it_leaves(org):
    out = run("import_open_referral", str(EXAMPLES / "csv"), "--org", org.slug)
    assert "service_at_location.csv row 2: none of its services" in out
    assert Service.objects.get(organisation=org).name == "Community Counselling"


def test_it_exports_json_and_the_csv_package(org, services, tmp_path):
    run("export_open_referral", "--org", org.slug, "--out", str(tmp_path / "d.json"))
    document = json.loads((tmp_path / "d.json").read_text())
    assert sorted(s["name"] for s in document) == sorted(
        s.name for s in services.values()
    )
    run("export_open_referral", "--org", org.slug, "--out", str(tmp_path / "d.zip"))
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        assert {"services.csv", "service_at_location.csv", "datapackage.json"} <= set(
            zf.namelist()
        )
    with pytest.raises(CommandError, match="should end in .json or .zip"):
        run("export_open_referral", "--org", org.slug, "--out", str(tmp_path / "d.txt"))


def test_bad_input_is_a_clear_command_error(org, tmp_path):
    (tmp_path / "deep.json").write_bytes(b"[" * 100_000)
    with pytest.raises(CommandError, match="nested more than 24 levels"):
        run("import_open_referral", str(tmp_path / "deep.json"), "--org", org.slug)
    with pytest.raises(CommandError, match="no organisation “nobody”"):
        run("import_open_referral", str(tmp_path / "deep.json"), "--org", "nobody")
    with pytest.raises(CommandError, match="no file or folder"):
        run("import_open_referral", str(tmp_path / "nothing.json"), "--org", org.slug)


def test_it_imports_every_page_of_an_api(
    live_server, transactional_db, org, other_org, make_service, settings
):
    settings.FEEDS_ALLOW_INSECURE, settings.FEED_DELAY_MS = True, 0
    DirectorySettings.objects.create(organisation=other_org, open_api=True)
    for name in ["One", "Two", "Three"]:
        make_service(other_org, name)
    api = live_server.url + reverse("signposting:api_services", args=[other_org.slug])
    out = run("import_open_referral", api + "?per_page=1", "--org", org.slug)
    assert "3 to add" in out
    assert Service.objects.filter(organisation=org).count() == 3
    # One service by its own address: just that document.
    one = Service.objects.get(organisation=other_org, name="Two")
    url = live_server.url + reverse(
        "signposting:api_service", args=[other_org.slug, one.hsds_id]
    )
    assert "0 to add, 0 to change, 1 unchanged" in run(
        "import_open_referral", url, "--org", org.slug
    )


def test_check_feeds_says_which_feed_could_not_be_read(org, settings):
    from signposting.models import Feed

    settings.FEEDS_ALLOW_INSECURE = False
    Feed.objects.create(organisation=org, url="http://plain.example/api/", name="Plain")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 feed"):
        call_command("check_feeds", stdout=io.StringIO(), stderr=err)
    assert (
        "mended: Plain: couldn't be read: That address starts http://" in err.getvalue()
    )
    assert Feed.objects.get().last_error.startswith("That address starts http://")
