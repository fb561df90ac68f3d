"""Koula's framework-free core, and the one API its adapters use.

A learner works through a session template in three parts (the practice card,
the commitment to an experiment, the return from it) with seven learner
actions: ``save_draft``, ``submit_deliverable``, ``commit_experiment``,
``submit_return``, ``volunteer_host``, ``share_card`` and ``reuse_card``
(:data:`ACTIONS`; the public contract is ``docs/learner-api.md``). The core
turns each into a new learner state, a progress and a score, and gathers the
impact report; nothing here imports a web framework. The Open edX XBlock
(``koula_xblock``), the LTI tool (``lti``) and the shared UI (``koula_ui``)
import the names of :data:`__all__` from here, and gettext's helpers from
:mod:`koula.messages`; import-linter checks that they import nothing else.

Where things are:

* templates: :mod:`koula.template` (the model), :mod:`koula.template_format`
  (parsing YAML or JSON, with :mod:`koula.template_reader` and
  :mod:`koula.template_checks`), :mod:`koula.template_data` (back to data),
  :mod:`koula.library` (the templates that ship), :mod:`koula.activity` (the
  template an activity's settings make);
* a learner: :mod:`koula.state`, :mod:`koula.values` (answers checked against
  a template), :mod:`koula.actions` (the actions as pure state transitions),
  :mod:`koula.outcome` (what an adapter stores and answers), :mod:`koula.progress`
  (completion and score);
* the community: :mod:`koula.community` (shared cards and reuse),
  :mod:`koula.rotation` (host hand-overs), :mod:`koula.use_cases` (the rules
  both adapters call through the :class:`ActivityStore` port);
* the series, the sessions of one course (:mod:`koula.use_cases.series`, through the
  :class:`SeriesStore` port): carry-over of open experiments, the host's check-in,
  reminder rules, the calendar file, the series report and its CSV;
* reports: :mod:`koula.impact`, :mod:`koula.impact_figures`,
  :mod:`koula.community_report`, :mod:`koula.export` (CSV);
* :mod:`koula.xapi`: the xAPI statements of learner actions (both adapters send them);
* :mod:`koula.errors` (the error hierarchy), :mod:`koula.messages` (French and
  English), :mod:`koula.text`, and :mod:`koula.cli`, the ``koula`` command.
"""

from __future__ import annotations

from koula.actions import ACTIONS, FINAL_AFTER, is_final
from koula.activity import (
    DEFAULT_REMINDER_DAYS,
    ActivitySettings,
    activity_template,
    check_settings,
    configured_template,
)
from koula.community import Community
from koula.community_report import CommunityReport
from koula.errors import (
    ActionError,
    BadRequest,
    Conflict,
    InvalidValues,
    KoulaError,
    NotPermitted,
    NotSetUp,
    OutOfOrder,
    Refused,
    TemplateError,
    UnknownTemplate,
)
from koula.export import stream_csv, stream_members_csv
from koula.impact import ImpactReport
from koula.impact_figures import Figure, Mean, StoryGroup
from koula.library import DEFAULT_TEMPLATE_ID, get_template, library_templates
from koula.outcome import Outcome, perform
from koula.personal_data import (
    erased_label,
    erased_state,
    erased_turns,
    export_of,
    marks_on_card,
    names_learner,
)
from koula.progress import Progress, learner_state_data, progress_of
from koula.request_body import json_object
from koula.rotation import Rotation, Turn, turns_data, turns_from_data
from koula.state import LearnerState, format_time, parse_time
from koula.template import Field, FieldType, Mode, Part, SessionTemplate
from koula.template_data import template_to_data
from koula.text import LocalizedText
from koula.use_cases.cards import community_of, shared_cards
from koula.use_cases.gathering import MAX_ROWS, ROW_KEYS, Gathered, gather, learner_row, report_of
from koula.use_cases.hosting import Actor, assign_host, is_current_host, volunteers
from koula.use_cases.port import ActivityStore, Among, Member
from koula.use_cases.series.calendar import commitment_calendar
from koula.use_cases.series.carry_over import (
    CarriedExperiment,
    EarlierReturn,
    carried_over,
    submit_earlier_return,
)
from koula.use_cases.series.check_in import CheckIn, CheckInEntry, check_in
from koula.use_cases.series.export import SERIES_CSV_COLUMNS, stream_series_csv
from koula.use_cases.series.port import SeriesStore
from koula.use_cases.series.reach import Reach, has_address, reach
from koula.use_cases.series.reminders import (
    DUE_GRACE_DAYS,
    RETURN_LINK_DAYS,
    OpenCommitment,
    Reminder,
    ReminderKind,
    ReminderPass,
    link_valid_until,
    open_commitment,
    reminder_key,
)
from koula.use_cases.series.report import SeriesReport, series_report
from koula.use_cases.series.report_parts import (
    SeriesCard,
    SeriesStory,
    SeriesTotals,
    SessionFigures,
)
from koula.use_cases.series.sessions import Session, in_order, is_open, what_was_committed
from koula.values import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, is_empty
from koula.xapi import (
    XAPI_LANGUAGES,
    XAPI_VERBS,
    XAPI_VERSION,
    XapiActor,
    XapiEvent,
    XapiPlace,
    XapiVerb,
    action_events,
    hand_over_event,
    launch_event,
    statement_id,
    xapi_names,
    xapi_namespace,
    xapi_statement,
)

__version__ = "0.1.0"

__all__ = [
    "ACTIONS",
    "DEFAULT_MAX_ITEMS",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_REMINDER_DAYS",
    "DEFAULT_TEMPLATE_ID",
    "DUE_GRACE_DAYS",
    "FINAL_AFTER",
    "MAX_ROWS",
    "RETURN_LINK_DAYS",
    "ROW_KEYS",
    "SERIES_CSV_COLUMNS",
    "XAPI_LANGUAGES",
    "XAPI_VERBS",
    "XAPI_VERSION",
    "ActionError",
    "ActivitySettings",
    "ActivityStore",
    "Actor",
    "Among",
    "BadRequest",
    "CarriedExperiment",
    "CheckIn",
    "CheckInEntry",
    "Community",
    "CommunityReport",
    "Conflict",
    "EarlierReturn",
    "Field",
    "FieldType",
    "Figure",
    "Gathered",
    "ImpactReport",
    "InvalidValues",
    "KoulaError",
    "LearnerState",
    "LocalizedText",
    "Mean",
    "Member",
    "Mode",
    "NotPermitted",
    "NotSetUp",
    "OpenCommitment",
    "OutOfOrder",
    "Outcome",
    "Part",
    "Progress",
    "Reach",
    "Refused",
    "Reminder",
    "ReminderKind",
    "ReminderPass",
    "Rotation",
    "SeriesCard",
    "SeriesReport",
    "SeriesStore",
    "SeriesStory",
    "SeriesTotals",
    "Session",
    "SessionFigures",
    "SessionTemplate",
    "StoryGroup",
    "TemplateError",
    "Turn",
    "UnknownTemplate",
    "XapiActor",
    "XapiEvent",
    "XapiPlace",
    "XapiVerb",
    "__version__",
    "action_events",
    "activity_template",
    "assign_host",
    "carried_over",
    "check_in",
    "check_settings",
    "commitment_calendar",
    "community_of",
    "configured_template",
    "erased_label",
    "erased_state",
    "erased_turns",
    "export_of",
    "format_time",
    "gather",
    "get_template",
    "hand_over_event",
    "has_address",
    "in_order",
    "is_current_host",
    "is_empty",
    "is_final",
    "is_open",
    "json_object",
    "launch_event",
    "learner_row",
    "learner_state_data",
    "library_templates",
    "link_valid_until",
    "marks_on_card",
    "names_learner",
    "open_commitment",
    "parse_time",
    "perform",
    "progress_of",
    "reach",
    "reminder_key",
    "report_of",
    "series_report",
    "shared_cards",
    "statement_id",
    "stream_csv",
    "stream_members_csv",
    "stream_series_csv",
    "submit_earlier_return",
    "template_to_data",
    "turns_data",
    "turns_from_data",
    "volunteers",
    "what_was_committed",
    "xapi_names",
    "xapi_namespace",
    "xapi_statement",
]
