"""Suite-wide test settings."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# No timed assertion in the suite: Hypothesis' per-example deadline (200 ms by default) is
# one, and it fails on a loaded machine with nothing wrong in the code. Speed is measured in
# benchmarks/.
hypothesis_settings.register_profile("parindex", deadline=None)
hypothesis_settings.load_profile("parindex")

#: The checkout's own data folder (the demo's and the command line's database, evidence
#: files): the suite must never write into it.
REPO_VAR = Path(__file__).resolve().parent / "var"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def pytest_configure(config: pytest.Config) -> None:
    """Point every data folder of the run at a temporary directory: Django's settings (read
    by pytest-django before this conftest, hence set here too) and the environment that the
    command-line tests' subprocesses inherit."""
    data = Path(tempfile.mkdtemp(prefix="parindex-test-data-"))
    (data / "static").mkdir()  # WhiteNoise warns about a missing static folder
    config.stash[_DATA] = data
    config.stash[_VAR] = _snapshot(REPO_VAR)
    os.environ["PARINDEX_DATA_DIR"] = str(data)
    os.environ["PARINDEX_MEDIA_ROOT"] = str(data / "media")
    # Two-factor authentication stays optional in the suite (the personas sign in with a
    # password or force_login); the two-factor tests require it with override_settings.
    os.environ["PARINDEX_REQUIRE_2FA"] = "false"
    from django.conf import settings

    if settings.configured:
        settings.DATA_DIR = data
        settings.MEDIA_ROOT = data / "media"
        settings.STATIC_ROOT = data / "static"
        settings.PARINDEX_REQUIRE_2FA = False


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _VAR in config.stash and _snapshot(REPO_VAR) != config.stash[_VAR]:
        print(f"\nLỗi: bộ kiểm thử đã ghi vào {REPO_VAR} (phải dùng thư mục tạm).")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if _DATA in config.stash:
        shutil.rmtree(config.stash[_DATA], ignore_errors=True)


_DATA = pytest.StashKey[Path]()
_VAR = pytest.StashKey[dict[str, tuple[int, int]]]()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Persona tests create many users; PBKDF2's deliberate slowness (≈0.5 s a hash on this
    # hardware) would dominate the run. Production keeps Django's default hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: The shared test world (:class:`parindex.testing.World`) as the ``world`` fixture.
pytest_plugins = ["parindex.testing"]
