"""The learner's due date: registered with the platform's dates service, and as a calendar file.

edx-when needs the LMS (its models, a Django user), so these tests stand a fake
``edx_when`` package in for it, as ``compat`` imports it: the only way to reach
the LMS branch here.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from types import ModuleType, SimpleNamespace

import icalendar
import pytest
from webob import Request

from koula_xblock import compat
from koula_xblock.loop import CALENDAR_FILE
from tests.xblock.runtime import COURSE, Course, call
from tests.xblock.test_learner_actions import card_values, commitment_values


class MissingDateError(Exception):
    pass


class FakeWhen:
    """``edx_when.api``'s ``set_date_for_block``, recording calls; a user's date needs the
    block's own entry first (``MissingDateError``), as in edx-when."""

    MissingDateError = MissingDateError

    def __init__(self, *, has_entry: bool = True, fails: bool = False) -> None:
        self.calls: list[tuple[tuple, dict]] = []
        self.entries: set[str] = set()
        self.has_entry = has_entry
        self.fails = fails

    def set_date_for_block(
        self, course_id, block_id, field, date, user=None, reason="", actor=None
    ):
        self.calls.append(
            ((str(course_id), str(block_id), field, date), {"user": user, "reason": reason})
        )
        if self.fails:
            raise RuntimeError("database is down")
        if user is not None and not self.has_entry and str(block_id) not in self.entries:
            raise MissingDateError(block_id)
        if user is None:
            self.entries.add(str(block_id))
        return 1


@pytest.fixture
def when(monkeypatch):
    def install(**options) -> FakeWhen:
        api = FakeWhen(**options)
        package = ModuleType("edx_when")
        package.api = api  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "edx_when", package)
        monkeypatch.setitem(sys.modules, "edx_when.api", api)
        return api

    return install


def commit(block, **more) -> dict:
    call(block, "submit_deliverable", {"values": card_values(block)})
    status, state = call(block, "commit_experiment", {"values": commitment_values(block), **more})
    assert status == 200, state
    return state


def block_key(name: str) -> str:
    return f"block-v1:{COURSE}+type@koula+block@{name}"


def test_a_commitment_registers_its_due_date_as_the_learners_date_with_edx_when(when):
    api = when()
    course = Course(lms=True)
    state = commit(course.block("ana", usage="s1"))
    due = dt.date.fromisoformat(state["commitment"]["due_on"])
    ((args, kwargs),) = api.calls
    assert args == (
        f"course-v1:{COURSE}",
        block_key("s1"),
        "due",
        dt.datetime.combine(due, dt.time(23, 59), tzinfo=dt.UTC),
    )
    assert kwargs["user"].username == "ana" and "Koula" in kwargs["reason"]


def test_a_revised_commitment_keeps_its_due_date_and_registers_nothing_again(when):
    api = when()
    block = Course(lms=True).block("ana", usage="s1")
    commit(block)
    call(block, "commit_experiment", {"values": commitment_values(block), "share_with_group": True})
    assert len(api.calls) == 1


def test_a_block_without_a_date_of_its_own_gets_one_first_with_the_date_everyone_has(when):
    api = when(has_entry=False)
    block = Course(lms=True).block("ana", usage="s1")
    commit(block)
    first, for_everyone, for_the_learner = api.calls
    assert first[1]["user"] is not None  # refused: no entry for the block yet
    assert for_everyone == (
        (f"course-v1:{COURSE}", block_key("s1"), "due", None),
        {"user": None, "reason": ""},
    )
    assert for_the_learner[1]["user"].username == "ana"
    assert block.registered_due_on


def test_a_failing_dates_service_never_fails_the_commitment_and_is_tried_again(when, caplog):
    api = when(fails=True)
    block = Course(lms=True).block("ana", usage="s1")
    with caplog.at_level(logging.ERROR, logger="koula_xblock.compat"):
        commit(block)
    assert "edx-when did not take the due date" in caplog.text
    assert block.registered_due_on == ""
    api.fails = False
    call(block, "commit_experiment", {"values": commitment_values(block)})
    assert len(api.calls) == 2 and block.registered_due_on


def test_without_edx_when_nothing_is_registered_and_it_is_said_once(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "edx_when", None)  # import fails, as outside the LMS
    compat._no_dates_service.cache_clear()
    course = Course(lms=True)
    with caplog.at_level(logging.INFO, logger="koula_xblock.compat"):
        commit(course.block("ana", usage="s1"))
        commit(course.block("ben", usage="s1"))
    assert caplog.text.count("no edx-when here") == 1
    assert course.block("ana", usage="s1").registered_due_on == ""


def test_a_refused_commitment_registers_nothing(when):
    api = when()
    block = Course(lms=True).block("ana", usage="s1")
    call(block, "submit_deliverable", {"values": card_values(block)})
    assert call(block, "commit_experiment", {"values": {}})[0] == 400
    assert api.calls == []


def calendar(block):
    return block.runtime.handle(block, "experiment_calendar", Request.blank("/"))


def test_after_committing_the_learner_downloads_their_experiment_as_a_calendar_file():
    block = Course(lms=True).block("ana", usage="s1", display_name="Kick-off")
    state = commit(block)
    response = calendar(block)
    assert response.status_int == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content_disposition == f'attachment; filename="{CALENDAR_FILE}"'
    (event,) = icalendar.Calendar.from_ical(response.body).walk("VEVENT")
    assert event.decoded("DTSTART") == dt.date.fromisoformat(state["commitment"]["due_on"])
    assert "Kick-off" in str(event["DESCRIPTION"])
    assert f"/courses/course-v1:{COURSE}/jump_to/{block_key('s1')}" in str(event["URL"])
    assert event.walk("VALARM")


def test_the_calendar_file_is_in_the_learners_language():
    block = Course(lms=True).block("ana", usage="s1", language="fr")
    commit(block)
    (event,) = icalendar.Calendar.from_ical(calendar(block).body).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Rendre compte de mon expérimentation")
    assert event["SUMMARY"].params["LANGUAGE"] == "fr"


def test_a_learner_gets_only_their_own_experiment_and_409_before_committing():
    course = Course(lms=True)
    commit(course.block("ana", usage="s1"))
    response = calendar(course.block("ben", usage="s1"))
    assert response.status_int == 409
    assert "commit to one first" in response.json["errors"]["_"]


def test_the_page_offers_the_calendar_file_once_the_learner_has_committed():
    course = Course(lms=True)
    block = course.block("ana", usage="s1")
    link = '<p class="koula-calendar" data-role="calendar" hidden>'
    assert link in block.student_view().content
    commit(block)
    html = course.block("ana", usage="s1").student_view().content
    assert '<p class="koula-calendar" data-role="calendar">' in html
    assert 'href="/handler/experiment_calendar" download' in html


def test_the_author_preview_offers_no_calendar_file():
    html = Course(lms=True).block("ana", usage="s1").author_view().content
    assert 'data-role="calendar"' not in html


def test_the_unit_link_is_absolute_in_a_calendar_when_the_lms_names_its_root(monkeypatch):
    monkeypatch.setattr(compat, "_lms_root", lambda: "https://lms.example.org")
    block = SimpleNamespace(scope_ids=Course(lms=True).scope_ids("ana", "s1"))
    assert compat.unit_url(block, absolute=True) == (
        f"https://lms.example.org/courses/course-v1:{COURSE}/jump_to/{block_key('s1')}"
    )
    assert compat.unit_url(SimpleNamespace(scope_ids=Course().scope_ids("ana", "usage-1"))) is None
