"""The impact report, checked figure by figure on a small cohort worked out by hand.

The cohort (default Koula template, 14-day return window, everyone commits on day 0,
so the return is due on day 14):

====  =====  ============================  ==============================================
who   card   commitment: conf, rel, now    return: day, applied, conf, blockers, story
====  =====  ============================  ==============================================
ana   yes    2, 5, yes                     10, yes, 4, "Time!" "No budget", realised story
ben   yes    3, 4, partly                  20 (late), partly, 3, " time " "no budget.", potential
cleo  yes    4, -, partly                  14, no, 4, "Manager said no", untagged story
dan   no     1, 3, no                      -
eve   yes    -                             -
fay   draft  -                             -
gus   -      -                             -
====  =====  ============================  ==============================================
"""

import datetime as dt
import json
import tracemalloc
from dataclasses import replace

import pytest

from koula.actions import apply_action
from koula.impact import ImpactAccumulator, impact_report
from koula.impact_figures import normalise_blocker
from koula.library import get_template
from koula.state import LearnerState, PartState

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
COMPUTED = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
CARD = {"practice_name": "Pair review", "problem": "Late reviews", "steps": ["Pick a pair"]}


@pytest.fixture
def koula():
    return get_template("default-koula")


def act(template, state, action, values, now=T0, part=None):
    body = {"values": values} if part is None else {"part": part, "values": values}
    return apply_action(action, body, template=template, state=state, now=now, language="en")


def committed(template, *, card=True, **answers):
    state = act(template, LearnerState(), "submit_deliverable", CARD) if card else LearnerState()
    values = {"action": "Run a retro", "success_signal": "Owners named", **answers}
    return act(template, state, "commit_experiment", values)


def returned(template, state, day, **answers):
    values = {"what_happened": "It went.", **answers}
    return act(template, state, "submit_return", values, now=T0 + dt.timedelta(days=day))


def cohort(t):
    ana = committed(t, confidence=2, relevance=5, can_do_now="yes")
    ana = returned(
        t,
        ana,
        10,
        applied="yes",
        confidence=4,
        blockers=["Time!", "No budget"],
        value_story="We halved meeting time.",
        value_cycle="realised",
    )
    ben = committed(t, confidence=3, relevance=4, can_do_now="partly")
    ben = returned(
        t,
        ben,
        20,
        applied="partly",
        confidence=3,
        blockers=[" time ", "  no   budget. "],
        value_cycle="potential",
    )
    cleo = committed(t, confidence=4, can_do_now="partly")
    cleo = returned(
        t,
        cleo,
        14,
        applied="no",
        confidence=4,
        blockers=["Manager said no"],
        value_story="  Nothing yet.  ",
    )
    return [
        ("ana", ana),
        ("ben", ben),
        ("cleo", cleo),
        ("dan", committed(t, card=False, confidence=1, relevance=3, can_do_now="no")),
        ("eve", act(t, LearnerState(), "submit_deliverable", CARD)),
        ("fay", act(t, LearnerState(), "save_draft", {"problem": "x"}, part="deliverable")),
        ("gus", LearnerState()),
    ]


@pytest.fixture
def report(koula):
    return impact_report(koula, cohort(koula), computed_at=COMPUTED)


def figure(f):
    return (f.count, f.of, f.rate)


def test_the_report_says_how_many_learners_it_covers_and_when_it_was_computed(report):
    data = report.to_data()
    assert (data["learners"], data["computed_at"], data["template_id"]) == (
        7,
        "2026-12-01T08:00:00.000Z",
        "default-koula",
    )


def test_started_counts_drafts_and_done_parts_over_the_learners_covered(report):
    assert figure(report.started) == (6, 7, 0.8571)
    assert report.not_started is None


def test_with_a_roster_those_not_started_are_the_rest_of_the_roster(koula):
    report = impact_report(koula, cohort(koula), roster_size=10, computed_at=COMPUTED)
    assert figure(report.started) == (6, 10, 0.6)
    assert figure(report.not_started) == (4, 10, 0.4)


def test_with_a_roster_the_learners_not_started_by_progress_are_the_not_started(koula):
    report = impact_report(koula, cohort(koula), roster_size=10, computed_at=COMPUTED)
    assert report.activity["Initialized"] == report.not_started.count == 4


def test_a_roster_smaller_than_the_learners_covered_never_gives_a_rate_above_one(koula):
    report = impact_report(koula, cohort(koula), roster_size=3, computed_at=COMPUTED)
    assert figure(report.started) == (6, 7, 0.8571)
    assert figure(report.not_started) == (1, 7, 0.1429)


def test_cards_and_commitments_are_rates_of_those_who_started(report):
    assert figure(report.cards) == (4, 6, 0.6667)
    assert figure(report.commitments) == (4, 6, 0.6667)


def test_returns_are_a_rate_of_commitments_and_on_time_a_rate_of_returns(report):
    assert figure(report.returns) == (3, 4, 0.75)
    assert figure(report.on_time) == (2, 3, 0.6667)


def test_a_return_with_no_due_date_is_neither_on_time_nor_late(koula):
    done = PartState({"applied": "yes"}, done_at=T0)
    state = LearnerState(done, done, replace(done, on_time=None))
    report = impact_report(koula, [("x", state)], computed_at=COMPUTED)
    assert figure(report.on_time) == (0, 1, 0.0)


def test_applied_answers_and_the_applied_rate_are_counted_over_returns(report):
    assert {k: figure(f) for k, f in report.applied.items()} == {
        "yes": (1, 3, 0.3333),
        "partly": (1, 3, 0.3333),
        "no": (1, 3, 0.3333),
    }
    assert figure(report.applied_rate) == (2, 3, 0.6667)


def test_confidence_is_averaged_at_commitment_at_return_and_as_a_change(report):
    assert (report.confidence_at_commitment.mean, report.confidence_at_commitment.n) == (2.5, 4)
    assert (report.confidence_at_return.mean, report.confidence_at_return.n) == (3.6667, 3)
    # ana +2, ben 0, cleo 0; dan gave no return and does not count
    assert (report.confidence_change.mean, report.confidence_change.n) == (0.6667, 3)


def test_relevance_and_could_do_it_now_come_from_the_commitment(report):
    assert (report.relevance.mean, report.relevance.n) == (4.0, 3)
    assert {k: figure(f) for k, f in report.can_do_now.items()} == {
        "yes": (1, 4, 0.25),
        "partly": (2, 4, 0.5),
        "no": (1, 4, 0.25),
    }


def test_blockers_are_grouped_whatever_their_case_spacing_and_trailing_punctuation(report):
    groups = [(g.text, g.count, g.example) for g in report.blockers.groups]
    assert groups == [
        ("time", 2, "Time!"),
        ("no budget", 2, "No budget"),
        ("manager said no", 1, "Manager said no"),
    ]
    assert figure(report.blockers.learners) == (3, 3, 1.0)
    assert (report.blockers.mentions, report.blockers.max_undercount) == (5, 0)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Time!", "time"),
        (" time ", "time"),
        ("TIME ?", "time"),
        ("No\u202fbudget…", "no budget"),
        ("Pas de créneau !", "pas de créneau"),
        ("?!", ""),
    ],
)
def test_a_blocker_is_case_folded_trimmed_collapsed_and_stripped_of_end_punctuation(text, key):
    assert normalise_blocker(text) == key


def test_the_ten_largest_blocker_groups_are_kept_ties_in_the_order_first_seen(koula):
    counts = dict(zip("abcdefghijkl", [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 1, 1], strict=True))
    accumulator = ImpactAccumulator(koula)
    for name, count in counts.items():
        state = back_with_blockers(koula, [name.upper() + "."])
        for _ in range(count):
            accumulator.add(name, state)
    groups = [(g.text, g.count) for g in accumulator.report(computed_at=COMPUTED).blockers.groups]
    assert groups == [
        ("i", 9),
        ("j", 9),
        ("h", 8),
        ("g", 7),
        ("f", 6),
        ("e", 5),
        ("d", 4),
        ("c", 3),
        ("b", 2),
        ("a", 1),
    ]


def back_with_blockers(template, blockers, **answers):
    state = committed(template, confidence=3)
    values = {"applied": "no", "confidence": 3, "blockers": blockers, **answers}
    return returned(template, state, 1, **values)


def test_a_full_blocker_tally_keeps_the_frequent_group_and_says_it_is_not_exact(koula):
    accumulator = ImpactAccumulator(koula, blocker_capacity=5)
    common = back_with_blockers(koula, ["Time"])
    for n in range(300):
        accumulator.add(f"l{n}", back_with_blockers(koula, [f"rare {n}"]))
        accumulator.add(f"c{n}", common)
    blockers = accumulator.report(computed_at=COMPUTED).blockers
    assert blockers.groups[0].text == "time"
    assert (blockers.mentions, blockers.exact) == (600, False)
    assert 0 < blockers.max_undercount <= 600 // 6
    assert 300 - blockers.max_undercount <= blockers.groups[0].count <= 300
    assert len(blockers.groups) <= 5


def test_value_stories_are_grouped_by_value_cycle(report):
    groups = {g.cycle: g for g in report.value_stories}
    assert list(groups) == ["immediate", "potential", "applied", "realised", "reframing", None]
    assert {c: (figure(g.returns), g.stories) for c, g in groups.items()} == {
        "immediate": ((0, 3, 0.0), 0),
        "potential": ((1, 3, 0.3333), 0),
        "applied": ((0, 3, 0.0), 0),
        "realised": ((1, 3, 0.3333), 1),
        "reframing": ((0, 3, 0.0), 0),
        None: ((1, 3, 0.3333), 1),
    }
    assert [(s.learner_id, s.text) for s in groups["realised"].examples] == [
        ("ana", "We halved meeting time.")
    ]
    assert [(s.learner_id, s.text) for s in groups[None].examples] == [("cleo", "Nothing yet.")]


def test_the_first_five_stories_of_a_cycle_are_kept_and_all_are_counted(koula):
    learners = [
        (f"l{n}", back_with_blockers(koula, [], value_story=f"Story {n}", value_cycle="applied"))
        for n in range(8)
    ]
    groups = {
        g.cycle: g for g in impact_report(koula, learners, computed_at=COMPUTED).value_stories
    }
    assert groups["applied"].stories == 8
    assert [s.text for s in groups["applied"].examples] == [f"Story {n}" for n in range(5)]


def test_the_funnel_counts_each_stage_on_its_own(report):
    assert dict(report.funnel) == {"started": 6, "cards": 4, "commitments": 4, "returns": 3}


def test_completion_score_and_activity_are_taken_over_the_learners_covered(report):
    # completion: 3 closed loops + dan 0.3333 + eve 0.3333; score: 3 + dan 0.2 + eve 0.4
    assert (report.completion.mean, report.completion.n) == (0.5238, 7)
    assert (report.score.mean, report.score.n) == (0.5143, 7)
    assert dict(report.activity) == {
        "Initialized": 1,
        "Started": 1,
        "InProgress": 2,
        "Submitted": 0,
        "Completed": 3,
    }


def test_with_no_learners_every_rate_and_mean_is_none(koula):
    report = impact_report(koula, [], computed_at=COMPUTED)
    rates = [report.started, report.cards, report.commitments, report.returns, report.on_time]
    rates += [report.applied_rate, *report.applied.values(), report.blockers.learners]
    assert [f.rate for f in rates] == [None] * len(rates)
    means = [report.confidence_at_commitment, report.confidence_change, report.completion]
    assert [m.mean for m in means] == [None, None, None]
    assert impact_report(koula, [], roster_size=0, computed_at=COMPUTED).not_started.rate is None


def test_only_submitted_answers_count_never_drafts(koula):
    state = committed(koula, confidence=2)
    state = act(koula, state, "save_draft", {"applied": "yes", "confidence": 5}, part="return")
    report = impact_report(koula, [("x", state)], computed_at=COMPUTED)
    assert figure(report.returns) == (0, 1, 0.0)
    assert report.applied["yes"].count == 0
    assert report.confidence_at_return.n == 0


def test_a_template_without_an_indicator_field_leaves_that_figure_absent(minimal_template):
    state = act(
        minimal_template, LearnerState(), "commit_experiment", {"action": "a", "confidence": 4}
    )
    state = act(minimal_template, state, "submit_return", {"applied": "yes", "what_happened": "ok"})
    report = impact_report(minimal_template, [("x", state)], computed_at=COMPUTED)
    assert (report.relevance, report.can_do_now, report.blockers, report.value_stories) == (
        None,
        None,
        None,
        None,
    )
    assert (report.confidence_at_return, report.confidence_change) == (None, None)
    assert report.confidence_at_commitment.mean == 4.0
    assert figure(report.applied_rate) == (1, 1, 1.0)


def test_a_template_without_an_experiment_has_no_loop_figures(minimal_template):
    template = replace(minimal_template, experiment=None)
    state = act(template, LearnerState(), "submit_deliverable", {"practice": "Pairing"})
    report = impact_report(template, [("x", state)], computed_at=COMPUTED)
    assert (report.commitments, report.returns, report.on_time, report.applied) == (None,) * 4
    assert dict(report.funnel) == {"started": 1, "cards": 1}
    assert report.completion.mean == 1.0


def test_the_report_is_json_ready(report):
    data = json.loads(json.dumps(report.to_data()))
    assert data["returns"] == {"count": 3, "of": 4, "rate": 0.75}
    assert data["confidence_change"] == {"mean": 0.6667, "n": 3}
    assert data["blockers"]["groups"][0] == {"text": "time", "count": 2, "example": "Time!"}
    assert data["value_stories"][3]["examples"] == [
        {"learner_id": "ana", "text": "We halved meeting time."}
    ]
    assert data["funnel"] == {"started": 6, "cards": 4, "commitments": 4, "returns": 3}


def generated(count):
    """Yield ``count`` learners lazily: a quarter each not started, card only, committed, back."""
    due = dt.date(2026, 11, 16)
    for n in range(count):
        kind = n % 4
        card = PartState({"practice_name": "p"}, done_at=T0) if kind else PartState()
        commitment = PartState({"confidence": 2}, done_at=T0, due_on=due) if kind > 1 else None
        back = {"applied": "yes", "confidence": 4, "blockers": [f"Blocker {n}"]}
        return_ = PartState(back, done_at=T0, on_time=n % 8 == 3) if kind == 3 else None
        yield f"learner-{n}", LearnerState(card, commitment or PartState(), return_ or PartState())


def test_ten_thousand_learners_stream_through_in_one_pass(koula):
    report = impact_report(koula, generated(10_000), roster_size=12_000, computed_at=COMPUTED)
    assert (report.learners, report.started.count, report.not_started.count) == (10_000, 7500, 4500)
    assert figure(report.commitments) == (5000, 7500, 0.6667)
    assert figure(report.returns) == (2500, 5000, 0.5)
    assert figure(report.on_time) == (1250, 2500, 0.5)
    assert (report.confidence_change.mean, report.confidence_change.n) == (2.0, 2500)
    assert report.blockers.mentions == 2500


def peak_memory_of(template, count):
    accumulator = ImpactAccumulator(template, blocker_capacity=100)
    tracemalloc.start()
    try:
        for learner_id, state in generated(count):
            accumulator.add(learner_id, state)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_learners(koula):
    small, large = peak_memory_of(koula, 1_000), peak_memory_of(koula, 10_000)
    assert large < small * 1.5 + 50_000
