"""The Django app config of :mod:`koula_xblock.openedx`, with its ``plugin_app`` wiring."""

from __future__ import annotations

import importlib.util
import logging

from django.apps import AppConfig

__all__ = ["KoulaOpenedxConfig"]

log = logging.getLogger(__name__)

RETIREMENT_SIGNAL = "openedx.core.djangoapps.user_api.accounts.signals.USER_RETIRE_LMS_MISC"
"""The platform's retirement signal for plugins (sent by the ``retire_misc`` step)."""


class KoulaOpenedxConfig(AppConfig):
    """Koula in the LMS: the xAPI allow-list and transformers, and the retirement receiver."""

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
        "signals_config": {
            "lms.djangoapp": {
                "relative_path": "signals",
                "receivers": [
                    {
                        "receiver_func_name": "on_user_retirement",
                        "signal_path": RETIREMENT_SIGNAL,
                        "dispatch_uid": "koula_xblock.openedx.on_user_retirement",
                    },
                ],
            },
        },
    }

    def ready(self) -> None:
        """Register the xAPI transformers when the event-routing backends are installed."""
        if importlib.util.find_spec("event_routing_backends") is None:
            log.info("Koula: no event-routing backends here; no xAPI transformers registered")
            return
        from koula_xblock.openedx import xapi  # noqa: F401  (registers on import)
