"""Settings of the load test's server (``benchmarks/load_save.py``): the project's settings,
with a fast password hasher so that the 60 seconds measure saving points, not 50 PBKDF2
logins (about 0.55 s of CPU each on this machine). ``load_save.py --real-hasher`` runs
with the project's settings unchanged."""

from parindex.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
