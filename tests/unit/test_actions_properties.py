"""Random sequences of learner actions: nothing submitted is lost, progress never goes down."""

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from koula.actions import SUBMITS, apply_action
from koula.errors import ActionError
from koula.progress import progress_of
from koula.state import LearnerState
from koula.template_format import load_template_file

TEMPLATE = load_template_file(Path(__file__).parents[1] / "data" / "templates" / "minimal.yaml")
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

text = st.one_of(
    st.text(max_size=60),
    st.just(""),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=4),
)
values = st.dictionaries(
    st.sampled_from(
        [
            "practice",
            "steps",
            "link",
            "action",
            "by_date",
            "confidence",
            "applied",
            "what_happened",
            "intruder",
        ]
    ),
    st.one_of(text, st.sampled_from(["yes", "no", "partly", "2026-12-01", "https://x.org", 3])),
    max_size=5,
)
actions = st.one_of(
    st.tuples(
        st.just("save_draft"),
        st.fixed_dictionaries(
            {
                "part": st.sampled_from(["deliverable", "commitment", "return", "other"]),
                "values": values,
            }
        ),
    ),
    st.tuples(
        st.sampled_from(["submit_deliverable", "commit_experiment", "submit_return"]),
        st.fixed_dictionaries({"values": values}),
    ),
    st.tuples(st.sampled_from(["submit_deliverable", "save_draft"]), st.just(["not a dict"])),
    st.tuples(
        st.just("volunteer_host"),
        st.fixed_dictionaries({"volunteer": st.one_of(st.booleans(), st.none())}),
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(actions, max_size=12))
def test_no_sequence_loses_a_submission_or_lowers_progress(steps):
    state = LearnerState()
    before = progress_of(TEMPLATE, state)
    for hours, (action, body) in enumerate(steps):
        submitted = {
            part: state.part(part).values for part in TEMPLATE.parts() if state.part(part).done
        }
        revised = None
        try:
            state = apply_action(
                action,
                body,
                template=TEMPLATE,
                state=state,
                now=START + dt.timedelta(hours=hours),
                language="en",
            )
            revised = SUBMITS.get(action)
        except ActionError as error:
            state = error.state
        after = progress_of(TEMPLATE, state)
        assert after.completion >= before.completion
        assert after.score >= before.score
        for part, kept in submitted.items():
            assert state.part(part).done
            if part is not revised:
                assert state.part(part).values == kept
        assert LearnerState.from_data(state.to_data()) == state
        before = after
