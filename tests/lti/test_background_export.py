"""Staff have the CSV prepared in the background and download it when it is ready."""

from __future__ import annotations

import csv
import io
import re

import requests

from tests.lti.conftest import CLIENT_ID, CONFIGURED
from tests.lti.pages import act, wait_for
from tests.lti.platform import browser_session
from tests.lti.platform.constants import ROLE_INSTRUCTOR
from tests.lti.test_learner_loop import CARD
from tests.lti.test_staff_report import learner, staff


def export_form(page_text: str) -> str:
    action = re.search(r'<form class="lti-form" method="post" action="([^"]+/exports)"', page_text)
    assert action, "the staff view offers a background export"
    return action.group(1)


def prepared(status_url: str) -> dict:
    def ready() -> dict | None:
        state = requests.get(status_url, params={"format": "json"}, timeout=10).json()
        assert state["status"] != "failed", state
        return state if state["download"] else None

    return wait_for(ready, seconds=60)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_file_prepared_in_the_background_is_the_streamed_csv(platform):
    for user in ("export-1", "export-2", "export-3"):
        assert act(learner(platform, user), "submit_deliverable", {"values": CARD}).ok
    page = staff(platform).text
    asked = requests.post(export_form(page), timeout=10, allow_redirects=False)
    assert asked.status_code == 303
    status_page = requests.get(asked.headers["Location"], timeout=10)
    assert status_page.status_code == 200 and 'role="status"' in status_page.text
    state = prepared(asked.headers["Location"])
    assert state["rows_written"] == state["learners"] >= 3
    download = requests.get(state["download"], timeout=10)
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/csv")
    streamed_link = re.search(r'href="([^"]+/koula\.csv)" download', page).group(1)
    streamed = requests.get(streamed_link, timeout=10).text
    assert rows(download.content.decode("utf-8")) == rows(streamed)
    assert {"export-1", "export-2", "export-3"} <= {row["learner_id"] for row in rows(streamed)}


def test_an_export_is_not_reachable_with_another_activitys_link_or_a_forged_one(platform):
    page = staff(platform).text
    asked = requests.post(export_form(page), timeout=10, allow_redirects=False)
    status_url = asked.headers["Location"]
    export_id = status_url.rsplit("/", 1)[1]
    other = platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        roles=[ROLE_INSTRUCTOR],
        user="teacher-other",
        resource_link_id="rl-other-export",
    ).text
    other_base = export_form(other)
    assert requests.get(f"{other_base}/{export_id}", timeout=10).status_code == 404
    forged = status_url.replace("/exports/", "x/exports/")
    assert requests.get(forged, timeout=10).status_code == 403
