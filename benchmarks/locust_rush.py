"""Locust scenario of the deadline rush (issue 9, part 9), for ``load_save.py --scenario
rush``: every unit's staff member logs in (``locustfile.UnitStaff``) and then, in the
proportions of the last evening before the self-assessment deadline (think time 1–4 s
unless LOAD_WAIT_MIN / LOAD_WAIT_MAX say otherwise), saves points through
the page's autosave (6), uploads a small PDF as evidence of a leaf through the page's
upload form (1), and opens the dashboards: the home page and the unit's self-assessment
page (2).

Each upload must answer 200 with the leaf partial (whose new version the next save of that
leaf sends, as the page does); the number of successful uploads is
written to ``LOAD_UPLOADS`` at the end so the driver can compare it with the evidence rows
and files stored. Saves are checked as in ``locustfile.py``.
"""

from __future__ import annotations

import os
import threading

from locust import events

import locustfile

_lock = threading.Lock()
UPLOADS = [0]


def pdf_bytes(text: str) -> bytes:
    """A minimal valid one-page PDF (the evidence validator parses it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class RushStaff(locustfile.UnitStaff):
    # One connection per request, as nginx talks to gunicorn (HTTP/1.0 upstream, no
    # keep-alive): a reused connection that gunicorn closes after its 2 s keep-alive made
    # POSTs fail with no HTTP answer (status 0), which is the load generator's race, not
    # the app's (docs/deployment.md).
    default_headers = {"Connection": "close"}

    def on_start(self) -> None:
        super().on_start()
        self.uploads = 0
        self.page = f"/phieu/{self.leaves[0][0].split('/')[2]}/"

    def upload(self) -> None:
        leaf = self.leaves[self.uploads % len(self.leaves)]
        url = leaf[0]
        self.uploads += 1
        name = f"minh-chung-{self.number:03d}-{self.uploads:04d}.pdf"
        with self.client.post(
            f"{url}tai-lieu/tai-len/",
            data={"csrfmiddlewaretoken": self.csrf, "title": name},
            files={"file": (name, pdf_bytes(name), "application/pdf")},
            headers={"HX-Request": "true"},
            name="upload",
            catch_response=True,
        ) as r:
            found = locustfile.VERSION.search(r.text or "") if r.status_code == 200 else None
            if found is None or name not in (r.text or ""):
                r.failure(f"upload {url}: {r.status_code} {(r.text or '')[:200]!r}")
                return
            leaf[1] = int(found.group(1))  # the leaf's new version, as the page takes it
        with _lock:
            UPLOADS[0] += 1

    def dashboard(self) -> None:
        for url, name in (("/", "home"), (self.page, "assessment page")):
            with self.client.get(url, name=name, catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"{url}: {r.status_code}")

    tasks = {locustfile.UnitStaff.save: 6, upload: 1, dashboard: 2}


@events.test_stop.add_listener
def _write_uploads(environment, **kwargs) -> None:  # type: ignore[no-untyped-def]
    path = os.environ.get("LOAD_UPLOADS")
    if path:
        with _lock, open(path, "w", encoding="utf-8") as f:
            f.write(str(UPLOADS[0]))
