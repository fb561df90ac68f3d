"""WSGI entry point: ``lti.wsgi:application`` (used by ``koula serve`` and any WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti.settings")
application = get_wsgi_application()
