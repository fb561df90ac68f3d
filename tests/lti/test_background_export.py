"""Staff have the CSV prepared in the background and download it when it is ready."""

from __future__ import annotations

import csv
import io

from koula_demo.learner_calls import CARD, act, wait_for
from koula_demo.lms import browser_session
from koula_demo.lms.constants import ROLE_INSTRUCTOR
from tests.lti.conftest import CLIENT_ID, CONFIGURED
from tests.lti.report_links import download, report_access, staff_get, staff_post
from tests.lti.test_staff_report import learner, staff

JSON = {"Accept": "application/json"}


def prepared(access: dict, status_url: str) -> dict:
    def ready() -> dict | None:
        state = staff_get(access, status_url, params={"format": "json"}).json()
        assert state["status"] != "failed", state
        return state if state["download"] else None

    return wait_for(ready, seconds=60)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_file_prepared_in_the_background_is_the_streamed_csv(platform):
    for user in ("export-1", "export-2", "export-3"):
        assert act(learner(platform, user), "submit_deliverable", {"values": CARD}).ok
    access = report_access(staff(platform))
    asked = staff_post(access, access["exports"], headers=JSON)
    assert asked.status_code == 202
    status_url = asked.json()["status"]
    status_page = staff_get(access, status_url)
    assert status_page.status_code == 200 and 'role="status"' in status_page.text
    state = prepared(access, status_url)
    assert state["rows_written"] == state["learners"] == 6  # 3 started, 3 on the roster
    prepared_file = download(access, state["download"])
    assert prepared_file.status_code == 200
    assert prepared_file.headers["Content-Type"].startswith("text/csv")
    assert staff_get(access, state["download"]).content == prepared_file.content
    streamed = staff_get(access, access["csv"]).text
    assert rows(prepared_file.content.decode("utf-8")) == rows(streamed)
    assert {"export-1", "export-2", "export-3"} <= {row["learner_id"] for row in rows(streamed)}


def test_an_export_is_not_reachable_with_another_activitys_link_or_a_forged_one(platform):
    access = report_access(staff(platform))
    status_url = staff_post(access, access["exports"], headers=JSON).json()["status"]
    export_id = status_url.rsplit("/", 1)[1]
    other = report_access(
        platform.launch(
            browser_session(),
            client_id=CLIENT_ID,
            custom=CONFIGURED,
            roles=[ROLE_INSTRUCTOR],
            user="teacher-other",
            resource_link_id="rl-other-export",
        )
    )
    assert staff_get(other, f"{other['exports']}/{export_id}").status_code == 404
    forged = status_url.replace("/exports/", "x/exports/")
    assert staff_get(access, forged).status_code == 403
