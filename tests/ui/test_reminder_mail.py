"""The reminder e-mail: its subject, the same sentences in text and HTML, links, two languages."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from lxml import html as lxml_html

from koula import OpenCommitment, Reminder, ReminderKind
from koula_ui.reminder_mail import reminder_mail

DUE = dt.date(2026, 12, 12)
ATTACK = '<img src=x onerror="alert(1)">'
OPEN = OpenCommitment(
    learner_id="ana",
    session_id="one",
    committed_on=dt.date(2026, 11, 28),
    due_on=DUE,
    email="ana@example.org",
    name="Ana",
    what=f"Run a retro {ATTACK}",
    session_title="Retros & reviews",
    session_date=dt.date(2026, 11, 28),
)
LINKS = {
    "return_url": "https://koula.example.org/r/abc?sig=1&x=2",
    "unsubscribe_url": "https://koula.example.org/u/abc",
}


def mail(days_left: int = 2, kind=ReminderKind.BEFORE, commitment=OPEN, **links):
    reminder = Reminder(commitment, kind, DUE - dt.timedelta(days=days_left))
    return reminder_mail(reminder, **(LINKS | links))


@pytest.mark.parametrize(
    ("days_left", "kind", "subject"),
    [
        (2, ReminderKind.BEFORE, "Your experiment is due in 2 days: report back"),
        (1, ReminderKind.BEFORE, "Your experiment is due tomorrow: report back"),
        (0, ReminderKind.DUE, "Your experiment is due today: report back"),
    ],
)
def test_the_subject_says_when_the_experiment_is_due(days_left, kind, subject):
    assert mail(days_left, kind).subject == subject


def test_a_nudge_after_the_due_date_says_it_was_due_and_a_late_return_is_welcome():
    late = mail(-3, ReminderKind.DUE)
    assert late.subject == (
        "Your experiment was due on 12 December 2026: it is not too late to report back"
    )
    assert "Your return was due on 12 December 2026; a late return is still welcome." in late.text
    assert "due today" not in late.text


def test_the_text_names_the_session_the_experiment_the_due_date_and_the_links():
    text = mail().text
    assert text.startswith("Hello Ana,\n\n")
    assert 'In the session "Retros & reviews" (28 November 2026), you committed to try:' in text
    assert "Your return is due on 12 December 2026, in 2 days." in text
    assert f"Report back now\n{LINKS['return_url']}" in text
    assert "it works until 26 December 2026." in text
    assert text.rstrip().endswith(LINKS["unsubscribe_url"])
    assert "Your course:" not in text


def test_the_course_link_is_given_when_the_adapter_knows_it():
    found = mail(course_url="https://lms.example.org/course/7")
    assert "Your course:\nhttps://lms.example.org/course/7" in found.text
    links = lxml_html.document_fromstring(found.html).xpath("//a/@href")
    assert "https://lms.example.org/course/7" in links


def test_the_html_says_the_same_sentences_and_links_the_return_form_first():
    found = mail()
    page = lxml_html.document_fromstring(found.html)
    assert page.get("lang") == "en"
    assert page.xpath("//title")[0].text == found.subject
    said = " ".join(page.xpath("//body")[0].text_content().split())
    for paragraph in found.text.split("\n\n"):
        assert " ".join(paragraph.split()) in said
    links = page.xpath("//a/@href")
    assert links[0] == LINKS["return_url"] and links[-1] == LINKS["unsubscribe_url"]


def test_what_the_learner_typed_cannot_become_markup_in_the_html():
    found = mail()
    assert ATTACK not in found.html
    assert "&lt;img" in found.html
    assert ATTACK in found.text  # plain text is shown as text by any mail reader


def test_the_email_is_in_the_learners_language():
    found = mail(0, ReminderKind.DUE, replace(OPEN, language="fr-CA"))
    assert found.language == "fr"
    assert "expérimentation" in found.subject
    assert "12 décembre 2026" in found.text
    assert 'lang="fr"' in found.html


def test_a_learner_without_a_name_is_greeted_plainly_and_an_unnamed_experiment_still_reads():
    found = mail(commitment=replace(OPEN, name="", what=""))
    assert found.text.startswith("Hello,\n\n")
    assert "you committed to an experiment." in found.text
