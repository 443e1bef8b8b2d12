# Only what differs from Django's en_GB: dates written out in full, as the
# pages always wrote them.
DATE_FORMAT = "j F Y"  # 6 January 2025
