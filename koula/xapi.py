"""xAPI 1.0.3 statements of the learner's actions: one shape for the LTI tool and Open edX.

An adapter turns what happened into :class:`XapiEvent` values (:func:`launch_event`,
:func:`action_events`, :func:`hand_over_event`), then each event into a statement dict
with :func:`xapi_statement`, given who acted (:class:`XapiActor`) and where
(:class:`XapiPlace`). Nothing here sends anything: the adapters queue and deliver.

* Verbs (:data:`XAPI_VERBS`): the ADL vocabulary or the xAPI registry where one fits,
  else Koula's own IRI under the adapter's ``iri_base`` (``docs/xapi.md`` lists them).
* The actor is an ``account`` (the platform and its user id), never an e-mail unless the
  adapter passes one (the operator opted in); the object is the activity, named in
  English and French; the context carries the course (``parent``), the series
  (``grouping``) and the platform.
* Statement ids are UUID 5 over the adapter's namespace, the actor, the activity, the
  verb and the event's key and time (:func:`statement_id`), so queueing the same event
  twice gives the same id and an LRS keeps one statement.
* A return's result: ``completion`` true, ``success`` true for applied "yes", false for
  "no" and absent for "partly" (the answer itself is in the ``applied`` extension),
  confidence (1 to 5) as ``score`` (``scaled`` = (confidence - 1) / 4), and the "what
  happened" text as ``response`` only when the adapter says the activity allows it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from koula.impact import indicator_key
from koula.state import LearnerState, format_time
from koula.template import SessionTemplate

__all__ = [
    "XAPI_LANGUAGES",
    "XAPI_VERBS",
    "XAPI_VERSION",
    "XapiActor",
    "XapiEvent",
    "XapiPlace",
    "XapiVerb",
    "action_events",
    "hand_over_event",
    "launch_event",
    "statement_id",
    "xapi_names",
    "xapi_namespace",
    "xapi_statement",
]

XAPI_VERSION = "1.0.3"
XAPI_LANGUAGES = ("en", "fr")
ADL = "http://adlnet.gov/expapi"
STREAMS = "http://activitystrea.ms/schema/1.0"
MEETING = f"{ADL}/activities/meeting"
COURSE = f"{ADL}/activities/course"


def xapi_names(title: str, titles: Mapping[str, str], language: str) -> dict[str, str]:
    """Return an activity's name by language for its statements' object.

    ``title`` is the platform's (a link's or block's title), ``titles`` the template's by
    language, ``language`` the one the title is known in (the launch's or learner's). An empty
    title, or one that is the template's in some language (the default a platform keeps),
    is the template's title in each language; another title is labelled only with
    ``language`` (``und``, undetermined, when none is known), never as a translation."""
    title = title.strip()
    if not title or title in titles.values():
        known = {code: titles[code] for code in XAPI_LANGUAGES if titles.get(code)}
        if known:
            return known
    return {language or "und": title or "Koula"}


@dataclass(frozen=True)
class XapiVerb:
    """A verb: its registry IRI (``None``: Koula's own under ``iri_base``), its display."""

    key: str
    iri: str | None
    en: str
    fr: str

    def data(self, iri_base: str) -> dict[str, Any]:
        """Return the statement's ``verb`` object."""
        return {
            "id": self.iri or f"{iri_base}/verbs/{self.key}",
            "display": {"en": self.en, "fr": self.fr},
        }


XAPI_VERBS: Mapping[str, XapiVerb] = {
    verb.key: verb
    for verb in (
        XapiVerb("launched", f"{ADL}/verbs/launched", "launched", "a lancé"),
        XapiVerb("submitted", f"{STREAMS}/submit", "submitted", "a soumis"),
        XapiVerb("revised", f"{STREAMS}/update", "revised", "a révisé"),
        XapiVerb("committed", None, "committed to an experiment in", "s'est engagé dans"),
        XapiVerb("reported", None, "reported back on", "a fait son retour sur"),
        XapiVerb("shared", f"{ADL}/verbs/shared", "shared a card in", "a partagé une fiche dans"),
        XapiVerb("unshared", None, "stopped sharing a card in", "a retiré sa fiche de"),
        XapiVerb("will-use", None, "will use a card of", "utilisera une fiche de"),
        XapiVerb(
            "wont-use",
            None,
            "took back 'I will use this' in",
            "a retiré « je vais l'utiliser » dans",
        ),
        XapiVerb("volunteered", None, "volunteered to host", "s'est proposé pour animer"),
        XapiVerb(
            "withdrew", None, "withdrew the offer to host", "a retiré sa proposition d'animer"
        ),
        XapiVerb("handed-over", None, "handed over hosting of", "a passé l'animation de"),
    )
}
"""Every verb Koula sends, by key."""


@dataclass(frozen=True)
class XapiActor:
    """Who acted: their account on the platform (``home_page``, ``name``), or, when the
    operator opted in and the platform gave one, their e-mail instead."""

    home_page: str
    name: str
    email: str = ""

    def data(self) -> dict[str, Any]:
        if self.email:  # one identifier only (xAPI: an Agent has exactly one)
            return {"objectType": "Agent", "mbox": f"mailto:{self.email}"}
        return {"objectType": "Agent", "account": {"homePage": self.home_page, "name": self.name}}


@dataclass(frozen=True)
class XapiPlace:
    """Where: the activity's IRI and names (by language), Koula's IRI base (its own verbs
    and extensions), the course and series IRIs (empty: none), and the platform."""

    iri_base: str
    activity: str
    names: Mapping[str, str]
    course: str = ""
    series: str = ""
    platform: str = ""


@dataclass(frozen=True)
class XapiEvent:
    """One thing a learner did: a verb key, when, a key telling it apart from the same
    verb at the same time (a card id...), and its result and extensions (short names)."""

    verb: str
    at: dt.datetime
    key: str = ""
    result: Mapping[str, Any] = field(default_factory=dict)
    extensions: Mapping[str, Any] = field(default_factory=dict)
    language: str = ""


def xapi_namespace(name: str) -> uuid.UUID:
    """Return the namespace of an installation's statement ids (``name``: its base URL)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{name.rstrip('/')}/xapi")


def statement_id(namespace: uuid.UUID, actor: XapiActor, place: XapiPlace, event: XapiEvent) -> str:
    """Return the statement's id: the same event of the same learner always gets it."""
    moment = format_time(event.at) or ""
    who = f"{actor.home_page}\n{actor.name}"
    return str(
        uuid.uuid5(namespace, f"{who}\n{place.activity}\n{event.verb}\n{event.key}\n{moment}")
    )


def xapi_statement(
    event: XapiEvent, *, actor: XapiActor, place: XapiPlace, namespace: uuid.UUID
) -> dict[str, Any]:
    """Return the xAPI 1.0.3 statement of ``event`` as a JSON-ready dict."""
    base = place.iri_base
    statement: dict[str, Any] = {
        "id": statement_id(namespace, actor, place, event),
        "actor": actor.data(),
        "verb": XAPI_VERBS[event.verb].data(base),
        "object": {
            "objectType": "Activity",
            "id": place.activity,
            "definition": {"type": MEETING, "name": dict(place.names)},
        },
        "context": _context(event, place),
        "timestamp": format_time(event.at),
    }
    if event.result:
        result = dict(event.result)
        named = result.pop("extensions", {})
        if named:
            result["extensions"] = {f"{base}/extensions/{k}": v for k, v in named.items()}
        statement["result"] = result
    return statement


def _context(event: XapiEvent, place: XapiPlace) -> dict[str, Any]:
    context: dict[str, Any] = {}
    activities: dict[str, list[dict[str, Any]]] = {}
    if place.course:
        activities["parent"] = [
            {"objectType": "Activity", "id": place.course, "definition": {"type": COURSE}}
        ]
    if place.series:
        series = {"type": f"{place.iri_base}/activity-types/series"}
        activities["grouping"] = [
            {"objectType": "Activity", "id": place.series, "definition": series}
        ]
    if activities:
        context["contextActivities"] = activities
    if place.platform:
        context["platform"] = place.platform[:200]
    if event.language:
        context["language"] = event.language
    if event.extensions:
        context["extensions"] = {
            f"{place.iri_base}/extensions/{k}": v for k, v in event.extensions.items()
        }
    return context


def launch_event(at: dt.datetime, *, language: str = "") -> XapiEvent:
    """Return the event of a learner opening the activity."""
    return XapiEvent("launched", at, language=language)


def hand_over_event(at: dt.datetime, *, language: str = "") -> XapiEvent:
    """Return the event of the learner hosting now handing the next session over."""
    return XapiEvent("handed-over", at, language=language)


def action_events(
    action: str,
    before: LearnerState,
    after: LearnerState,
    *,
    template: SessionTemplate,
    at: dt.datetime,
    language: str = "",
    with_text: bool = False,
) -> tuple[XapiEvent, ...]:
    """Return the events of an accepted learner action (``docs/learner-api.md``) that
    turned ``before`` into ``after``: none for a draft or an action that changed nothing.

    ``with_text``: the activity allows the return's "what happened" text in the result.
    """

    def event(verb: str, **more: Any) -> XapiEvent:
        return XapiEvent(verb, at, language=language, **more)

    if action == "submit_deliverable" and after.deliverable.done:
        return (event("revised" if before.deliverable.done else "submitted"),)
    if action == "commit_experiment" and after.commitment.done:
        return (event("committed", result=_commitment(before, after, template)),)
    if action == "submit_return" and after.return_.done:
        return (event("reported", result=_return(before, after, template, with_text)),)
    if action == "share_card" and (before.shared_at is None) != (after.shared_at is None):
        return (event("shared" if after.shared_at else "unshared"),)
    if action == "volunteer_host" and (before.volunteered_at is None) != (
        after.volunteered_at is None
    ):
        return (event("volunteered" if after.volunteered_at else "withdrew"),)
    if action == "reuse_card":
        added = [c for c in after.will_use if c not in before.will_use]
        taken = [c for c in before.will_use if c not in after.will_use]
        return tuple(
            event(verb, key=card, extensions={"card": card})
            for verb, cards in (("will-use", added), ("wont-use", taken))
            for card in cards
        )
    return ()


def _commitment(
    before: LearnerState, after: LearnerState, template: SessionTemplate
) -> dict[str, Any]:
    fields = template.experiment.commitment_fields if template.experiment else ()
    named: dict[str, Any] = {"revision": before.commitment.done}
    if after.commitment.due_on is not None:
        named["due-on"] = after.commitment.due_on.isoformat()
    result: dict[str, Any] = {"extensions": named}
    score = _confidence(after.commitment.values, indicator_key(fields, "confidence"))
    if score:
        result["score"] = score
    return result


def _return(
    before: LearnerState, after: LearnerState, template: SessionTemplate, with_text: bool
) -> dict[str, Any]:
    fields = template.experiment.return_fields if template.experiment else ()
    values = after.return_.values
    named: dict[str, Any] = {"revision": before.return_.done}
    if after.return_.on_time is not None:
        named["on-time"] = after.return_.on_time
    result: dict[str, Any] = {"completion": True}
    applied = values.get(indicator_key(fields, "applied") or "")
    if applied in ("yes", "partly", "no"):
        named["applied"] = applied
        if applied != "partly":
            result["success"] = applied == "yes"
    score = _confidence(values, indicator_key(fields, "confidence"))
    if score:
        result["score"] = score
    text = values.get(indicator_key(fields, "what_happened") or "")
    if with_text and isinstance(text, str) and text.strip():
        result["response"] = text
    result["extensions"] = named
    return result


def _confidence(values: Mapping[str, Any], key: str | None) -> dict[str, Any]:
    rating = values.get(key) if key else None
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        return {}
    return {"raw": rating, "min": 1, "max": 5, "scaled": round((rating - 1) / 4, 4)}
