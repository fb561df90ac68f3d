"""The words of the learner page, translated, for the templates and for ``koula.js`` alike.

Every user-visible string of the page is an English msgid passed through the
learner's gettext here or in the templates, so the catalog in ``koula/locale``
covers all of it. The strings the browser needs after an action (status
lines, button labels, messages, month names) travel in the page's script
context as :func:`script_strings`, with ``{name}`` where a value goes, so a
line the script writes reads exactly like the one the server wrote. Dates
show the calendar day only (UTC), so no time zone is needed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from koula import Mode, Part
from koula.messages import Gettext

__all__ = [
    "activity_words",
    "date_hint",
    "date_pattern",
    "format_date",
    "iso_date",
    "mode_words",
    "numeric_date",
    "percent",
    "script_strings",
    "submit_labels",
    "whole_percent",
]


def month_names(_: Gettext) -> tuple[str, ...]:
    """Return the twelve month names as they read inside a date."""
    return (
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    )


def date_format(_: Gettext) -> str:
    # Translators: how a date reads ("14 December 2026"); keep the three {names} as they are.
    return _("{day} {month} {year}")


def iso_date(value: str | dt.date | None) -> str | None:
    """Return the ``YYYY-MM-DD`` part of an ISO date or time (None when absent or unreadable)."""
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


DATE_EXAMPLE = "24/12/2026"


def date_pattern(_: Gettext) -> str:
    """Return how a date field wants its date typed ("dd/mm/yyyy"; "jj/mm/aaaa" in French)."""
    # Translators: the pattern a date is typed in; keep the order day/month/year and the slashes.
    return _("dd/mm/yyyy")


def date_hint(_: Gettext) -> str:
    """Return the hint under a date field: its pattern and an example."""
    return _("Format: {pattern}, for example {example}").format(
        pattern=date_pattern(_), example=DATE_EXAMPLE
    )


def bad_date(_: Gettext) -> str:
    """Return the error of a date field whose text is not a date."""
    return _("Enter a real date as {pattern}, for example {example}.").format(
        pattern=date_pattern(_), example=DATE_EXAMPLE
    )


def numeric_date(value: str | dt.date | None) -> str:
    """Return ``value`` as a date field shows it ("24/12/2026"); empty when absent, and the
    text itself when it is not an ISO date (a value typed but never read)."""
    day = iso_date(value)
    if day is None:
        return "" if value is None else str(value)
    year, month, date = day.split("-")
    return f"{date}/{month}/{year}"


def format_date(value: str | dt.date | None, _: Gettext) -> str:
    """Return ``value`` as a readable date ("14 December 2026"); empty text when absent."""
    day = iso_date(value)
    if day is None:
        return ""
    date = dt.date.fromisoformat(day)
    month = month_names(_)[date.month - 1]
    return date_format(_).format(day=date.day, month=month, year=date.year)


def whole_percent(fraction: object) -> int:
    """Return a fraction in [0, 1] as a whole percentage, rounding halves up as the script does."""
    value = fraction if isinstance(fraction, int | float) else 0.0
    return int(min(max(float(value), 0.0), 1.0) * 100 + 0.5)


def percent_format(_: Gettext) -> str:
    # Translators: a percentage; French writes "{value} %".
    return _("{value}%")


def percent(fraction: object, _: Gettext) -> str:
    """Return a fraction as a percentage in the reader's language ("67%")."""
    return percent_format(_).format(value=whole_percent(fraction))


def activity_words(_: Gettext) -> dict[str, str]:
    """Return the learner's words for the LTI activity progress values."""
    return {
        "Initialized": _("Not started"),
        "Started": _("Started"),
        "InProgress": _("In progress"),
        "Submitted": _("Submitted — report back due"),
        "Completed": _("Completed"),
    }


def mode_words(_: Gettext) -> dict[str, str]:
    """Return how each phase mode reads in the agenda."""
    return {
        Mode.SOLO.value: _("Solo"),
        Mode.PAIRS.value: _("In pairs"),
        Mode.TRIOS.value: _("In trios"),
        Mode.GROUPS.value: _("In small groups"),
        Mode.PLENARY.value: _("Whole group"),
    }


def submit_labels(_: Gettext) -> dict[str, str]:
    """Return the submit button label of each part, and ``changes`` once a part is done."""
    return {
        Part.DELIVERABLE.value: _("Submit practice card"),
        Part.COMMITMENT.value: _("Commit to this experiment"),
        Part.RETURN.value: _("Submit my return"),
        "changes": _("Submit changes"),
    }


def script_strings(_: Gettext) -> dict[str, Any]:
    """Return the translated strings ``koula.js`` uses (the ``i18n`` of the script context)."""
    labels = submit_labels(_)
    return {
        "host_offered": _("You offered to host the next session."),
        "host_withdrawn": _("You withdrew your offer to host."),
        "card_shared": _("Your practice card is shared with the community."),
        "card_unshared": _("Your practice card is no longer shared."),
        "cards_count": _("{shown} of {matching} shared cards"),
        "cards_none": _("No card is shared yet."),
        "cards_no_match": _("No shared card matches your search."),
        "card_by": _("Shared by {name}"),
        "card_yours": _("Your card"),
        "card_reuses": _("{count} will use it"),
        "card_will_use": _("I will use this"),
        "card_marked": _("Marked: you will use this card."),
        "card_unmarked": _("Mark taken back."),
        "status_empty": _("Not started yet."),
        "status_draft": _("Draft saved, not yet submitted."),
        "status_submitted": _("Submitted on {date}."),
        "status_committed": _("Committed on {date}. Report back by {due}."),
        "status_committed_returned": _("Committed on {date}."),
        "return_due": _("Report back here by {date}."),
        "your_experiment": _("Your experiment: {what}"),
        "fold_edit": _("Edit"),
        "fold_show": _("Show"),
        "fold_hide": _("Hide"),
        "next_step": _("Next: {step}."),
        "all_done": _(
            "You completed this activity on {date}. Your answers stay below;"
            " open a part to change them."
        ),
        "all_done_final": _(
            "You completed this activity on {date}. Your answers stay below: open a part"
            " to see them; those marked Edit can still be changed."
        ),
        **{f"submit_{name}": label for name, label in labels.items()},
        "done_deliverable": _("Practice card submitted."),
        "done_commitment": _("Commitment saved. Report back by {date}."),
        "done_return": _("Return submitted. Thank you for reporting back."),
        "saving": _("Saving…"),
        "draft_saved_at": _("Draft saved at {time}"),
        "draft_not_saved": _("Draft not saved yet; your answers are still here."),
        "fix_fields": _("Some answers need attention; see the message under each one."),
        "network_error": _(
            "We could not reach the server. Your answers are still here;"
            " check your connection and try again."
        ),
        "server_error": _(
            "The server could not save your answers (error {status})."
            " They are still here; try again in a moment."
        ),
        "refused_error": _(
            "The server refused this request (error {status})."
            " Your answers are kept in this browser; reload the page and try again."
        ),
        "restored": _(
            "We restored answers that had not reached the server. Check them, then submit."
        ),
        "percent": percent_format(_),
        "activity": activity_words(_),
        "months": list(month_names(_)),
        "date_format": date_format(_),
        "bad_date": bad_date(_),
    }
