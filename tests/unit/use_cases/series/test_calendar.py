"""The "Add to my calendar" file: RFC 5545 as a real parser reads it, folded and escaped."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from koula.errors import Conflict
from koula.state import LearnerState
from koula.use_cases.series.calendar import (
    CalendarEvent,
    calendar_text,
    commitment_calendar,
    escape_text,
    fold,
)
from koula.use_cases.series.sessions import Session

LINK = "https://koula.example.org/lti/return/abc?sig=1,2;3"


@pytest.fixture
def session(minimal_template, now):
    return Session("one", "Retros, part 1; \\ the start", minimal_template, now, card_scope="k1")


def parsed(text: str) -> icalendar.Component:
    return icalendar.Calendar.from_ical(text)


def test_the_file_is_one_all_day_event_on_the_due_date_with_an_alarm(session, steps, now):
    text = commitment_calendar(session, "ana", steps.committed(), language="en", now=now, url=LINK)
    calendar = parsed(text)
    (event,) = calendar.walk("VEVENT")
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert event.decoded("DTSTART") == dt.date(2026, 12, 12)
    assert event.decoded("DTEND") == dt.date(2026, 12, 13)
    assert event.decoded("DTSTAMP") == now.replace(microsecond=0)
    assert str(event["SUMMARY"]) == "Report back on my experiment: Run a five-minute retro"
    description = str(event["DESCRIPTION"])
    assert '"Retros, part 1; \\ the start"' in description
    assert description.endswith(f"\nReport back here: {LINK}")
    assert str(event["URL"]) == LINK
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=15)  # 09:00 the day before


def test_lines_end_with_crlf_and_none_is_longer_than_75_octets(session, steps, now):
    long_action = "Essayer une rétrospective de cinq minutes " * 4
    state = steps.committed(action=long_action[:200])
    text = commitment_calendar(session, "ana", state, language="fr", now=now, url=LINK)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "Rendre compte" in str(parsed(text).walk("VEVENT")[0]["SUMMARY"])


def test_the_uid_is_stable_per_learner_and_session_and_hides_the_learner(session, steps, now):
    def uid(learner: str, where: Session = session, at: dt.datetime = now) -> str:
        text = commitment_calendar(where, learner, steps.committed(), language="en", now=at)
        return str(parsed(text).walk("VEVENT")[0]["UID"])

    assert uid("ana") == uid("ana", at=now + dt.timedelta(days=3))
    assert uid("ana") != uid("ben")
    assert uid("ana") != uid("ana", replace(session, id="two"))
    assert "ana" not in uid("ana").split("@")[0]


def test_the_texts_are_in_the_learners_language(session, steps, now):
    text = commitment_calendar(session, "ana", steps.committed(), language="fr-CA", now=now)
    event = parsed(text).walk("VEVENT")[0]
    assert "SUMMARY;LANGUAGE=fr:" in text
    assert "expérimentation" in str(event["SUMMARY"])
    assert "séance" in str(event["DESCRIPTION"])


def test_a_learner_who_has_not_committed_gets_no_file(session, now):
    with pytest.raises(Conflict) as refused:
        commitment_calendar(session, "ana", LearnerState(), language="fr", now=now)
    assert refused.value.status == 409 and "calendrier" in refused.value.errors["_"]


def test_a_link_with_a_line_break_is_left_out_of_the_url_property(session, steps, now):
    text = commitment_calendar(
        session, "ana", steps.committed(), language="en", now=now, url="https://x.org/\r\nX:1"
    )
    assert "\r\nX:1" not in text and "URL:" not in text


def test_escaping_covers_backslash_semicolon_comma_and_line_breaks():
    assert escape_text('a\\b;c,d\ne\r\nf\rg"h') == 'a\\\\b\\;c\\,d\\ne\\nf\\ng"h'
    assert escape_text("tab\tkept, bell\x07 and escape\x1b dropped") == (
        "tab\tkept\\, bell and escape dropped"
    )


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for c in chars:
        if c == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(c)
    return "".join(out)


def plain(text: str) -> str:
    """What escaping keeps of ``text``: line breaks as LF, no control character but tabs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\t\n" or (ord(c) >= 32 and ord(c) != 127))


@given(st.text())
def test_escaped_text_reads_back_as_the_text_and_has_no_bare_separator(text):
    escaped = escape_text(text)
    assert unescape(escaped) == plain(text)
    assert "\n" not in escaped and "\r" not in escaped
    bare = escaped.replace("\\\\", "").replace("\\;", "").replace("\\,", "")
    assert ";" not in bare and "," not in bare


@given(st.text(min_size=0, max_size=400))
def test_folding_keeps_lines_within_75_octets_and_unfolds_to_the_line(text):
    line = "DESCRIPTION:" + escape_text(text)
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line


@given(summary=st.text(max_size=300), description=st.text(max_size=600))
def test_a_real_parser_reads_back_any_summary_and_description(summary, description):
    event = CalendarEvent(
        uid="x@koula",
        stamp=dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC),
        day=dt.date(2026, 12, 12),
        summary=summary,
        description=description,
        alarm="Tomorrow",
        language="en",
    )
    (found,) = parsed(calendar_text(event)).walk("VEVENT")
    assert str(found["SUMMARY"]) == plain(summary)
    assert str(found["DESCRIPTION"]) == plain(description)
