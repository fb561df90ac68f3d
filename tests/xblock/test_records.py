"""Learner records staff can read: kept after each action, per learner, listed for staff only."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from koula import Part
from koula_xblock import compat
from koula_xblock.records import NO_RECORDS
from tests.conftest import DATA
from tests.xblock.runtime import Course, call
from tests.xblock.test_learner_actions import card_values, commitment_values


def staff_list(course: Course) -> dict:
    status, body = call(course.block("the-teacher", staff=True), "staff_records", b"")
    assert status == 200, body
    return body


def test_each_action_that_changes_the_state_keeps_the_learners_record(course):
    block = course.block("ana")
    call(block, "save_draft", {"part": "deliverable", "values": {"practice_name": "Pairs"}})
    status, state = call(block, "submit_deliverable", {"values": card_values(block)})
    assert status == 200
    saved = course.records.saved
    assert [learner for _, learner, _ in saved] == ["anon-ana", "anon-ana"]
    assert saved[0][2]["deliverable"]["status"] == "draft"
    # the learner state of the contract, progress included, and the name others see
    assert saved[-1][2] == {**state, "name": "ana"}
    assert saved[-1][2]["progress"]["activity"] == "InProgress"


def test_a_refused_action_keeps_the_refused_values_as_the_draft_in_the_record(course):
    block = course.block("ana")
    values = card_values(block)
    missing = next(iter(values))
    typed = {k: v for k, v in values.items() if k != missing}
    status, _ = call(block, "submit_deliverable", {"values": typed})
    assert status == 400
    (_, _, record) = course.records.saved[-1]
    assert record["deliverable"] == {
        "status": "draft",
        "values": typed,
        "draft": None,
        "submitted_at": None,
    }


def test_an_action_that_changes_nothing_writes_no_record(course):
    block = course.block("ana")
    draft = {"part": "deliverable", "values": {"practice_name": "Pairs"}}
    call(block, "save_draft", draft)
    call(block, "save_draft", draft)
    assert len(course.records.saved) == 1


def test_two_learners_records_stay_separate(course):
    ana, ben = course.block("ana"), course.block("ben")
    call(ana, "submit_deliverable", {"values": card_values(ana)})
    call(ben, "save_draft", {"part": "deliverable", "values": {"practice_name": "Ben's"}})
    call(ana, "commit_experiment", {"values": commitment_values(ana)})
    listing = staff_list(course)
    assert listing["learners"] == 2
    by_learner = {row["learner_id"]: row["record"] for row in listing["records"]}
    assert by_learner["anon-ana"]["commitment"]["status"] == "committed"
    assert by_learner["anon-ben"]["deliverable"]["values"] == {"practice_name": "Ben's"}
    assert by_learner["anon-ben"]["progress"]["activity"] == "Started"


def test_a_learner_cannot_read_the_records(course):
    block = course.block("ana")
    call(block, "submit_deliverable", {"values": card_values(block)})
    status, body = call(block, "staff_records", b"")
    assert status == 403
    assert list(body["errors"]) == ["_"]
    assert "anon-ana" not in str(body)


def test_a_learner_cannot_read_the_records_with_get_either(course):
    status, body = call(course.block("ana", language="fr"), "staff_records", b"", method="GET")
    assert status == 403
    assert body["errors"]["_"]


def test_staff_read_the_list_with_get_too(course):
    block = course.block("ana")
    call(block, "submit_deliverable", {"values": card_values(block)})
    status, body = call(course.block("teacher", staff=True), "staff_records", b"", method="GET")
    assert status == 200
    assert [row["learner_id"] for row in body["records"]] == ["anon-ana"]


def test_without_any_store_saving_is_a_logged_no_op_and_the_list_is_empty(caplog):
    course = Course(keep_records=False)
    block = course.block("ana")
    assert compat.record_store(block) is NO_RECORDS
    with caplog.at_level(logging.WARNING, logger="koula_xblock.records"):
        status, _ = call(block, "submit_deliverable", {"values": card_values(block)})
    assert status == 200
    assert "not kept" in caplog.text
    assert staff_list(course) == {"learners": 0, "records": []}


def test_a_failing_store_never_fails_the_learners_action(course, caplog):
    class Broken:
        def save(self, block, learner_id, record):
            raise RuntimeError("database is down")

    course.records = Broken()
    block = course.block("ana")
    with caplog.at_level(logging.ERROR, logger="koula_xblock.learner"):
        status, state = call(block, "submit_deliverable", {"values": card_values(block)})
    assert status == 200
    assert state["deliverable"]["status"] == "submitted"
    assert "was not kept" in caplog.text
    assert course.block("ana").student_view_data()["state"]["deliverable"]["status"] == "submitted"


def test_outside_the_lms_the_learner_is_the_runtimes_user_id(course):
    block = course.block("ana")
    block.runtime._services.pop("user")
    assert compat.learner_id(block) == "ana"


def user_state(username: str, block) -> SimpleNamespace:
    return SimpleNamespace(username=username, state={"learner_state": block.learner_state})


def test_the_problem_responses_report_has_one_row_per_learner_with_a_state(course):
    ana, ben, cyd = course.block("ana"), course.block("ben"), course.block("cyd")
    call(ana, "submit_deliverable", {"values": card_values(ana)})
    call(ana, "commit_experiment", {"values": commitment_values(ana)})
    call(ben, "save_draft", {"part": "deliverable", "values": {"practice_name": "B"}})
    states = [user_state("ana", ana), user_state("ben", ben), user_state("cyd", cyd)]
    rows = list(course.block("teacher", staff=True).generate_report_data(iter(states)))
    assert [name for name, _ in rows] == ["ana", "ben"]  # cyd never acted
    statuses = {key: value for key, value in rows[0][1].items() if "." not in key}
    assert statuses == {
        "deliverable_status": "submitted",
        "commitment_status": "committed",
        "return_status": "empty",
        "completion": 0.6667,
        "score": rows[0][1]["score"],
        "activity": "Submitted",
    }
    assert 0 < rows[0][1]["score"] < 1
    assert rows[1][1]["deliverable_status"] == "draft"
    assert rows[1][1]["activity"] == "Started"


def test_the_report_rows_carry_the_learners_submitted_answers_under_stable_keys(course):
    ana = course.block("ana")
    card = {**card_values(ana), "practice_name": "=HYPERLINK(1)"}
    call(ana, "submit_deliverable", {"values": card})
    call(ana, "commit_experiment", {"values": commitment_values(ana)})
    call(ana, "save_draft", {"part": "return", "values": {}})
    ((_, row),) = course.block("teacher").generate_report_data([user_state("ana", ana)])
    template = ana.template()
    expected = {
        f"{part.value}.{field.key}"
        for part in template.parts()
        for field in template.fields_of(part)
    }
    assert expected <= set(row)
    assert row["deliverable.practice_name"] == "'=HYPERLINK(1)"  # neutralised, as in the CSV
    committed = commitment_values(ana)
    for key, value in committed.items():
        shown = " | ".join(value) if isinstance(value, list) else str(value)
        assert row[f"commitment.{key}"] == shown
    assert all(row[f"return.{f.key}"] == "" for f in template.fields_of(Part.RETURN))


def test_the_report_stops_at_the_limit(course):
    blocks = [course.block(name) for name in ("ana", "ben", "cyd")]
    for block in blocks:
        call(block, "submit_deliverable", {"values": card_values(block)})
    states = [user_state(name, b) for name, b in zip(("ana", "ben", "cyd"), blocks, strict=True)]
    rows = course.block("teacher").generate_report_data(iter(states), limit_responses=2)
    assert [name for name, _ in rows] == ["ana", "ben"]


def test_a_template_without_experiment_leaves_the_later_statuses_empty(course):
    minimal = (DATA / "templates" / "minimal.yaml").read_text()
    solo = minimal[: minimal.index("experiment:")].replace("id: minimal", "id: solo")
    block = course.block("ana", custom_template=solo)
    assert block.template().experiment is None
    call(block, "submit_deliverable", {"values": card_values(block)})
    ((_, row),) = block.generate_report_data([user_state("ana", block)])
    assert (row["commitment_status"], row["return_status"]) == ("", "")
    assert (row["deliverable_status"], row["completion"]) == ("submitted", 1.0)


def test_a_misconfigured_block_reports_no_rows(course):
    block = course.block("ana", custom_template="format: 1\nid: [oops")
    acted = SimpleNamespace(username="ana", state={"learner_state": {"deliverable": {}}})
    assert list(block.generate_report_data([acted])) == []
