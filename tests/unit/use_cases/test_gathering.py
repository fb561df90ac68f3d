"""One pass over an activity's members for the staff pages, through the port."""

from __future__ import annotations

from koula.state import LearnerState
from koula.use_cases.gathering import ROW_KEYS, learner_row, report_of
from koula.use_cases.hosting import Actor, assign_host
from tests.unit.use_cases.conftest import CARD

SUBMIT = ("submit_deliverable", CARD)


def test_the_report_covers_every_member_computed_by_the_activitys_clock(
    activity, learner, minimal_template, now
):
    activity.join("u-ana", "Ana", learner(SUBMIT, ("share_card", {"shared": True})))
    activity.join("u-ben", "", learner(("volunteer_host", {"volunteer": True})))
    activity.join("u-carla", "Carla", learner())
    assign_host(activity, "ana", by=Actor(None, staff=True), language="en")
    found = report_of(activity, minimal_template, roster_size=5)
    assert (found.report.learners, found.report.computed_at) == (3, now)
    assert [row["name"] for row in found.rows] == ["Ana", None, "Carla"]
    assert found.volunteers == ["u-ben"]
    assert (found.community.cards, found.community.shared) == (1, 1)
    assert found.rotation.next_host.name == "Ana" and found.rotation.volunteers == ("u-ben",)


def test_only_the_first_rows_are_kept_but_every_member_is_counted(
    activity, learner, minimal_template
):
    for n in range(5):
        activity.join(f"u-{n}", "", learner())
    found = report_of(activity, minimal_template, max_rows=2)
    assert (len(found.rows), found.report.learners) == (2, 5)


def test_a_learner_row_has_the_table_keys_and_unformatted_values(learner, minimal_template):
    row = learner_row(minimal_template, "u-ana", learner(SUBMIT), name="Ana")
    assert tuple(row) == ROW_KEYS
    assert (row["deliverable_status"], row["commitment_status"]) == ("submitted", "empty")
    assert row["deliverable_submitted_at"] is not None and row["score"] > 0
    assert learner_row(minimal_template, "u", LearnerState())["completion"] == 0.0


def test_with_a_roster_its_learners_who_have_not_started_are_rows_and_counted(
    activity, learner, minimal_template
):
    activity.join("u-ana", "", learner(SUBMIT))
    roster = {"u-ana": "Ana", "u-ben": "Ben", "u-carla": ""}
    found = report_of(activity, minimal_template, roster=roster)
    assert [(row["learner_id"], row["name"]) for row in found.rows] == [
        ("u-ana", "Ana"),
        ("u-ben", "Ben"),
        ("u-carla", None),
    ]
    assert [row["deliverable_status"] for row in found.rows] == ["submitted", "empty", "empty"]
    report = found.report
    assert report.not_started.count == report.activity["Initialized"] == 2
    assert report.roster_size == 3
