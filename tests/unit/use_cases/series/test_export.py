"""The series CSV: one row per learner per session, stable columns, the activity CSV's escaping."""

from __future__ import annotations

import csv
import inspect
import io

import pytest

from koula.export import LEARNER_COLUMNS, csv_row
from koula.library import get_template
from koula.state import LearnerState
from koula.use_cases.series.export import SERIES_CSV_COLUMNS, stream_series_csv
from tests.unit.use_cases.series.conftest import day
from tests.unit.use_cases.series.conftest import koula_loop as loop


def rows(store, language="en", roster=None):
    text = "".join(stream_series_csv(store, language=language, roster=roster))
    assert text.startswith("\ufeff")
    header, *lines = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    assert header == list(SERIES_CSV_COLUMNS)
    return [dict(zip(header, line, strict=True)) for line in lines]


@pytest.fixture
def course(series, minimal_template, now):
    series.add_session("one", minimal_template, created_at=day(now, -14), title="First")
    series.add_session("two", get_template("default-koula"), created_at=now, title="")
    return series


def test_the_columns_are_the_session_then_the_activity_csvs_then_the_loops_words_then_name():
    assert (
        "session_number",
        "session_id",
        "session_title",
        "session_date",
        "session_minutes",
        "template_id",
        *LEARNER_COLUMNS,
        "commitment_shared_with_group",
        "experiment",
        "blockers",
        "value_cycle",
        "value_story",
        "name",
    ) == SERIES_CSV_COLUMNS


def test_there_is_one_row_per_learner_per_session_in_session_order(course, steps, now):
    course.put("two", "ana", LearnerState())
    course.put("one", "ana", steps.returned(at=day(now, -14)))
    course.put("one", "ben", steps.committed(at=day(now, -14), share=True))
    found = rows(course, language="fr")
    assert [(r["session_number"], r["session_id"], r["learner_id"]) for r in found] == [
        ("1", "one", "ana"),
        ("1", "one", "ben"),
        ("2", "two", "ana"),
    ]
    assert found[0]["session_title"] == "First" and found[0]["session_date"] == "2026-11-14"
    assert found[2]["session_title"] == get_template("default-koula").title.get("fr")
    assert (found[0]["session_minutes"], found[2]["session_minutes"]) == ("40", "90")
    assert found[2]["template_id"] == "default-koula"


def test_the_learner_columns_are_the_activity_csvs(course, steps, minimal_template, now):
    state = steps.returned(at=day(now, -14))
    course.put("one", "ana", state)
    (row,) = rows(course)
    expected = csv_row(minimal_template, "ana", state)[: len(LEARNER_COLUMNS)]
    assert [row[column] for column in LEARNER_COLUMNS] == expected
    assert row["experiment"] == "Run a five-minute retro"
    assert row["commitment_shared_with_group"] == "no"


def test_the_shared_choice_and_the_returns_words_are_exported(course, now):
    returned = loop(now, share=False, returned=now, blockers=["No time", "Budget"])
    course.put("two", "ana", returned)
    (row,) = rows(course)
    assert row["blockers"] == "No time | Budget"
    assert row["value_cycle"] == "" and row["value_story"] == ""


def test_a_cell_that_would_run_as_a_formula_is_prefixed(course, steps, now):
    course.put("one", "=cmd", steps.committed(at=day(now, -14), action="=HYPERLINK(1)"))
    (row,) = rows(course)
    assert row["learner_id"] == "'=cmd"
    assert row["experiment"] == "'=HYPERLINK(1)"


def test_a_learner_without_a_commitment_has_empty_loop_columns(course, now):
    course.put("one", "ana", LearnerState())
    (row,) = rows(course)
    assert row["commitment_shared_with_group"] == row["experiment"] == ""


def test_the_csv_streams_one_session_at_a_time(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    course.put("two", "ben", LearnerState())
    stream = stream_series_csv(course)
    assert inspect.isgenerator(stream)
    assert next(stream) == "\ufeff" and next(stream).startswith("session_number,")
    assert not course.reads  # nothing read before the first row is asked for
    assert next(stream).startswith("1,one,")
    assert dict(course.reads) == {"one": 1}


def test_each_session_has_a_row_for_each_roster_learner_who_has_not_started_it(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    course.put("two", "ben", LearnerState())
    roster = {"ana": "Ana Souza", "ben": "Ben Okafor", "cy": "Cy Lam"}

    found = rows(course, roster=roster)

    assert [(r["session_id"], r["learner_id"], r["name"]) for r in found] == [
        ("one", "ana", "Ana Souza"),
        ("one", "ben", "Ben Okafor"),
        ("one", "cy", "Cy Lam"),
        ("two", "ben", "Ben Okafor"),
        ("two", "ana", "Ana Souza"),
        ("two", "cy", "Cy Lam"),
    ]
    waiting = found[2]
    assert (waiting["deliverable_status"], waiting["commitment_status"]) == ("empty", "empty")
    assert (waiting["activity_progress"], waiting["score"]) == ("Initialized", "0.0")
    assert waiting["experiment"] == waiting["commitment_shared_with_group"] == ""
    assert waiting["session_title"] == "First"


def test_without_a_roster_the_rows_are_the_learners_who_opened_each_session(course, now):
    course.put("one", "ana", LearnerState())
    (row,) = rows(course)
    assert row["learner_id"] == "ana" and row["name"] == ""
