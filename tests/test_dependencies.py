"""Dependencies point one way (DESIGN.md): general helpers live in peerspace/,
signposting takes only the Person model (whom a signpost was for) from
attendance, and nothing imports the reports."""

import ast
from pathlib import Path

import pytest

from attendance.forms import PersonForm
from signposting.forms import ServiceForm

ROOT = Path(__file__).resolve().parent.parent


def imports(app: str) -> set[tuple[str, str, str]]:
    """(file, module, name) for every `from X import name` in an app's code."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    found.add((str(path.relative_to(ROOT)), node.module, alias.name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    found.add((str(path.relative_to(ROOT)), alias.name, ""))
    return found


def test_signposting_takes_only_the_person_model_from_attendance():
    taken = {
        (module, name)
        for _, module, name in imports("signposting")
        if module.split(".")[0] == "attendance"
    }
    assert taken <= {("attendance.models", "Person")}


@pytest.mark.parametrize("app", ["attendance", "signposting", "safeguarding"])
def test_nothing_imports_the_reports(app):
    assert not [i for i in imports(app) if i[1].startswith("peerspace.reports")]


def test_attendance_uses_neither_signposting_nor_safeguarding():
    assert not [
        i
        for i in imports("attendance")
        if i[1].split(".")[0] in ("signposting", "safeguarding")
    ]


@pytest.mark.parametrize(
    "typed,kept", [("wn11aa", "WN1 1AA"), (" m1 1ae ", "M1 1AE"), ("", "")]
)
def test_a_person_and_a_service_keep_a_postcode_the_same_way(org, typed, kept):
    person = PersonForm({"known_as": "Jo", "postcode": typed}, organisation=org)
    service = ServiceForm({"name": "Jo's", "postcode": typed}, organisation=org)
    person.is_valid(), service.is_valid()
    assert person.cleaned_data["postcode"] == service.cleaned_data["postcode"] == kept


def test_a_person_and_a_service_refuse_the_same_postcodes_and_phones(org):
    bad = {"postcode": "NOWHERE", "phone": "call me"}
    person = PersonForm({"known_as": "Jo", **bad}, organisation=org)
    service = ServiceForm({"name": "Jo's", **bad}, organisation=org)
    assert not person.is_valid() and not service.is_valid()
    for field in bad:
        assert person.errors[field] == service.errors[field]
