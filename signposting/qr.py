"""QR codes for the printed posters and cards, drawn by segno.

PNG data: URIs, so WeasyPrint needs no network or file access to draw them,
at one pixel per module: the stylesheet scales them up with sharp edges.
"""

import segno


def tel_payload(phone: str) -> str:
    """A tel: link a phone camera will offer to call: +44 for a UK number."""
    digits = "".join(c for c in phone if c in "+0123456789")
    if digits.startswith("0"):
        digits = "+44" + digits[1:]
    return "tel:" + digits


def data_uri(payload: str) -> str:
    # Error correction M: survives a crease or a bit of glare on a laminated poster.
    return segno.make(payload, error="m", micro=False).png_data_uri(scale=1, border=4)
