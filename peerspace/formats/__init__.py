"""Date and number formats Django's own don't give us (FORMAT_MODULE_PATH).

English is British English with dates written out ("6 January 2025"), as the
pages always wrote them. Urdu has no formats in Django, which would leave it
American ("January 6, 2025"); it gets the day-month-year order used in
Pakistan and the UK. Every other language uses Django's formats for it.
"""
