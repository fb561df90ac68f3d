from tests.xblock.runtime import call, events

CARD = {"practice_name": "Pair review"}


def card_values(block):
    """Answers for every required practice-card field of the block's template."""
    from koula.template import Part

    return {f.key: _answer(f) for f in block.template().fields_of(Part.DELIVERABLE) if f.required}


def commitment_values(block):
    from koula.template import Part

    return {f.key: _answer(f) for f in block.template().fields_of(Part.COMMITMENT) if f.required}


def return_values(block):
    from koula.template import Part

    return {f.key: _answer(f) for f in block.template().fields_of(Part.RETURN) if f.required}


def _answer(field):
    from koula.template import FieldType

    return {
        FieldType.RATING: 4,
        FieldType.CHOICE: field.choice_values()[0] if field.choices else None,
        FieldType.LIST: ["one"],
        FieldType.URL: "https://example.org",
        FieldType.DATE: "2026-12-01",
    }.get(field.type, "Some words")


def test_the_whole_loop_publishes_grade_and_completion_after_each_step(course):
    block = course.block()
    for handler, values in [
        ("submit_deliverable", card_values(block)),
        ("commit_experiment", commitment_values(block)),
        ("submit_return", return_values(block)),
    ]:
        status, state = call(block, handler, {"values": values})
        assert status == 200, state
    assert [e["completion"] for e in events(block, "completion")] == [0.3333, 0.6667, 1.0]
    grades = events(block, "grade")
    assert [g["max_value"] for g in grades] == [1.0, 1.0, 1.0]
    assert grades[-1]["value"] == 1.0
    assert grades[0]["value"] < grades[1]["value"] < grades[2]["value"]
    assert state["progress"] == {"completion": 1.0, "score": 1.0, "activity": "Completed"}


def test_the_grade_follows_the_weights_set_in_studio(course):
    block = course.block(deliverable_weight=1.0, commitment_weight=0.0, return_weight=3.0)
    call(block, "submit_deliverable", {"values": card_values(block)})
    assert events(block, "grade") == [{"value": 0.25, "max_value": 1.0, "only_if_higher": None}]


def test_a_missing_required_field_answers_400_and_keeps_the_other_answers(course):
    block = course.block()
    values = card_values(block)
    missing = next(iter(values))
    typed = {k: v for k, v in values.items() if k != missing}
    status, body = call(block, "submit_deliverable", {"values": typed})
    assert status == 400
    assert list(body["errors"]) == [missing]
    assert events(block, "grade") == []
    reloaded = course.block()
    assert reloaded.student_view_data()["state"]["deliverable"]["values"] == typed


def test_a_return_before_any_commitment_answers_409(course):
    block = course.block()
    status, body = call(block, "submit_return", {"values": return_values(block)})
    assert status == 409
    assert list(body["errors"]) == ["_"]


def test_errors_come_in_the_activitys_language(course):
    block = course.block(language="fr")
    status, body = call(block, "submit_return", {"values": {}})
    assert status == 409
    assert body["errors"]["_"].startswith("Engagez-vous")


def test_saving_a_draft_reports_the_start_without_any_score(course):
    block = course.block()
    status, state = call(block, "save_draft", {"part": "deliverable", "values": {}})
    assert status == 200
    assert state["progress"]["activity"] == "Initialized"
    assert events(block, "grade") == []
    key = next(iter(card_values(block)))
    status, state = call(block, "save_draft", {"part": "deliverable", "values": {key: "Hi"}})
    assert state["progress"]["activity"] == "Started"
    assert events(block, "grade") == [{"value": 0.0, "max_value": 1.0, "only_if_higher": None}]
    assert events(block, "completion") == [{"completion": 0.0}]


def test_an_unchanged_revision_publishes_nothing_new(course):
    block = course.block()
    call(block, "submit_deliverable", {"values": card_values(block)})
    call(block, "submit_deliverable", {"values": card_values(block)})
    assert len(events(block, "grade")) == 1


def test_each_learner_has_their_own_state(course):
    first, second = course.block("learner-1"), course.block("learner-2")
    call(first, "submit_deliverable", {"values": card_values(first)})
    assert second.student_view_data()["state"]["deliverable"]["status"] == "empty"
    assert course.block("learner-1").student_view_data()["state"]["deliverable"]["status"] == (
        "submitted"
    )


def test_a_get_request_is_refused_by_the_json_handler(course):
    status, _ = call(course.block(), "submit_deliverable", b"", method="GET")
    assert status == 405


def test_a_body_that_is_not_json_is_refused(course):
    status, _ = call(course.block(), "submit_deliverable", b"{not json")
    assert status == 400


def test_a_broken_template_answers_409_instead_of_crashing(course):
    block = course.block(custom_template="format: 1\nid: [oops")
    status, body = call(block, "submit_deliverable", {"values": {}})
    assert status == 409
    assert body["errors"]["_"] == "This activity is not set up yet. Please tell the course team."
    assert block.learner_state == {}


def test_every_action_emits_a_tracking_event_for_analytics(course):
    block = course.block()
    call(block, "submit_return", {"values": {}})
    call(block, "save_draft", {"part": "deliverable", "values": {}})
    assert events(block, "edx.koula.learner_action") == [
        {"action": "submit_return", "status": 409},
        {"action": "save_draft", "status": 200},
    ]
