"""A web or API process does not pay for matplotlib until it draws a chart, nor for numpy
and Polars until it imports dossiers or judges a period on the fly."""

import os
import subprocess
import sys

CHECK = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
import parindex.api.main
heavy = [m for m in ("matplotlib", "pandas", "numpy", "polars") if m in sys.modules]
assert not heavy, heavy
"""


def test_the_url_configuration_does_not_import_matplotlib_numpy_or_polars():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parindex.config.settings"}
    env.setdefault("PARINDEX_SECRET_KEY", "t")
    done = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
