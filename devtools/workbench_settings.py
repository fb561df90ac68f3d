"""xblock-sdk workbench settings for Koula: Koula scenarios only, SQLite, events visible.

The stock workbench keeps its database and log under ``./var`` and only logs
published events to a logger nobody listens to. These settings keep
everything under ``KOULA_WORKBENCH_VAR`` (default ``var``) and print every
grade and completion event the block publishes, on the console and in
``events.log`` there, so a newcomer (and the end-to-end test) can see them.
"""

import os

os.environ.setdefault("EXCLUDE_SAMPLE_XBLOCKS", "yes")

from workbench.settings import *  # noqa: F403
from workbench.settings import INSTALLED_APPS, LOGGING, WORKBENCH

VAR = os.path.abspath(os.environ.get("KOULA_WORKBENCH_VAR", "var"))
os.makedirs(VAR, exist_ok=True)

DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(VAR, "workbench.db")}
}
LOGGING["handlers"]["logfile"]["filename"] = os.path.join(VAR, "workbench.log")
LOGGING["formatters"] = {"event": {"format": "%(asctime)s %(message)s"}}
LOGGING["handlers"]["events_file"] = {
    "level": "INFO",
    "class": "logging.FileHandler",
    "formatter": "event",
    "filename": os.path.join(VAR, "events.log"),
}
LOGGING["handlers"]["events_console"] = {
    "level": "INFO",
    "class": "logging.StreamHandler",
    "formatter": "event",
}
LOGGING["loggers"]["workbench.runtime"] = {
    "handlers": ["events_file", "events_console"],
    "level": "INFO",
    "propagate": False,
}

# edx-submissions, which every Open edX LMS runs: the block keeps each learner's
# records there (see docs/xblock-records.md), so the workbench migrates it too.
INSTALLED_APPS = [*INSTALLED_APPS, "submissions"]
# ?student=staff-... is course staff, so the run-sheet and the impact report show there.
WORKBENCH["services"]["user"] = "devtools.workbench_services.StaffAwareUserService"
# The workbench's URLs plus Koula's icon at /favicon.ico.
ROOT_URLCONF = "devtools.workbench_urls"
