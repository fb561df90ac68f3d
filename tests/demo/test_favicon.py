"""The sandbox's icon: linked from its pages and answered at /favicon.ico."""

from __future__ import annotations

from werkzeug.test import Client

from koula_demo.sandbox import Sandbox
from koula_demo.store import StateStore


def test_the_sandbox_answers_favicon_ico_and_links_it_from_its_pages(tmp_path):
    sandbox = Sandbox(0, StateStore(tmp_path / "sandbox.sqlite3"), mailbox=tmp_path / "mailbox")
    try:
        client = Client(sandbox.wsgi_app())
        icon = client.get("/favicon.ico")
        page = client.get("/mailbox").get_data(as_text=True)
    finally:
        sandbox.close()

    assert icon.status_code == 200
    assert icon.headers["Content-Type"] == "image/svg+xml"
    assert icon.get_data().startswith(b"<svg")
    assert '<link rel="icon" href="/favicon.ico" type="image/svg+xml">' in page
