"""A learner the platform retires is erased from every Koula block, in the real XBlock runtime.

Learners work in two sessions of one LMS-like course; then the retirement receiver's work
(:func:`koula_xblock.retirement.retire_learner`) runs over the runtime's own stores: the
record store, the learners' states and the fields a block's learners share
(:class:`RuntimeRows`, the port the LMS's tables implement in production). After it, the
retired learner's name and words appear in no staff page, CSV or listing, and the
report's counts are what they were. The receiver's wiring (the platform's signal, which
cannot be sent outside the LMS) is checked as configuration.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from webob import Request
from xblock.fields import Scope

from koula import report_of
from koula_xblock.records import usage_text
from koula_xblock.retirement import Retiree, retire_learner
from tests.xblock.runtime import Course, call
from tests.xblock.test_learner_actions import card_values, commitment_values, return_values

NAME = "zoe-quintana"  # the runtime's learners are named by their user id
ANONYMOUS = f"anon-{NAME}"  # the runtime's anonymous id (a hash in the LMS) holds the name
WORDS = "ZOE-WROTE-THIS"
RETIREE = Retiree(frozenset({ANONYMOUS}), (NAME, "Zoé Quintana"), token="5ca1ab1e" * 8)
COUNTED = (
    "learners",
    "started",
    "cards",
    "commitments",
    "returns",
    "on_time",
    "applied",
    "applied_rate",
    "confidence_at_commitment",
    "confidence_at_return",
    "confidence_change",
    "funnel",
    "completion",
    "score",
    "activity",
)


class RuntimeRows:
    """The port over the test course: its record store, the learners' states and the
    blocks' shared fields in the runtime's key-value store, the blocks' templates."""

    def __init__(self, course: Course, user_id: str) -> None:
        self.course, self.user_id = course, user_id

    def _usage(self, item_id: str) -> str:
        return next(usage for usage in self.course.usages if self._item(usage) == item_id)

    def _item(self, usage: str) -> str:
        return usage_text(self.course.scope_ids("x", usage).usage_id)

    def template_of(self, item_id: str) -> Any:
        return self.course.block("reader", usage=self._usage(item_id)).template()

    def rewrite_records(self, learner_ids, change) -> int:
        changed = 0
        for index, (item, learner, record) in enumerate(self.course.records.saved):
            if learner in learner_ids:
                erased = change(item, record)
                changed += erased != record
                self.course.records.saved[index] = (item, learner, erased)
        return changed

    def _keys(self, scope: Scope, field: str) -> list[Any]:
        return [
            key
            for key in self.course.store.db_dict
            if key.scope == scope and key.field_name == field
        ]

    def rewrite_states(self, change) -> int:
        changed, db = 0, self.course.store.db_dict
        for key in self._keys(Scope.user_state, "learner_state"):
            if key.user_id == self.user_id:
                erased = change(usage_text(key.block_scope_id), db[key])
                changed += erased != db[key]
                db[key] = erased
        return changed

    def rewrite_turns(self, change) -> int:
        changed, db = 0, self.course.store.db_dict
        for key in self._keys(Scope.user_state_summary, "host_turns"):
            hosts = [k for k in self._keys(Scope.user_state_summary, "next_host")]
            host = next(k for k in hosts if k.block_scope_id == key.block_scope_id)
            new = change(db[key], db[host])
            if new is not None:
                db[key], db[host] = new
                changed += 1
        return changed


def get(block: Any, handler: str) -> str:
    response = block.runtime.handle(block, handler, Request.blank("/"))
    assert response.status_int == 200, response.body
    return response.body.decode("utf-8")


def two_sessions() -> Course:
    """Zoé and Ben in session 1 (Zoé shares her card, commits, reports back, offers to
    host, is handed the next session); session 2 hands over to "Zoé Quintana" by name."""
    course = Course(lms=True)
    zoe = course.block(NAME)
    card = {**card_values(zoe), "practice_name": f"{WORDS} card"}
    assert call(zoe, "submit_deliverable", {"values": card})[0] == 200
    assert call(zoe, "share_card", {"shared": True})[0] == 200
    commitment = {**commitment_values(zoe), "confidence": 2}
    assert (
        call(zoe, "commit_experiment", {"values": commitment, "share_with_group": True})[0] == 200
    )
    answers = {**return_values(zoe), "applied": "yes", "confidence": 4, "what_happened": WORDS}
    assert call(zoe, "submit_return", {"values": answers})[0] == 200
    assert call(zoe, "volunteer_host", {"volunteer": True})[0] == 200
    ben = course.block("ben")
    assert call(ben, "submit_deliverable", {"values": card_values(ben)})[0] == 200
    mark = call(ben, "shared_cards", {})[1]["cards"][0]["id"]
    assert call(ben, "reuse_card", {"card": mark, "reuse": True})[0] == 200
    staff = course.block("staff", staff=True)
    assert call(staff, "assign_host", {"next_host": NAME})[1]["next_host"] == NAME
    other = course.block("staff", staff=True, usage="usage-2")
    assert call(other, "assign_host", {"next_host": "zoé QUINTANA"})[0] == 200
    return course


def everything_staff_see(course: Course) -> str:
    """Every staff page, CSV and listing of both sessions, and what learners see of others."""
    seen = []
    for usage in course.usages:
        staff = course.block("staff", staff=True, usage=usage)
        seen += [get(staff, h) for h in ("staff_report", "export_csv", "staff_records")]
        seen += [get(staff, "series_report"), get(staff, "series_csv")]
        seen.append(staff.student_view().content)
        seen.append(str(call(course.block("ben", usage=usage), "shared_cards", {})[1]))
        seen.append(str(staff.host_turns) + staff.next_host)
    return "\n".join(seen).replace(ANONYMOUS, "<anonymous id>")


def counts(course: Course) -> dict[str, Any]:
    block = course.block("staff", staff=True)
    data = report_of(block.community(), block.template()).report.to_data()
    return {name: data[name] for name in COUNTED}


def retire(course: Course) -> Any:
    return retire_learner(RuntimeRows(course, NAME), RETIREE)


def test_before_retirement_staff_see_the_learners_name_and_words():
    seen = everything_staff_see(two_sessions())
    assert NAME in seen and WORDS in seen and "Zoé Quintana".casefold() in seen.casefold()


def test_after_retirement_no_staff_page_csv_or_listing_shows_the_name_or_the_words():
    course = two_sessions()
    retired = retire(course)
    assert (retired.records, retired.states, retired.turns) == (5, 1, 2)
    seen = everything_staff_see(course)
    assert NAME not in seen and "quintana" not in seen.casefold()
    assert WORDS not in seen
    assert RETIREE.label in seen  # the hand-overs and the records name the neutral label


def test_retirement_keeps_the_reports_counts():
    course = two_sessions()
    before = counts(course)
    retire(course)
    assert counts(course) == before


def test_the_retired_learners_card_and_host_offer_are_withdrawn_and_their_turns_unlinked():
    course = two_sessions()
    retire(course)
    assert call(course.block("ben"), "shared_cards", {})[1]["cards"] == []
    staff = course.block("staff", staff=True)
    assert [(t["name"], t["learner_id"]) for t in staff.host_turns] == [(RETIREE.label, None)]
    assert staff.next_host == RETIREE.label
    state = course.block(NAME).learner_state
    assert state["host"]["volunteered"] is False and state["community"]["shared"] is False
    assert state["return"]["values"]["applied"] == "yes" and WORDS not in str(state)


def test_other_learners_and_their_hand_overs_are_untouched():
    course = two_sessions()
    ben_before = [r for _i, learner, r in course.records.saved if learner == "anon-ben"]
    other = course.block("staff", staff=True, usage="usage-2")
    call(other, "assign_host", {"next_host": "ben"})
    retire(course)
    assert [r for _i, learner, r in course.records.saved if learner == "anon-ben"] == ben_before
    other = course.block("staff", staff=True, usage="usage-2")
    assert [t["name"] for t in other.host_turns] == [RETIREE.label, "ben"]
    assert other.next_host == "ben"


def test_retiring_a_retired_learner_again_changes_nothing():
    course = two_sessions()
    retire(course)
    again = retire(course)
    assert (again.records, again.states, again.turns) == (0, 0, 0)


def test_the_lms_sends_the_platforms_retirement_signal_to_the_receiver():
    from koula_xblock.openedx.apps import RETIREMENT_SIGNAL, KoulaOpenedxConfig

    config = KoulaOpenedxConfig.plugin_app["signals_config"]["lms.djangoapp"]
    module = importlib.import_module(f"{KoulaOpenedxConfig.name}.{config['relative_path']}")
    (receiver,) = config["receivers"]
    assert callable(getattr(module, receiver["receiver_func_name"]))
    assert receiver["signal_path"] == RETIREMENT_SIGNAL
    assert RETIREMENT_SIGNAL.endswith("user_api.accounts.signals.USER_RETIRE_LMS_MISC")


def test_the_label_is_the_same_for_one_learner_and_differs_between_learners():
    other = Retiree(frozenset({"anon-ben"}), ("ben",), token="b0b" * 20)
    assert RETIREE.label == Retiree(frozenset(), (), RETIREE.token).label != other.label


def test_the_lms_side_erases_every_record_row_in_edx_submissions_and_names_the_retiree():
    pytest.importorskip("submissions")
    done = subprocess.run(
        [sys.executable, "-m", "tests.xblock.openedx_records"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["changed"] == 3  # Zoé's two rows and her soft-deleted one
    zoe = [r for r in result["table"] if r["student"] == "anon-zoe" and r["item_type"] == "koula"]
    assert len(zoe) == 3 and {r["answer"]["name"] for r in zoe} == {"Participant 5ca1ab"}
    assert "Zoé" not in json.dumps(zoe, ensure_ascii=False)
    assert all(r["answer"]["deliverable"]["status"] == "submitted" for r in zoe)
    others = [r["answer"] for r in result["table"] if r not in zoe]
    assert [a.get("name") for a in others] == ["Ben", None]  # Ben's record, Zoé's ORA answer
    assert others[1] == {"answer": "Zoé's ORA answer"}  # another block's data is not Koula's
    assert [a.get("name") for a in result["api"]] == ["Participant 5ca1ab"] * 2 + ["Ben", None]
    retiree = result["retiree"]
    assert retiree["learner_ids"] == ["anon-zoe"]
    assert retiree["names"] == ["Zoé Quintana", "zquintana"]  # full name, username (no profile)
    assert retiree["label"].startswith("Participant ") and "Zo" not in retiree["label"]
