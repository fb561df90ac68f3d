"""The signed tokens of the staff forms, as the pages that show the forms make them."""

from __future__ import annotations

from lti.bearer import sign_data


def form_token(activity_id: int, purpose: str, language: str = "en") -> str:
    """The token of a staff form (``configure``, ``session-date``, ``next-host``)."""
    return sign_data({"activity": activity_id, "lang": language, "user": None}, purpose)


def deep_link_token(registration_id: int, language: str = "en") -> str:
    """The token of the deep-linking picker of platform ``registration_id``."""
    return sign_data(
        {
            "registration": registration_id,
            "lang": language,
            "deployment": "deployment-1",
            "return": "https://lms.example.test/deep-link-return",
            "data": None,
        },
        "deep-link",
    )
