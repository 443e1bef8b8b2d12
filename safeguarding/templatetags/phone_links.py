"""Phone numbers in typed text as links a phone can call in one tap.

For the "if someone is in danger right now" panel, where the safeguarding
lead's typed contacts and local numbers must each be a tap, not something to
copy out under stress.
"""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from signposting.qr import tel_payload

register = template.Library()

# UK numbers as people write them ("01942 828777", "(01942) 828 777",
# "+44 7700 900555", "0800 1111"), and the short numbers that matter here
# (999, 112, 111, 101, 116 123 and the other 116 helplines). One line at most.
PHONE = re.compile(
    r"""(?<![\w+])(
        (?:\+\d|\(?0)[\d ()-]{6,17}\d
        | (?:999|112|111|101|116[ ]?\d{3})
    )(?![\w])""",
    re.VERBOSE,
)


def _is_phone_number(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    if text[0] in "(0":
        return 8 <= digits <= 11
    if text.startswith("+"):
        return 8 <= digits <= 15
    return True  # a short number the pattern named


@register.filter
def phone_links(text: str) -> SafeString:
    """The text, escaped, with each phone number in it a tel: link."""
    parts = []
    last = 0
    for match in PHONE.finditer(text or ""):
        number = match.group(1)
        if not _is_phone_number(number):
            continue
        parts.append(escape(text[last : match.start(1)]))
        # "+44 (0)161 ...": the (0) is dialled only from inside the UK.
        dial = tel_payload(number.replace("(0)", ""))
        parts.append(format_html('<a class="tel" href="{}">{}</a>', dial, number))
        last = match.end(1)
    parts.append(escape((text or "")[last:]))
    return mark_safe("".join(str(p) for p in parts))
