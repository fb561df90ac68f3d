"""The tool's HTTP edge: each view parses the request, calls one service (and selectors for
what a page shows), and answers.

Errors are raised, never answered here: :mod:`lti.views.errors` is the one place that turns
them into responses. The other middleware (:mod:`lti.views.headers`), the page renderer
(:mod:`lti.views.rendering`), the request's language (:mod:`lti.views.language`) and the
learner API's body reader (:mod:`lti.views.json_body`) live here too, beside the views.
"""
