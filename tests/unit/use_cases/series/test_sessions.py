"""Sessions of a series: their order, date, length and what names an experiment."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from koula.library import get_template
from koula.use_cases.series.sessions import (
    Session,
    earlier_than,
    in_order,
    is_open,
    what_was_committed,
)

T0 = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)


def session(session_id: str, template, *, created: int = 0, date: dt.date | None = None):
    return Session(session_id, "", template, T0 + dt.timedelta(hours=created), date)


def test_sessions_are_ordered_by_session_date_then_creation_time(minimal_template):
    late_date = session("a", minimal_template, created=0, date=dt.date(2026, 10, 1))
    undated = session("b", minimal_template, created=48)  # 3 September, from its creation
    same_day_first = session("c", minimal_template, created=1, date=dt.date(2026, 9, 20))
    same_day_second = session("d", minimal_template, created=2, date=dt.date(2026, 9, 20))
    ordered = in_order([late_date, same_day_second, undated, same_day_first])
    assert [s.id for s in ordered] == ["b", "c", "d", "a"]


def test_a_session_without_a_date_takes_the_utc_day_it_was_created(minimal_template):
    paris_evening = dt.datetime(2026, 9, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    undated = Session("a", "", minimal_template, paris_evening)
    assert undated.date == dt.date(2026, 9, 1)
    assert replace(undated, session_date=dt.date(2026, 9, 9)).date == dt.date(2026, 9, 9)


def test_a_sessions_length_is_its_agendas_minutes(minimal_template):
    assert session("a", minimal_template).minutes == 40
    assert session("b", get_template("default-koula")).minutes == 90


def test_an_untitled_session_reads_as_its_templates_title(minimal_template):
    assert session("a", minimal_template).title_in("fr") == "Séance minimale"
    titled = replace(session("a", minimal_template), title="  Retours de septembre ")
    assert titled.title_in("en") == "Retours de septembre"


def test_the_sessions_before_one_are_those_earlier_in_order(minimal_template):
    sessions = [session(n, minimal_template, created=i) for i, n in enumerate("cab")]
    assert [s.id for s in earlier_than(sessions, "b")] == ["c", "a"]
    assert earlier_than(sessions, "c") == []
    assert earlier_than(sessions, "elsewhere") is None


def test_an_experiment_is_named_by_the_action_answer_else_the_first_short_text(minimal_template):
    assert what_was_committed(minimal_template, {"action": " Try it "}) == "Try it"
    assert what_was_committed(minimal_template, {}) == ""
    koula = get_template("default-koula")
    assert what_was_committed(koula, {"action": "Run a retro", "context": "Team"}) == "Run a retro"


def test_an_experiment_is_open_from_the_commitment_until_the_return(steps):
    from koula.state import LearnerState

    assert not is_open(LearnerState())
    assert is_open(steps.committed())
    assert not is_open(steps.returned())


@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.one_of(st.none(), st.integers(0, 30))),
        min_size=1,
        max_size=12,
    )
)
def test_any_series_reads_in_a_total_order_that_ignores_how_it_was_given(specs):
    from koula.template_format import load_template_file
    from tests.conftest import DATA

    template = load_template_file(DATA / "templates" / "minimal.yaml")
    sessions = [
        Session(
            f"s{n}",
            "",
            template,
            T0 + dt.timedelta(hours=hours),
            None if offset is None else T0.date() + dt.timedelta(days=offset),
        )
        for n, (hours, offset) in enumerate(specs)
    ]
    ordered = in_order(sessions)
    assert in_order(reversed(sessions)) == ordered
    keys = [(s.date, s.created_at) for s in ordered]
    assert keys == sorted(keys)


def test_without_an_action_field_the_first_short_text_names_the_experiment(minimal_template):
    from dataclasses import replace as swap

    from koula.use_cases.series.sessions import experiment_key

    experiment = minimal_template.experiment
    fields = tuple(swap(f, indicator=None) for f in experiment.commitment_fields)
    plain = swap(minimal_template, experiment=swap(experiment, commitment_fields=fields))
    assert experiment_key(minimal_template) == "action"
    assert experiment_key(plain) == "action"  # the first short text
    no_text = swap(plain, experiment=swap(experiment, commitment_fields=fields[2:]))
    assert experiment_key(no_text) is None
    assert what_was_committed(no_text, {"confidence": 3}) == ""
