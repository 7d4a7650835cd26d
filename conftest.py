"""Suite-wide test settings."""

import pytest
from hypothesis import settings as hypothesis_settings

# No timed assertion in the suite: Hypothesis' per-example deadline (200 ms by default) is
# one, and it fails on a loaded machine with nothing wrong in the code. Speed is measured in
# benchmarks/.
hypothesis_settings.register_profile("parindex", deadline=None)
hypothesis_settings.load_profile("parindex")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Persona tests create many users; PBKDF2's deliberate slowness (≈0.5 s a hash on this
    # hardware) would dominate the run. Production keeps Django's default hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: The shared test world (:class:`parindex.testing.World`) as the ``world`` fixture.
pytest_plugins = ["parindex.testing"]
