"""LTI 1.3 claim names and role vocabularies, and the launch data the tool keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CLAIM", "STAFF_ROLES", "LaunchData", "is_staff"]

_LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM = {
    "message_type": _LTI + "message_type",
    "version": _LTI + "version",
    "deployment_id": _LTI + "deployment_id",
    "roles": _LTI + "roles",
    "resource_link": _LTI + "resource_link",
    "target_link_uri": _LTI + "target_link_uri",
    "context": _LTI + "context",
    "custom": _LTI + "custom",
    "launch_presentation": _LTI + "launch_presentation",
    "ags": "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
    "nrps": "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice",
    "deep_linking": "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
}
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
# Context roles that get the staff view (full URIs and the short forms some platforms send).
STAFF_ROLES = ("Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant", "Mentor")


def is_staff(roles: list[str]) -> bool:
    """Return True when any role is a staff role (context or institution, any vocabulary)."""
    for role in roles:
        name = role.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name in STAFF_ROLES:
            return True
    return False


@dataclass(frozen=True)
class LaunchData:
    """A validated launch: the registration and deployment rows, and the verified claims."""

    registration_id: int
    deployment_pk: int
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return str(self.claims[CLAIM["message_type"]])

    @property
    def roles(self) -> list[str]:
        return list(self.claims.get(CLAIM["roles"], []))

    @property
    def locale(self) -> str | None:
        presentation = self.claims.get(CLAIM["launch_presentation"]) or {}
        return presentation.get("locale") if isinstance(presentation, dict) else None

    def claim(self, name: str) -> Any:
        return self.claims.get(CLAIM[name])
