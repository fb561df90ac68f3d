"""The one guard every handler wears: the core's refusals answered as the contract words them."""

from __future__ import annotations

import pytest
from webob import Request

from tests.xblock.runtime import call

BROKEN = {"custom_template": "format: 1\nid: [oops"}
NOT_SET_UP = {
    "en": "This activity is not set up yet. Please tell the course team.",
    "fr": "Cette activité n'est pas encore configurée. Merci de prévenir l'équipe pédagogique.",
}
LEARNER_HANDLERS = {
    "save_draft": {"part": "deliverable", "values": {}},
    "submit_deliverable": {"values": {}},
    "commit_experiment": {"values": {}},
    "submit_return": {"values": {}},
    "volunteer_host": {"volunteer": True},
    "share_card": {"shared": True},
    "reuse_card": {"card": "0123456789abcdef", "reuse": True},
    "shared_cards": {},
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("handler", sorted(LEARNER_HANDLERS))
def test_every_learner_handler_of_a_block_not_set_up_answers_409_and_keeps_nothing(
    course, handler, language
):
    block = course.block("learner-1", language=language, **BROKEN)
    status, body = call(block, handler, LEARNER_HANDLERS[handler])
    assert (status, body) == (409, {"errors": {"_": NOT_SET_UP[language]}})
    assert course.block("learner-1").learner_state == {}
    assert course.records.saved == []


@pytest.mark.parametrize("handler", ["staff_report", "export_csv"])
def test_the_staff_pages_of_a_block_not_set_up_answer_409_too(course, handler):
    staff = course.block("teacher", staff=True, **BROKEN)
    response = staff.runtime.handle(staff, handler, Request.blank("/"))
    assert response.status_int == 409
    assert response.json == {"errors": {"_": NOT_SET_UP["en"]}}


@pytest.mark.parametrize("handler", ["staff_report", "export_csv", "staff_records"])
def test_a_learner_asking_for_a_staff_page_gets_403_before_anything_is_read(course, handler):
    learner = course.block("learner-1", **BROKEN)
    response = learner.runtime.handle(learner, handler, Request.blank("/"))
    assert response.status_int == 403
    assert "Only course staff" in response.json["errors"]["_"]


BAD_BODIES = {
    "not JSON": b"{not json",
    "not UTF-8": b'{"values": "\xff\xfe"}',
    "a list": b"[1, 2]",
    "a string": b'"text"',
    "nested 100,000 deep": b"[" * 100_000,
    "nested 40 deep in an object": b'{"values": ' + b"[" * 40 + b"]" * 40 + b"}",
}


@pytest.mark.parametrize("body", sorted(BAD_BODIES))
@pytest.mark.parametrize("handler", [*sorted(LEARNER_HANDLERS), "assign_host"])
def test_a_body_that_is_not_one_shallow_json_object_answers_400_and_keeps_nothing(
    course, handler, body
):
    block = course.block("learner-1", language="fr")
    request = Request.blank("/", method="POST", body=BAD_BODIES[body])
    response = block.runtime.handle(block, handler, request)
    assert response.status_int == 400
    assert set(response.json) == {"errors"} and response.json["errors"]["_"].startswith("La")
    assert course.block("learner-1").learner_state == {}
    assert course.records.saved == []


def test_studio_submit_reads_its_body_as_safely(course):
    staff = course.block("teacher", staff=True)
    request = Request.blank("/", method="POST", body=b"[" * 100_000)
    assert staff.runtime.handle(staff, "studio_submit", request).status_int == 400


def test_a_learner_action_sent_with_get_answers_405_with_the_errors_object(course):
    block = course.block("learner-1")
    response = block.runtime.handle(block, "save_draft", Request.blank("/", method="GET"))
    assert response.status_int == 405
    assert response.headers["Allow"] == "POST"
    assert response.json["errors"]["_"] == "Send this request with POST."
