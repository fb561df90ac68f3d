"""The figures of the impact report as text: rates with their counts, means, value stories."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from koula import Figure, ImpactReport, Mean, StoryGroup
from koula.messages import Gettext
from koula_ui.charts import NONE, answer_words, decimal, signed
from koula_ui.strings import percent

__all__ = ["cycle_words", "figure_text", "key_figures", "mean_text", "story_views"]


def figure_text(figure: Figure | None, _: Gettext) -> str:
    """Return "12 of 20 — 60%", or "—" when there is no figure or nothing to take it of."""
    if figure is None or figure.rate is None:
        return NONE
    return _("{count} of {total} — {percent}").format(
        count=figure.count, total=figure.of, percent=percent(figure.rate, _)
    )


def mean_text(mean: Mean | None, language: str, _: Gettext) -> str:
    """Return a mean rating as "3.5 / 5 (n = 4)", or "—"."""
    if mean is None or mean.mean is None:
        return NONE
    return _("{mean} / 5 (n = {n})").format(mean=decimal(mean.mean, language), n=mean.n)


def key_figures(report: ImpactReport, language: str, _: Gettext) -> list[tuple[str, str]]:
    """Return the (term, value) pairs of the key figures, in reading order."""
    figures = [(_("Learners who started"), figure_text(report.started, _))]
    if report.not_started is not None:
        figures.append((_("Not started yet (from the roster)"), figure_text(report.not_started, _)))
    figures += [
        (_("Practice cards submitted"), figure_text(report.cards, _)),
        (_("Commitment rate"), figure_text(report.commitments, _)),
        (_("Return rate"), figure_text(report.returns, _)),
        (_("Returns on time"), figure_text(report.on_time, _)),
        (_("Applied at work (yes or partly)"), figure_text(report.applied_rate, _)),
    ]
    if report.can_do_now is not None:
        words = answer_words(_)
        counts = ", ".join(f"{words[k]} {f.count}" for k, f in report.can_do_now.items())
        figures.append((_("Could act at once, without more resources"), counts))
    change = report.confidence_change
    figures += [
        (_("Confidence at commitment"), mean_text(report.confidence_at_commitment, language, _)),
        (_("Confidence at return"), mean_text(report.confidence_at_return, language, _)),
        (
            _("Confidence change (same learners)"),
            NONE
            if change is None or change.mean is None
            else _("{change} (n = {n})").format(change=signed(change.mean, language), n=change.n),
        ),
        (_("Relevance of the session"), mean_text(report.relevance, language, _)),
        (_("Mean completion"), _mean_percent(report.completion, _)),
        (_("Mean score"), _mean_percent(report.score, _)),
    ]
    return figures


def _mean_percent(mean: Mean, _: Gettext) -> str:
    return NONE if mean.mean is None else percent(mean.mean, _)


def cycle_words(_: Gettext) -> dict[str | None, tuple[str, str]]:
    """Return the name and a short explanation of each value-creation cycle (None: untagged)."""
    return {
        "immediate": (
            _("Immediate value"),
            _("It helped in the moment: participation, a useful exchange."),
        ),
        "potential": (
            _("Potential value"),
            _("Something for later: a practice card, a skill, more confidence."),
        ),
        "applied": (_("Applied value"), _("A practice actually used at work.")),
        "realised": (_("Realised value"), _("A visible effect on results or performance.")),
        "reframing": (_("Reframing value"), _("New goals, or new ways of judging success.")),
        None: (_("No cycle given"), _("Returns that did not say how far the value went.")),
    }


@dataclass(frozen=True)
class StoryView:
    cycle: str
    name: str
    explanation: str
    returns: str
    stories: int
    examples: tuple[tuple[str, str], ...]
    """(who, story) pairs."""


def story_views(
    groups: tuple[StoryGroup, ...] | None, names: Mapping[str, Any], _: Gettext
) -> list[StoryView]:
    """Return the value-story groups, with each story's teller by name when known."""
    words = cycle_words(_)
    return [
        StoryView(
            cycle=group.cycle or "none",
            name=words[group.cycle][0],
            explanation=words[group.cycle][1],
            returns=figure_text(group.returns, _),
            stories=group.stories,
            examples=tuple(
                (str(names.get(s.learner_id) or s.learner_id), s.text) for s in group.examples
            ),
        )
        for group in groups or ()
        if group.cycle in words
    ]
