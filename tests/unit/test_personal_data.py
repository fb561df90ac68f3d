"""What erasing a learner's data keeps (the report's counts) and removes (every word they wrote)."""

import datetime as dt
import json
from dataclasses import replace

import pytest

from koula.community import public_id
from koula.community_report import CommunityTally
from koula.impact import impact_report
from koula.library import get_template
from koula.personal_data import erased_label, erased_state, erased_turns, export_of
from koula.progress import progress_of
from koula.rotation import Turn, rotation_of
from koula.state import LearnerState
from tests.unit.test_impact import COMPUTED, T0, act, cohort

WORDS = ("Pair review", "Late reviews", "Run a retro", "Owners named", "It went", "Time!")
WORDS += ("halved meeting", "Manager said no", "Nothing yet", "Pick a pair")


@pytest.fixture
def koula():
    return get_template("default-koula")


def stored(state):
    """The state as an adapter stores and reads it back."""
    return LearnerState.from_data(json.loads(json.dumps(state.to_data())))


def erased_cohort(template):
    return [(who, stored(erased_state(state, template))) for who, state in cohort(template)]


def test_an_erased_cohort_holds_none_of_the_words_its_learners_wrote(koula):
    before = json.dumps([state.to_data() for _who, state in cohort(koula)])
    after = json.dumps([state.to_data() for _who, state in erased_cohort(koula)])
    assert all(word in before for word in WORDS)
    assert not [word for word in WORDS if word in after]


def test_every_count_of_the_report_is_unchanged_but_the_learners_own_words(koula):
    before = impact_report(koula, cohort(koula), computed_at=COMPUTED).to_data()
    after = impact_report(koula, erased_cohort(koula), computed_at=COMPUTED).to_data()
    words = ("blockers", "value_stories")
    assert {k: v for k, v in after.items() if k not in words} == {
        k: v for k, v in before.items() if k not in words
    }
    cycles = [(group["cycle"], group["returns"]) for group in after["value_stories"]]
    assert cycles == [(group["cycle"], group["returns"]) for group in before["value_stories"]]
    assert after["blockers"]["learners"]["count"] == 0
    assert [group["stories"] for group in after["value_stories"]] == [0] * len(cycles)


def test_a_roster_reads_the_same_figures_after_erasure(koula):
    def report(learners):
        return impact_report(koula, learners, roster_size=10, computed_at=COMPUTED).to_data()

    assert report(erased_cohort(koula))["not_started"] == report(cohort(koula))["not_started"]


def test_progress_is_unchanged_and_a_learner_with_a_draft_only_has_still_started(koula):
    for (_who, state), (_same, erased) in zip(cohort(koula), erased_cohort(koula), strict=True):
        assert progress_of(koula, erased) == progress_of(koula, state)
    fay = dict(erased_cohort(koula))["fay"]
    assert fay.deliverable.draft == {"problem": ""}


def test_choices_and_ratings_stay_and_texts_lists_and_links_become_empty(koula):
    ana = dict(erased_cohort(koula))["ana"]
    assert ana.return_.values == {
        "what_happened": "",
        "applied": "yes",
        "confidence": 4,
        "blockers": [],
        "value_story": "",
        "value_cycle": "realised",
    }
    assert ana.commitment.values == {
        "action": "",
        "success_signal": "",
        "confidence": 2,
        "relevance": 5,
        "can_do_now": "yes",
    }


def test_times_are_cut_to_the_day_and_due_dates_and_on_time_stay(koula):
    ana = dict(cohort(koula))["ana"]
    erased = erased_state(ana, koula)
    assert erased.commitment.done_at == dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    assert erased.return_.done_at == dt.datetime(2026, 11, 12, tzinfo=dt.UTC)
    assert (erased.commitment.due_on, erased.return_.on_time) == (
        ana.commitment.due_on,
        ana.return_.on_time,
    )


def test_the_card_is_unshared_the_offer_withdrawn_and_the_marks_on_others_cards_kept(koula):
    state = act(koula, LearnerState(), "submit_deliverable", {"practice_name": "Mine", **CARD})
    state = act(
        koula, state, "commit_experiment", {"action": "x", "success_signal": "y", "confidence": 3}
    )
    state = replace(
        state, shared_at=T0, volunteered_at=T0, will_use=("abc",), share_commitment=True
    )
    erased = erased_state(state, koula)
    assert (erased.shared_at, erased.volunteered_at, erased.share_commitment) == (None, None, False)
    assert erased.will_use == ("abc",)


CARD = {"problem": "Late reviews", "steps": ["Pick a pair"]}


def test_an_erased_learners_marks_still_count_as_reuse_of_the_others_cards(koula):
    def tally(learners):
        counted = CommunityTally(koula, "scope")
        for who, state in learners:
            counted.add(who, who, state)
        return counted.report()

    author = act(koula, LearnerState(), "submit_deliverable", {"practice_name": "A", **CARD})
    author = replace(author, shared_at=T0)
    reader = act(koula, LearnerState(), "save_draft", {"problem": "p"}, part="deliverable")
    reader = replace(reader, will_use=(public_id("scope", "author"),))
    before = tally([("author", author), ("reader", reader)])
    after = tally([("author", author), ("reader", erased_state(reader, koula))])
    assert (after.reuses, after.reusers) == (before.reuses, before.reusers) == (1, 1)


def test_erasing_twice_changes_nothing(koula):
    once = erased_cohort(koula)
    twice = [(who, stored(erased_state(state, koula))) for who, state in once]
    assert twice == once


def test_without_a_template_every_answer_becomes_empty(koula):
    ana = dict(cohort(koula))["ana"]
    erased = erased_state(ana, None)
    assert [value for value in erased.return_.values.values() if value not in ("", [])] == []
    assert erased.return_.done


def test_the_export_is_the_learner_state_of_the_contract_with_its_progress(koula):
    ana = dict(cohort(koula))["ana"]
    data = export_of(ana, koula)
    assert data["deliverable"]["values"]["practice_name"] == "Pair review"
    assert data["progress"]["activity"] == "Completed"
    assert "progress" not in export_of(ana, None)


def test_host_turns_of_the_learner_get_a_neutral_label_and_lose_their_link():
    turns = (
        Turn("Ana Lopez", "ana", T0),
        Turn("ana  lopez", None, T0),
        Turn("Ben", "ben", T0),
        Turn("Ana", None, T0),
    )
    label = erased_label("0123456789")
    erased, changed = erased_turns(turns, learner_id="ana", names=["Ana Lopez"], label=label)
    assert changed == 2
    assert erased == (
        Turn("Participant 012345", None, T0),
        Turn("Participant 012345", None, T0),
        Turn("Ben", "ben", T0),
        Turn("Ana", None, T0),
    )
    assert rotation_of(erased, ()).hosts == rotation_of(turns, ()).hosts == 3


def test_two_erased_hosts_stay_two_hosts():
    turns = (Turn("Ana", "ana", T0), Turn("Ben", "ben", T0))
    turns, _ = erased_turns(turns, learner_id="ana", names=[], label=erased_label("aaaaaa"))
    turns, _ = erased_turns(turns, learner_id="ben", names=[], label=erased_label("bbbbbb"))
    assert rotation_of(turns, ()).hosts == 2
