"""LTI 1.3 claim names and role vocabularies, and the launch data the tool keeps.

Roles (LTI Core 1.3, appendix A.2; the mapping is documented in ``docs/lti.md``) are read
exactly, never by their last word: a context role is
``http://purl.imsglobal.org/vocab/lis/v2/membership#Name``, its sub-role
``.../membership/Name#Sub``, and platforms may send its short form ``Name``; institution
and system roles are ``.../institution/person#Name`` and ``.../system/person#Name`` (they have
no short form). LTI 1.1 URNs (``urn:lti:role:ims/lis/Name``, ``urn:lti:instrole:...``,
``urn:lti:sysrole:...``), which some platforms still add, read the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLAIM",
    "STAFF_ROLES",
    "LaunchData",
    "Role",
    "audience_of",
    "is_learner",
    "is_mentor",
    "is_staff",
    "mentored_subs",
    "parse_role",
]

_LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM = {
    "message_type": _LTI + "message_type",
    "version": _LTI + "version",
    "deployment_id": _LTI + "deployment_id",
    "roles": _LTI + "roles",
    "role_scope_mentor": _LTI + "role_scope_mentor",
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

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
_VOCABULARIES = (
    (_LIS + "membership#", "context"),
    (_LIS + "membership/", "context"),  # a sub-role: membership/Instructor#TeachingAssistant
    (_LIS + "institution/person#", "institution"),
    (_LIS + "system/person#", "system"),
    ("urn:lti:role:ims/lis/", "context"),
    ("urn:lti:instrole:ims/lis/", "institution"),
    ("urn:lti:sysrole:ims/lis/", "system"),
)
# Who gets the staff view: (kind, principal role). A context role's sub-roles count as their
# principal role (membership/Instructor#Grader is an Instructor); TeachingAssistant is a
# sub-role of Instructor in LTI 1.3, but some platforms send it as a role of its own.
STAFF_ROLES = frozenset(
    {
        ("context", "Instructor"),
        ("context", "TeachingAssistant"),
        ("context", "ContentDeveloper"),
        ("context", "Administrator"),
        ("institution", "Administrator"),
        ("system", "Administrator"),
        ("system", "SysAdmin"),  # the LIS system administrator (Canvas sends it for site admins)
    }
)
# Mentors' user ids are capped: the claim is the platform's, but a page lists them all.
MENTORED_MAX = 500


@dataclass(frozen=True)
class Role:
    """One role of a launch: ``kind`` is context, institution or system; ``name`` the
    principal role; ``sub`` the sub-role of a context role ("" when there is none)."""

    kind: str
    name: str
    sub: str = ""


def parse_role(role: str) -> Role | None:
    """Return the role ``role`` names, or None for a role outside the LTI vocabularies."""
    for prefix, kind in _VOCABULARIES:
        if role.startswith(prefix):
            name, _, sub = role[len(prefix) :].partition("/" if prefix[:4] == "urn:" else "#")
            return Role(kind, name, sub) if _word(name) and (not sub or _word(sub)) else None
    return Role("context", role) if _word(role) else None  # a short form: context roles only


def _word(text: str) -> bool:
    return text.isascii() and text.isalnum()


def _roles(roles: Iterable[object]) -> list[Role]:
    return [found for role in roles if (found := parse_role(str(role))) is not None]


def is_staff(roles: Iterable[object]) -> bool:
    """Return True when a role gets the staff view (see :data:`STAFF_ROLES`)."""
    return any((role.kind, role.name) in STAFF_ROLES for role in _roles(roles))


def is_learner(roles: Iterable[object]) -> bool:
    """Return True when the person is a Learner of the context (any Learner sub-role)."""
    return any(role.kind == "context" and role.name == "Learner" for role in _roles(roles))


def is_mentor(roles: Iterable[object]) -> bool:
    """Return True when the person is a Mentor of the context (a parent, an observer...)."""
    return any(role.kind == "context" and role.name == "Mentor" for role in _roles(roles))


def mentored_subs(claim: Any) -> list[str]:
    """Return the user ids of a ``role_scope_mentor`` claim (empty when absent or malformed)."""
    if not isinstance(claim, list):
        return []
    subs = dict.fromkeys(sub for sub in claim if isinstance(sub, str) and sub)
    return list(subs)[:MENTORED_MAX]


def audience_of(role_names: Iterable[object]) -> str:
    """Return which page a launch with these roles gets: staff, learner or mentor.

    Staff first; then a Learner, whatever else they are; then a Mentor; anyone else
    (no role, unknown roles, an institution role alone) gets the learner page.
    """
    roles = list(role_names)
    if is_staff(roles):
        return "staff"
    if not is_learner(roles) and is_mentor(roles):
        return "mentor"
    return "learner"


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
