"""Every shape an Open Referral API or file comes in, turned into service records.

A full service, a page of a service list, an organisation with its services, a
service at a location, a location, taxonomy terms: each becomes a Batch of
service records plus what the preview should say about it.
"""

from django.utils.translation import gettext as _

ORGANIZATION_KEYS = {
    "website",
    "legal_status",
    "year_incorporated",
    "tax_status",
    "tax_id",
    "logo",
    "organization_identifiers",
    "parent_organization_id",
    "programs",
    "locations",
    "additional_websites",
}
LOCATION_KEYS = {
    "location_type",
    "addresses",
    "latitude",
    "longitude",
    "transportation",
    "accessibility",
}
TERM_KEYS = {"taxonomy_id", "parent_id", "code", "taxonomy_detail", "term_uri", "term"}


class Batch(list):
    """Service records read from a file or a feed, and what came with them."""

    def __init__(self, records=(), *, partial: bool = False):
        super().__init__(records)
        # Summaries (a list page): update only the fields each record carries.
        self.partial = partial
        # Lists merged by id into what is held rather than replacing it.
        self.merge_by_id: set[str] = set()
        self.notes: list[str] = []
        self.terms: list[dict] = []  # taxonomy terms, to add as categories
        self.locations: list[dict] = []  # to update where held services are
        self.unlinked: list[str] = []  # CSV rows that belong to no service

    def to_json(self) -> dict:
        return {
            "records": list(self),
            "partial": self.partial,
            "merge_by_id": sorted(self.merge_by_id),
            "notes": self.notes,
            "terms": self.terms,
            "locations": self.locations,
            "unlinked": self.unlinked,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Batch":
        batch = cls(data.get("records", []), partial=data.get("partial", False))
        batch.merge_by_id = set(data.get("merge_by_id", []))
        for key in ("notes", "terms", "locations", "unlinked"):
            setattr(batch, key, list(data.get(key, [])))
        return batch


def kind_of(obj) -> str | None:
    """Which HSDS object this is, from the fields it has."""
    if not isinstance(obj, dict):
        return None
    keys = set(obj)
    if isinstance(obj.get("service"), dict):
        return "service_at_location"
    if isinstance(obj.get("services"), list):
        return "organization"
    if "status" in keys:
        return "service"
    if "openapi_url" in keys or {"version", "profile"} <= keys:
        return "api"
    if keys & LOCATION_KEYS:
        return "location"
    if keys & TERM_KEYS or isinstance(obj.get("taxonomy"), str):
        return "taxonomy_term"
    if keys & ORGANIZATION_KEYS:
        return "organization"
    if "version" in keys or "uri" in keys:
        return "taxonomy"
    return None


def _name(obj: dict) -> str:
    name = obj.get("name")
    return f" (“{name.strip()[:60]}”)" if isinstance(name, str) and name.strip() else ""


def batch_from_document(document, error, max_records: int) -> Batch:
    """A Batch from parsed JSON; `error` is the exception to raise for a file we
    can't use, with a message a coordinator can act on."""
    page = None
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items, partial = document["contents"], True
        page = (document.get("page_number"), document.get("total_pages"))
    elif isinstance(document, list):
        items, partial = document, False
    elif isinstance(document, dict) and (
        kind_of(document) or "id" in document or "name" in document
    ):
        items, partial = [document], False
    else:
        raise error(
            _(
                "We couldn't find any services in that file. It should be one service, "
                "a list of services, or a page from an Open Referral API."
            )
        )
    first = next((i for i in items if isinstance(i, dict)), None)
    kind = kind_of(first)
    batch = Batch(partial=partial)
    if kind == "api":
        raise error(
            _(
                "That's the front page of an Open Referral API, which has no services "
                "in it. Give us its web address instead and we'll fetch every page of "
                "its services."
            )
        )
    if kind == "service_at_location":
        by_id: dict = {}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("service"), dict):
                continue
            service = by_id.setdefault(
                str(item["service"].get("id")), dict(item["service"])
            )
            here = {k: v for k, v in item.items() if k != "service"}
            service["service_at_locations"] = [
                *service.get("service_at_locations", []),
                here,
            ]
        batch.extend(by_id.values())
        batch.merge_by_id.add("service_at_locations")
    elif kind == "organization":
        for item in items:
            if not isinstance(item, dict):
                continue
            services = item.get("services")
            parent = {k: v for k, v in item.items() if k != "services"}
            if not isinstance(services, list) or not services:
                batch.notes.append(
                    f"The organisation{_name(item)} has no services listed with it, "
                    "so nothing of it is imported."
                )
                continue
            for service in services:
                if isinstance(service, dict) and "organization" not in service:
                    service = {**service, "organization": parent}
                batch.append(service)
        if not batch:
            raise error(
                _(
                    "That's a list of organisations without their services, so there's "
                    "nothing to import. Export each organisation in full (with its "
                    "services), or give us the directory's web address."
                )
            )
    elif kind == "location":
        batch.locations = [i for i in items if isinstance(i, dict)]
        batch.partial = True
    elif kind == "taxonomy_term":
        batch.terms = [i for i in items if isinstance(i, dict)]
    elif kind == "taxonomy":
        raise error(
            _(
                "That's a taxonomy (a list's name and description) without its terms, "
                "so there are no categories in it to add. Import its taxonomy terms "
                "instead."
            )
        )
    else:
        batch.extend(items)
    if page and isinstance(page[1], int) and page[1] > 1:
        batch.notes.insert(
            0,
            f"This is page {page[0]} of {page[1]} of a longer list, so only what's "
            "on this page would be imported. To import them all, subscribe to the "
            "directory's web address and we'll fetch every page.",
        )
    if partial and kind in (None, "service", "service_at_location", "organization"):
        batch.notes.append(
            "A list page carries only a summary of each service: new ones are added "
            "and the details the page shows are updated. Anything it doesn't show "
            "(phones, opening times, addresses…) stays as you have it."
        )
    if not (batch or batch.terms or batch.locations):
        raise error(_("That file has no services in it."))
    if len(batch) > max_records:
        raise error(
            _(
                "That file has %(count)s services; please import %(max_records)s or fewer at a time."
            )
            % {"count": f"{len(batch):,}", "max_records": f"{max_records:,}"}
        )
    return batch
