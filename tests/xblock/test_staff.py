import csv
import io

from webob import Request

from tests.xblock.runtime import call
from tests.xblock.test_learner_actions import card_values


def test_staff_see_the_run_sheet_and_the_report_of_every_learner(course):
    for learner in ("learner-1", "learner-2"):
        block = course.block(learner)
        assert call(block, "submit_deliverable", {"values": card_values(block)})[0] == 200
    html = course.block("teacher", staff=True).student_view().content
    assert 'class="koula-staff koula-runsheet"' in html
    assert 'class="koula-staff koula-report"' in html
    assert "Learners covered: 2" in html


def test_learners_see_neither_the_run_sheet_nor_the_report(course):
    html = course.block("learner-1").student_view().content
    assert "koula-runsheet" not in html and "koula-report" not in html


def test_staff_export_every_learners_record_as_csv(course):
    block = course.block("learner-1")
    call(block, "submit_deliverable", {"values": card_values(block)})
    staff = course.block("teacher", staff=True)
    response = staff.runtime.handle(staff, "export_csv", Request.blank("/"))
    text = response.body.decode("utf-8")
    assert response.content_type == "text/csv" and text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [row["deliverable_status"] for row in rows] == ["submitted"]


def test_the_csv_names_each_learner_in_its_very_last_column(course):
    block = course.block("learner-1")
    call(block, "submit_deliverable", {"values": card_values(block)})
    staff = course.block("teacher", staff=True)
    text = staff.runtime.handle(staff, "export_csv", Request.blank("/")).body.decode("utf-8")
    header, *lines = csv.reader(io.StringIO(text[1:]))
    assert header[-1] == "name"  # after the answers' columns
    assert [line[header.index("name")] for line in lines] == ["learner-1"]


def test_a_learner_cannot_export_the_records(course):
    block = course.block("learner-1")
    assert block.runtime.handle(block, "export_csv", Request.blank("/")).status_int == 403


def test_a_volunteer_to_host_is_listed_in_the_staff_run_sheet(course):
    block = course.block("keen-learner")
    status, state = call(block, "volunteer_host", {"volunteer": True})
    assert status == 200 and state["host"]["volunteered"] is True
    html = course.block("teacher", staff=True).student_view().content
    runsheet = html.split('class="koula-staff koula-runsheet"')[1].split("koula-report")[0]
    assert "keen-learner" in runsheet
    call(block, "volunteer_host", {"volunteer": False})
    html = course.block("teacher", staff=True).student_view().content
    runsheet = html.split('class="koula-staff koula-runsheet"')[1].split("koula-report")[0]
    assert "keen-learner" not in runsheet


def test_staff_choose_the_next_host_and_learners_see_who_it_is(course):
    learner = course.block("learner-1")
    assert call(learner, "assign_host", {"next_host": "Mallory"})[0] == 403
    staff = course.block("teacher", staff=True)
    assert call(staff, "assign_host", {"next_host": 3})[0] == 400
    status, body = call(staff, "assign_host", {"next_host": "  Ana   Costa "})
    assert (status, body["next_host"]) == (200, "Ana Costa")
    assert "Next host: Ana Costa" in course.block("learner-2").student_view().content
