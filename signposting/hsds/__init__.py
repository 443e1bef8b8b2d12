"""Open Referral UK (HSDS 3.0) in and out.

One nested shape, the "fully nested service" of the standard, is what we make and
what we read: every other shape (a list page, an organisation with its services,
a service at a location, the CSV data package) is turned into it, so all go
through the same checks.

An imported service keeps its whole record as it came; exporting it gives that
record back, with only the details a coordinator edited here put in. A service
made here is built from its details, with ids for its parts derived from the
service id, so exporting, importing and exporting again gives the same document.
Where the UK profile has no field for something we keep, we use the HSDS 3.0
core field for it (fees_description, eligibility_description,
application_process, phones, language names); the profile allows extra fields.
"""

from .export import (
    ACCESS_TAXONOMY,
    CATEGORY_TAXONOMY,
    CRISIS_TERM,
    HSDS_VERSION,
    PROFILE_URL,
    SELF_REFERRAL_TERM,
    csv_package,
    export_services,
    flag_terms,
    has_location,
    service_at_location_full,
    service_at_location_id,
    service_at_location_summary,
    service_full,
    service_summary,
    taxonomies,
    taxonomy_term,
)
from .files import ImportFileError, read_bytes, read_folder, read_upload
from .importer import ImportPlan, apply_import, label, plan_import
from .reading import carried_details, edited_here

__all__ = [
    "ACCESS_TAXONOMY",
    "CATEGORY_TAXONOMY",
    "CRISIS_TERM",
    "HSDS_VERSION",
    "PROFILE_URL",
    "SELF_REFERRAL_TERM",
    "ImportFileError",
    "ImportPlan",
    "apply_import",
    "carried_details",
    "edited_here",
    "label",
    "csv_package",
    "export_services",
    "flag_terms",
    "has_location",
    "plan_import",
    "read_bytes",
    "read_folder",
    "read_upload",
    "service_at_location_full",
    "service_at_location_id",
    "service_at_location_summary",
    "service_full",
    "service_summary",
    "taxonomies",
    "taxonomy_term",
]
