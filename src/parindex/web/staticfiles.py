"""Static files for production (issue 13 part 6): hashed names, gzip copies, collected once.

:class:`StaticStorage` is WhiteNoise's compressed manifest storage with gzip only — brotli at
its default quality costs several times the CPU of gzip for every file at every collect
(≈40 s of CPU for Django's admin, the API docs and our files) for files ~15 % smaller — and
only the hashed copies kept (the unhashed names are never referenced once the manifest
exists; WhiteNoise still finds them in the apps).

:func:`collect_static` runs ``collectstatic`` when the sources changed since the last run
(a fingerprint of every file the finders see), so that ``parindex serve`` restarts quickly.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

STAMP = ".parindex-static-stamp"


class StaticStorage(CompressedManifestStaticFilesStorage):
    keep_only_hashed_files = True

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(use_brotli=False, **kwargs)


def sources_fingerprint() -> str:
    """Path, size and modification time of every static source file the finders see."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            st = os.stat(storage.path(path))
            entries.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    for line in sorted(entries):
        digest.update(line.encode())
    return digest.hexdigest()


def collect_static(*, force: bool = False) -> bool:
    """Collect, hash and compress the static files into ``STATIC_ROOT`` unless nothing
    changed since the last run. True when it ran."""
    from django.conf import settings
    from django.core.management import call_command

    if not settings.STATIC_MANIFEST:
        raise RuntimeError("collect_static needs PARINDEX_STATIC_MANIFEST before django.setup()")
    root = settings.STATIC_ROOT
    stamp = root / STAMP
    fingerprint = sources_fingerprint()
    manifest = root / "staticfiles.json"
    if not force and manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    stamp.write_text(fingerprint)
    return True
