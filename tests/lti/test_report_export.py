"""Staff download the learners' records as CSV; the command line writes the same file."""

from __future__ import annotations

import csv
import io
import re

from koula.export import csv_header
from koula.library import get_template
from koula_demo.learner_calls import CARD, COMMITMENT, act, context_of
from koula_demo.lms import browser_session
from koula_demo.lms.constants import ROLE_INSTRUCTOR
from tests.lti.conftest import CLIENT_ID, CONFIGURED
from tests.lti.report_links import download, report_access, staff_get


def staff_page(platform):
    return platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        roles=[ROLE_INSTRUCTOR],
        user="teacher-csv",
        resource_link_id="rl-csv",
    )


def test_the_staff_csv_has_one_row_per_learner_and_opens_in_excel(platform, tool, tmp_path):
    for n, steps in enumerate(
        [
            [("submit_deliverable", CARD)],
            [("submit_deliverable", CARD), ("commit_experiment", COMMITMENT)],
        ]
    ):
        context = context_of(
            platform.launch(
                browser_session(),
                client_id=CLIENT_ID,
                custom=CONFIGURED,
                user=f"csv-{n}",
                resource_link_id="rl-csv",
            )
        )
        for action, values in steps:
            assert act(context, action, {"values": values}).status_code == 200
    page = staff_page(platform)
    access = report_access(page)
    streamed = staff_get(access, access["csv"])
    assert streamed.status_code == 200
    assert streamed.headers["Content-Type"].startswith("text/csv")
    text = streamed.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == csv_header(get_template("default-koula"))
    by_learner = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    started = {"csv-0", "csv-1"}
    assert started < set(by_learner)  # with the roster's learners who have not started
    assert {by_learner[sub]["deliverable_status"] for sub in set(by_learner) - started} == {"empty"}
    assert by_learner["csv-1"]["commitment_status"] == "committed"
    assert by_learner["csv-0"]["deliverable.practice_name"] == "Pair review"
    activity_id = re.search(r"--activity (\d+)", page.text).group(1)
    output = tmp_path / "export.csv"
    done = tool.koula("report", "export", "--activity", activity_id, "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert output.read_bytes() == streamed.content
    assert download(access, access["csv"]).content == streamed.content


def test_a_forged_download_link_is_refused(platform):
    access = report_access(staff_page(platform))
    forged = access["csv"].replace("/koula.csv", "x/koula.csv")
    assert staff_get(access, forged).status_code == 403


def test_exporting_an_unknown_activity_says_so(tool):
    done = tool.koula("report", "export", "--activity", "999999")
    assert done.returncode == 2
    assert "no configured activity 999999" in done.stderr
