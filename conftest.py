import pytest
from cryptography.fernet import Fernet

TEST_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True, scope="session")
def _fast_and_keyed():
    """Fast hashing and a throwaway encryption key for the whole run."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.FIELD_ENCRYPTION_KEYS = [TEST_KEY]
    # Two-factor sign-in is proved in tests/test_two_factor.py; elsewhere tests
    # log in with force_login and go straight to the feature under test.
    settings.TWO_FACTOR_ROLES = []
    yield
