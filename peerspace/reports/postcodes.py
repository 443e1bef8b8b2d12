"""UK postcode districts (the outward code: "WN1" of "WN1 3AB")."""

import re

OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def district(postcode: str) -> str:
    """The district of a postcode as typed; "" if none given, "?" if unclear.

    A full postcode's inward code is always three characters, so the district is
    what comes before them, with or without a space; a district alone is kept.
    """
    text = re.sub(r"\s+", "", (postcode or "").upper())
    if not text:
        return ""
    for candidate in (text[:-3], text):
        if OUTWARD.match(candidate) and (
            candidate == text or re.match(r"^[0-9][A-Z]{2}$", text[-3:])
        ):
            return candidate
    return "?"
