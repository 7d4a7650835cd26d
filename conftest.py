"""Suite-wide test settings."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Persona tests create many users; PBKDF2's deliberate slowness (≈0.5 s a hash on this
    # hardware) would dominate the run. Production keeps Django's default hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: The shared test world (:class:`parindex.testing.World`) as the ``world`` fixture.
pytest_plugins = ["parindex.testing"]
