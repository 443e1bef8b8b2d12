"""No admin for safeguarding records.

The Django admin would offer delete buttons and bypass the access log; every
look and change goes through the app's own views instead.
"""
