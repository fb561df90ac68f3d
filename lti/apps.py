"""The Django app of the LTI tool."""

from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    label = "koula_lti"
    verbose_name = "Koula LTI tool"

    def ready(self) -> None:
        from lti.wakeup import connect

        connect()
