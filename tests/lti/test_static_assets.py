"""The pages' scripts, stylesheets and icon: hashed names kept a year, so a relaunch fetches
only its page (lti/views/basics.py, koula_ui/assets.py), read over real HTTP.

A browser's cache is played here by the rule it follows: a response whose
``Cache-Control`` says ``max-age=31536000, immutable`` is reused, without asking again,
for as long as that URL is linked.
"""

from __future__ import annotations

import re

import requests

from koula_demo.lms import browser_session
from koula_ui.assets import ASSETS, asset_text, hashed_name
from tests.lti.conftest import CLIENT_ID, CONFIGURED

KEPT_A_YEAR = "public, max-age=31536000, immutable"
LINKED = re.compile(r'(?:src|href)="([^"]*/lti/static/[^"]+)"')
HASHED = re.compile(r"/lti/static/[a-z-]+\.[0-9a-f]{12}\.(?:js|css|svg)$")


def assets_of(page: requests.Response) -> list[str]:
    return LINKED.findall(page.text)


def test_the_activity_page_links_its_assets_by_hashed_names_kept_a_year(platform, tool):
    page = platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED)
    linked = assets_of(page)
    assert linked, page.text[:2000]
    for url in linked:
        assert HASHED.search(url), url
        answer = requests.get(url, timeout=10)
        assert answer.status_code == 200, url
        assert answer.headers["Cache-Control"] == KEPT_A_YEAR, url
        plain = re.sub(r"\.[0-9a-f]{12}\.", ".", url)
        assert answer.text == requests.get(plain, timeout=10).text


def test_a_relaunch_fetches_only_its_page(platform, tool):
    browser = browser_session()
    first = platform.launch(browser, client_id=CLIENT_ID, custom=CONFIGURED)
    cache = {
        url
        for url in assets_of(first)
        if requests.get(url, timeout=10).headers.get("Cache-Control") == KEPT_A_YEAR
    }
    again = platform.launch(browser, client_id=CLIENT_ID, custom=CONFIGURED)
    assert again.status_code == 200
    assert assets_of(again) and set(assets_of(again)) <= cache


def test_plain_names_are_still_served_kept_a_short_while_and_revalidated(tool):
    for name in ASSETS:
        plain = requests.get(f"{tool.url}/lti/static/{name}", timeout=10)
        assert plain.status_code == 200 and plain.text == asset_text(name)
        assert plain.headers["Cache-Control"] == "public, max-age=300"
        again = requests.get(
            f"{tool.url}/lti/static/{name}",
            headers={"If-None-Match": plain.headers["ETag"]},
            timeout=10,
        )
        assert again.status_code == 304 and again.content == b""
        assert requests.get(f"{tool.url}/lti/static/{hashed_name(name)}", timeout=10).ok


def test_an_outdated_hash_gets_the_current_file_but_is_not_kept(tool):
    outdated = requests.get(f"{tool.url}/lti/static/koula.000000000000.js", timeout=10)
    assert outdated.status_code == 200 and outdated.text == asset_text("koula.js")
    assert "immutable" not in outdated.headers["Cache-Control"]
    assert (
        requests.get(f"{tool.url}/lti/static/other.000000000000.js", timeout=10).status_code == 404
    )
