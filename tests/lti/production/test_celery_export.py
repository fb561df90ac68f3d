"""A Celery worker prepares a CSV export that staff asked for, and the tool serves the file."""

from __future__ import annotations

from koula_demo.learner_calls import CARD, act
from koula_demo.lms import Platform
from tests.lti.conftest import CLIENT_ID, DEPLOYMENT_ID
from tests.lti.production.support import start_worker
from tests.lti.report_links import download, report_access, staff_post
from tests.lti.test_background_export import JSON, prepared, rows
from tests.lti.test_staff_report import learner, staff


def test_a_celery_worker_prepares_the_export_and_the_tool_serves_it(celery_tool):
    worker = start_worker(celery_tool)
    try:
        with Platform() as platform:
            celery_tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
            assert act(
                learner(platform, "celery-export"), "submit_deliverable", {"values": CARD}
            ).ok
            access = report_access(staff(platform))
            asked = staff_post(access, access["exports"], headers=JSON)
            assert asked.status_code == 202, asked.text[:500]
            state = prepared(access, asked.json()["status"])
            csv_text = download(access, state["download"]).content.decode("utf-8")
            found = {row["learner_id"]: row["deliverable_status"] for row in rows(csv_text)}
            assert found.pop("celery-export") == "submitted"
            assert found and set(found.values()) == {"empty"}  # the roster's, not started
        assert worker.logged("CSV export")
    finally:
        worker.stop()
