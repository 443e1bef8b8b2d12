from django.db import models

from peerspace import crypto


class EncryptedTextField(models.TextField):
    """Free text stored encrypted; empty stays empty so "nothing to say" is cheap.

    Can't be searched, ordered or indexed. simple-history copies the field type, so
    history rows stay encrypted too.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
