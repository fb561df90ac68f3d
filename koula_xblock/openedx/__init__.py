"""Koula's Django app inside the Open edX LMS (entry point ``lms.djangoapp: koula``).

The XBlock itself needs no Django app; this one plugs Koula into two platform services
through the platform's plugin mechanism (edx-django-utils' ``plugin_app``), so an
operator who installs the package sets nothing Koula-specific:

* :mod:`.settings` lets the block's ``edx.koula.*`` tracking events through the
  event-routing backends' xAPI allow-list, and :mod:`.xapi` registers their transformers
  (only when ``event_routing_backends`` is installed);
* :mod:`.signals` erases a learner from every Koula block when the platform retires the
  user (the ``USER_RETIRE_LMS_MISC`` signal; :mod:`koula_xblock.retirement`), through the
  LMS's tables (:mod:`.lms_rows`).

Nothing here is imported by the block: the LMS loads it as an installed app.
"""
