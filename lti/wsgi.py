"""WSGI entry point: ``lti.wsgi:application`` (used by ``koula serve`` and any WSGI server).

Django's application, with the learner actions, the login and the launch answered before it
by :class:`lti.views.direct.DirectRoutes` (the same answers, without Django's middleware chain).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti.settings")
django_application = get_wsgi_application()

from lti.views.direct import DirectRoutes  # noqa: E402 - needs Django set up

application = DirectRoutes(django_application)
