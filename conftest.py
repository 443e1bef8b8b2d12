import pytest
from cryptography.fernet import Fernet

TEST_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True, scope="session")
def _fast_and_keyed():
    """Fast hashing and a throwaway encryption key for the whole run."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.FIELD_ENCRYPTION_KEYS = [TEST_KEY]
    yield
