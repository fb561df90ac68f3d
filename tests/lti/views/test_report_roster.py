"""One truth for who has not started, the platform's roster, in every staff place
(lti/views/staff.py, lti/views/report.py, lti/services/exports.py): the staff view's line,
the report's figures and table, a learner's answers opened in a report window, the CSV
streamed and prepared."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.conf import settings
from django.test import Client

from koula_demo.learner_calls import CARD
from lti.bearer import Grant, issue_staff_token
from lti.models import LearnerRecord, ReportExport
from lti.services.exports import export_file, request_export, run_due_exports
from lti.services.learner import run_action
from lti.services.rosters import activity_roster
from lti.views.report import report_links
from lti.views.staff import staff_view
from tests.lti.in_process import ISSUER, grant_for, make_activity, make_user
from tests.lti.services.fake_platform import FakePlatform

pytestmark = pytest.mark.django_db
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@pytest.fixture
def activity(tool_keys):
    """A course of three learners on the roster (one without a name), Ana started."""
    activity = make_activity(memberships_url=f"{ISSUER}/memberships")
    platform = FakePlatform(
        members=[
            {"user_id": "ana", "roles": [LEARNER], "name": "Ana Souza"},
            {"user_id": "ben", "roles": [LEARNER], "name": "Ben Okafor"},
            {"user_id": "carla", "roles": [LEARNER]},
            {"user_id": "teacher", "roles": [INSTRUCTOR], "name": "Teo Teacher"},
        ]
    )
    # The roster is read once and cached, as the staff view would read it.
    assert activity_roster(activity, activity.deployment.registration, transport=platform)
    ana = make_user(activity, "ana", "Ana Souza")
    run_action(grant_for(activity, ana), activity.pk, "submit_deliverable", {"values": CARD})
    return activity


@pytest.fixture
def staff(activity):
    teacher = make_user(activity, "teacher", "Teo Teacher")
    grant = Grant(teacher.pk, activity.deployment_id, activity.pk, "en")
    links = report_links(grant)
    client = Client(headers={"Authorization": f"Bearer {issue_staff_token(grant)}"})
    return client, links.base.removeprefix(settings.BASE_URL)


def text(response) -> str:
    return html.unescape(
        b"".join(response).decode() if response.streaming else response.content.decode()
    )


def figure(page: str, term: str) -> str:
    found = re.search(rf"<dt>{re.escape(term)}</dt><dd>([^<]*)</dd>", page)
    assert found, term
    return found.group(1)


def where_learners_are(page: str, word: str) -> str:
    found = re.search(
        rf'<th scope="row">{word}</th><td class="koula-staff-number">(\d+)</td>', page
    )
    assert found, word
    return found.group(1)


def test_the_staff_view_and_the_report_count_the_same_learners_not_started(activity):
    page = text(staff_view(activity, "en", viewer=None))
    assert "3 learner(s) in the course: 1 started, 2 not started yet." in page
    assert figure(page, "Not started yet (from the roster)").startswith("2 of 3")
    assert where_learners_are(page, "Not started") == "2"


def test_a_learner_who_opened_the_activity_and_did_nothing_has_not_started_anywhere(activity):
    carla = make_user(activity, "carla")
    LearnerRecord.objects.create(activity=activity, user=carla, state={})
    page = text(staff_view(activity, "en", viewer=None))
    assert "3 learner(s) in the course: 1 started, 2 not started yet." in page
    assert figure(page, "Not started yet (from the roster)").startswith("2 of 3")
    assert where_learners_are(page, "Not started") == "2"


def test_without_a_roster_the_staff_view_counts_who_started_as_the_report_does(tool_keys):
    bare = make_activity(resource_link_id="no-roster")
    ana, ben = make_user(bare, "ana"), make_user(bare, "ben")
    run_action(grant_for(bare, ana), bare.pk, "submit_deliverable", {"values": CARD})
    LearnerRecord.objects.create(activity=bare, user=ben, state={})  # opened, nothing done
    page = text(staff_view(bare, "en", viewer=None))
    assert "1 learner(s) have started." in page
    assert figure(page, "Learners who started").startswith("1 of 2")


def test_the_learners_table_lists_the_roster_learners_who_have_not_started(activity):
    page = text(staff_view(activity, "en", viewer=None))
    table = page[page.index("koula-staff-learners") :]
    assert 'data-learner="ben"' in table and "Ben Okafor" in table
    assert 'data-learner="carla"' in table


def test_a_learners_answers_open_in_the_report_against_the_roster(staff):
    client, base = staff
    page = text(client.get(f"{base}/learners/ana"))
    assert "Answers of Ana Souza" in page
    assert figure(page, "Not started yet (from the roster)").startswith("2 of 3")
    assert where_learners_are(page, "Not started") == "2"


def test_the_report_window_counts_against_the_roster(staff):
    client, base = staff
    page = text(client.get(base))
    assert figure(page, "Learners who started").startswith("1 of 3")


def test_a_roster_learner_who_has_not_started_opens_with_nothing_submitted(staff):
    client, base = staff
    answer = client.get(f"{base}/learners/ben", {"fragment": "1"})
    assert answer.status_code == 200
    assert "Answers of Ben Okafor" in text(answer)
    assert client.get(f"{base}/learners/nobody", {"fragment": "1"}).status_code == 404


def rows_of(csv_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text.removeprefix("\ufeff"))))


def test_the_csv_lists_the_roster_learners_who_have_not_started_with_their_names(staff):
    client, base = staff
    rows = rows_of(text(client.get(f"{base}/koula.csv")))
    assert [(r["learner_id"], r["name"]) for r in rows] == [
        ("ana", "Ana Souza"),
        ("ben", "Ben Okafor"),
        ("carla", ""),
    ]
    assert [r["deliverable_status"] for r in rows] == ["submitted", "empty", "empty"]


def test_the_prepared_export_has_the_same_rows_as_the_streamed_csv(activity, staff, tmp_path):
    settings.KOULA_EXPORT_DIR = str(tmp_path)
    client, base = staff
    streamed = text(client.get(f"{base}/koula.csv"))
    export = request_export(activity)
    run_due_exports()
    export = ReportExport.objects.get(pk=export.pk)
    assert export_file(export).read_bytes().decode() == streamed
    assert export.rows_written == export.learners == 3


def test_the_csvs_name_column_is_the_very_last_after_the_answers(staff):
    client, base = staff
    header = next(csv.reader(io.StringIO(text(client.get(f"{base}/koula.csv"))[1:])))
    assert header[-1] == "name"
    assert header.index("name") > max(i for i, c in enumerate(header) if "." in c)


def test_the_series_csv_lists_the_roster_learners_who_have_not_started_with_their_names(staff):
    client, base = staff
    rows = rows_of(text(client.get(f"{base}/koula-series.csv")))
    assert [(r["session_number"], r["learner_id"], r["name"]) for r in rows] == [
        ("1", "ana", "Ana Souza"),
        ("1", "ben", "Ben Okafor"),
        ("1", "carla", ""),
    ]
    assert [r["deliverable_status"] for r in rows] == ["submitted", "empty", "empty"]
    assert list(rows[0])[-1] == "name"
