"""The Django app config of :mod:`koula_xblock.openedx`, with its ``plugin_app`` wiring."""

from __future__ import annotations

import importlib.util
import logging

from django.apps import AppConfig

__all__ = ["KoulaOpenedxConfig"]

log = logging.getLogger(__name__)


class KoulaOpenedxConfig(AppConfig):
    """Koula in the LMS: the xAPI allow-list and transformers."""

    name = "koula_xblock.openedx"
    label = "koula_openedx"
    verbose_name = "Koula (Open edX services)"

    plugin_app = {
        "settings_config": {
            "lms.djangoapp": {
                "common": {"relative_path": "settings"},
                # again after the production settings, which may replace the allow-list
                "production": {"relative_path": "settings"},
            },
        },
    }

    def ready(self) -> None:
        """Register the xAPI transformers when the event-routing backends are installed."""
        if importlib.util.find_spec("event_routing_backends") is None:
            log.info("Koula: no event-routing backends here; no xAPI transformers registered")
            return
        from koula_xblock.openedx import xapi  # noqa: F401  (registers on import)
