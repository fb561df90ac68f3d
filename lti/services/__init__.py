"""The tool's use cases: launch and login, registration, the learner actions, the card
library and hand-over, scores and their delivery, rosters, reports and exports.

A service returns a domain result or raises (the core's errors, or :mod:`lti.errors`); it
never builds a response and imports no UI (import-linter checks both, with the layers of
``docs/lti.md``, "How the tool is built").
"""
