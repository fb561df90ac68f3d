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
