"""The per-learner CSV export, read back with the csv module as a spreadsheet would."""

import csv
import datetime as dt
import inspect
import io
from dataclasses import replace

import pytest

from koula.actions import apply_action
from koula.export import (
    CSV_COLUMNS,
    LEARNER_COLUMNS,
    csv_header,
    csv_row,
    stream_csv,
    stream_members_csv,
)
from koula.state import LearnerState

T0 = dt.datetime(2026, 11, 2, 9, 0, 5, 250000, tzinfo=dt.UTC)
CARD = {"practice": "Pair review", "steps": ["Pick a pair", "Review"], "link": "https://x.org/a"}


def act(template, state, action, values, days=0):
    now = T0 + dt.timedelta(days=days)
    body = {"values": values}
    return apply_action(action, body, template=template, state=state, now=now, language="en")


def closed_loop(template, return_day=3, card=CARD, applied="partly", what="We did it twice."):
    state = act(template, LearnerState(), "submit_deliverable", card)
    state = act(template, state, "commit_experiment", {"action": "Try it", "confidence": 2})
    values = {"applied": applied, "what_happened": what}
    return act(template, state, "submit_return", values, days=return_day)


def read_back(template, learners):
    text = "".join(stream_csv(template, learners))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def as_dict(template, learners):
    header, *rows = read_back(template, learners)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_stream_starts_with_the_bom_then_the_header_line(minimal_template):
    first, second = list(stream_csv(minimal_template, []))
    assert first == "\ufeff"
    assert second.endswith("\r\n")
    assert next(csv.reader([second])) == csv_header(minimal_template)


def test_the_header_is_the_stable_columns_one_per_field_in_template_order_then_name(
    minimal_template,
):
    assert csv_header(minimal_template) == [
        *CSV_COLUMNS,
        "deliverable.practice",
        "deliverable.steps",
        "deliverable.link",
        "commitment.action",
        "commitment.by_date",
        "commitment.confidence",
        "return.applied",
        "return.what_happened",
        "name",
    ]
    assert CSV_COLUMNS[0] == "learner_id" and CSV_COLUMNS[-1] == "cards_will_use"


def test_a_closed_loop_row_round_trips_through_the_csv_module(minimal_template):
    [row] = as_dict(minimal_template, [("learner-7", closed_loop(minimal_template))])
    assert row == {
        "learner_id": "learner-7",
        "deliverable_status": "submitted",
        "deliverable_submitted_at": "2026-11-02T09:00:05.250Z",
        "commitment_status": "committed",
        "committed_at": "2026-11-02T09:00:05.250Z",
        "return_due_on": "2026-11-16",
        "return_status": "submitted",
        "returned_at": "2026-11-05T09:00:05.250Z",
        "return_on_time": "yes",
        "applied": "partly",
        "confidence_at_commitment": "2",
        "confidence_at_return": "",
        "completion": "1.0",
        "score": "1.0",
        "activity_progress": "Completed",
        "card_shared": "no",
        "cards_will_use": "0",
        "name": "",
        "deliverable.practice": "Pair review",
        "deliverable.steps": "Pick a pair | Review",
        "deliverable.link": "https://x.org/a",
        "commitment.action": "Try it",
        "commitment.by_date": "",
        "commitment.confidence": "2",
        "return.applied": "partly",
        "return.what_happened": "We did it twice.",
    }


def test_a_late_return_says_no_and_an_empty_state_leaves_empty_cells(minimal_template):
    late, empty = as_dict(
        minimal_template,
        [("late", closed_loop(minimal_template, return_day=15)), ("new", LearnerState())],
    )
    assert late["return_on_time"] == "no"
    assert [empty[c] for c in ("deliverable_status", "commitment_status", "return_status")] == [
        "empty"
    ] * 3
    assert [empty[c] for c in ("committed_at", "return_on_time", "applied")] == ["", "", ""]
    assert (empty["completion"], empty["activity_progress"]) == ("0.0", "Initialized")


def test_drafts_are_not_exported(minimal_template):
    body = {"part": "deliverable", "values": {"practice": "Half written"}}
    state = apply_action(
        "save_draft", body, template=minimal_template, state=LearnerState(), now=T0, language="en"
    )
    [row] = as_dict(minimal_template, [("d", state)])
    assert (row["deliverable_status"], row["deliverable.practice"]) == ("draft", "")


@pytest.mark.parametrize(
    "answer", ['=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)", "\tx", "\rx", "＝1+1"]
)
def test_a_formula_like_answer_is_neutralised_with_an_apostrophe(minimal_template, answer):
    state = closed_loop(minimal_template, card={"practice": answer})
    [row] = as_dict(minimal_template, [("x", state)])
    assert row["deliverable.practice"] == "'" + answer


def test_a_formula_like_learner_id_or_list_is_neutralised_too(minimal_template):
    state = closed_loop(minimal_template, card={"practice": "ok", "steps": ["=1", "two"]})
    [row] = as_dict(minimal_template, [("=cmd|' /C calc'!A0", state)])
    assert row["learner_id"] == "'=cmd|' /C calc'!A0"
    assert row["deliverable.steps"] == "'=1 | two"
    assert row["deliverable.practice"] == "ok"


def test_french_accents_and_line_breaks_survive_the_trip_in_utf8(minimal_template):
    what = "Ça a marché, l’équipe était ravie.\nDeuxième ligne : « très bien »"
    state = closed_loop(minimal_template, card={"practice": "Revue à deux"}, what=what)
    data = "".join(stream_csv(minimal_template, [("é", state)])).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    values = dict(zip(header, row, strict=True))
    assert (values["deliverable.practice"], values["return.what_happened"]) == (
        "Revue à deux",
        what,
    )


def test_every_line_ends_with_crlf_as_excel_expects(minimal_template):
    lines = list(stream_csv(minimal_template, [("a", LearnerState()), ("b", LearnerState())]))
    assert all(line.endswith("\r\n") for line in lines[1:])
    assert len(lines) == 4


def test_csv_row_gives_one_cell_per_header_column(minimal_template):
    row = csv_row(minimal_template, "a", closed_loop(minimal_template))
    assert len(row) == len(csv_header(minimal_template))
    assert row[:2] == ["a", "submitted"]


def test_a_template_without_an_experiment_leaves_the_loop_columns_empty(minimal_template):
    template = replace(minimal_template, experiment=None)
    state = act(template, LearnerState(), "submit_deliverable", {"practice": "Solo"})
    [row] = as_dict(template, [("s", state)])
    assert [row[c] for c in CSV_COLUMNS[3:12]] == [""] * 9
    assert (row["completion"], row["deliverable.practice"]) == ("1.0", "Solo")
    assert "commitment.action" not in row


def learners_that_fail_after(count):
    for n in range(count):
        yield f"l{n}", LearnerState()
    raise AssertionError("the export read more learners than it wrote")


def test_stream_csv_is_a_generator_that_reads_learners_only_as_it_writes(minimal_template):
    stream = stream_csv(minimal_template, learners_that_fail_after(3))
    assert inspect.isgenerator(stream)
    assert [next(stream), next(stream)][0] == "\ufeff"  # nothing read yet
    assert [next(stream).split(",")[0] for _ in range(3)] == ["l0", "l1", "l2"]
    with pytest.raises(AssertionError, match="read more learners"):
        next(stream)


def test_sharing_and_reuse_are_exported(minimal_template, now):
    from koula.actions import apply_action
    from koula.community import Community

    state = closed_loop(minimal_template)
    state = apply_action(
        "share_card",
        {"shared": True},
        template=minimal_template,
        state=state,
        now=now,
        language="en",
    )
    state = apply_action(
        "reuse_card",
        {"card": "c1", "reuse": True},
        template=minimal_template,
        state=state,
        now=now,
        language="en",
        community=Community(frozenset({"c1"}), "own"),
    )
    [row] = as_dict(minimal_template, [("learner-8", state)])
    assert (row["card_shared"], row["cards_will_use"]) == ("yes", "1")


def test_learner_cells_without_answers_are_the_stable_columns_of_the_row(minimal_template):
    from koula.export import learner_cells

    state = closed_loop(minimal_template)
    full = csv_row(minimal_template, "ana", state)
    assert learner_cells(minimal_template)("ana", state) == full
    assert (
        learner_cells(minimal_template, answers=False)("ana", state) == full[: len(LEARNER_COLUMNS)]
    )


def test_the_csv_names_each_learner_in_the_very_last_column(minimal_template):
    members = [("u1", "Ana Souza", closed_loop(minimal_template))]
    text = "".join(stream_members_csv(minimal_template, members))[1:]
    header, line = csv.reader(io.StringIO(text))
    assert header[-1] == "name" and line[-1] == "Ana Souza"
    assert header.index("name") > header.index("return.what_happened")


def test_roster_learners_who_have_not_started_get_a_row_of_empty_parts(minimal_template):
    members = [("u1", "", closed_loop(minimal_template))]
    roster = {"u1": "Ana Souza", "u2": "Bo Li"}
    text = "".join(stream_members_csv(minimal_template, members, roster=roster))[1:]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["learner_id"], r["name"]) for r in rows] == [("u1", "Ana Souza"), ("u2", "Bo Li")]
    waiting = rows[1]
    assert (waiting["deliverable_status"], waiting["commitment_status"]) == ("empty", "empty")
    assert (waiting["activity_progress"], waiting["committed_at"]) == ("Initialized", "")
