"""Encryption of sensitive free text at rest.

Keys come from settings.FIELD_ENCRYPTION_KEYS (never SECRET_KEY). The first key
encrypts; every key decrypts, so keys can be rotated. A value that no key can
decrypt raises: we fail closed rather than show ciphertext as text. Reading a
record through the ORM turns such a value into `Unreadable` (see
peerspace.fields), so one damaged note can't take down a page of many people.
"""

import hashlib
import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"
UNREADABLE_TEXT = "This note can't be read: tell your coordinator."
# Each unreadable value is logged once per process; past this many we stop
# remembering (and logging) them rather than grow without bound.
LOG_ONCE_LIMIT = 1000

logger = logging.getLogger(__name__)
_logged: set[str] = set()


class DecryptionError(Exception):
    """Stored text could not be decrypted with any configured key."""


class WrongKeys(ImproperlyConfigured):
    """FIELD_ENCRYPTION_KEYS can't read this database (see peerspace.models)."""


class Unreadable(str):
    """A stored value no configured key can decrypt, as pages see it.

    It reads as the placeholder, never as the ciphertext. It keeps the stored
    token so that saving the record writes back what was there, and
    EncryptedTextField refuses to put it in a form or store the placeholder.
    """

    def __new__(cls, stored: str):
        value = super().__new__(cls, UNREADABLE_TEXT)
        value.stored = stored
        return value


def require_readable(data) -> None:
    """Raise if an export of one record (dicts and lists) holds a placeholder."""
    if isinstance(data, Unreadable):
        raise DecryptionError(
            "Part of this record can't be read with the configured keys, so it "
            "can't be exported whole."
        )
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, (list, tuple)):
        for item in data:
            require_readable(item)


def fingerprint(stored: str) -> str:
    """A short name for a stored value that reveals nothing of it."""
    return hashlib.sha256(stored.encode()).hexdigest()[:12]


def log_unreadable(where: str, stored: str) -> None:
    mark = fingerprint(stored)
    if mark in _logged or len(_logged) >= LOG_ONCE_LIMIT:
        return
    _logged.add(mark)
    logger.error(
        "A value in %s can't be read with FIELD_ENCRYPTION_KEYS (value %s): pages "
        "show a placeholder instead. `manage.py rotate_key --check` lists every "
        "value that can't be read.",
        where,
        mark,
    )


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "No field-encryption key. Set FIELD_ENCRYPTION_KEYS or create "
            ".field-encryption-key (make run does this for you)."
        )
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as e:
        raise ImproperlyConfigured(f"A field-encryption key is malformed: {e}") from e


def get_fernet() -> MultiFernet:
    return _multifernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(text: str) -> str:
    return PREFIX + get_fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError("Stored value is not in the encrypted format.")
    try:
        return get_fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as e:
        raise DecryptionError(
            "Encrypted text could not be read with the configured keys."
        ) from e


def rotate(stored: str) -> str:
    """Re-encrypt a stored value under the first (newest) key."""
    if not stored.startswith(PREFIX):
        raise DecryptionError("Stored value is not in the encrypted format.")
    try:
        return PREFIX + get_fernet().rotate(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as e:
        raise DecryptionError(
            "Encrypted text could not be read with the configured keys."
        ) from e
