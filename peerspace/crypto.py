"""Encryption of sensitive free text at rest.

Keys come from settings.FIELD_ENCRYPTION_KEYS (never SECRET_KEY). The first key
encrypts; every key decrypts, so keys can be rotated. A value that no key can
decrypt raises: we fail closed rather than show ciphertext as text.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"


class DecryptionError(Exception):
    """Stored text could not be decrypted with any configured key."""


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
