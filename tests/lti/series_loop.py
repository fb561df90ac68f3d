"""Two sessions of one course's series and a learner of them, for the in-process tests of the
loop across sessions (carry-over, the earlier return, the calendar): import the fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from tests.lti.in_process import committed, make_activity, make_user

__all__ = ["ana", "committed", "first", "other_tenants_activity", "second"]


@pytest.fixture
def first() -> Any:
    """The series' first session (the course ``course-1``)."""
    return make_activity(resource_link_id="s1", context_id="course-1")


@pytest.fixture
def second() -> Any:
    """Its second session, created after the first."""
    return make_activity(resource_link_id="s2", context_id="course-1")


@pytest.fixture
def ana(first: Any) -> Any:
    return make_user(first, "ana", "Ana")


def other_tenants_activity(context_id: str) -> Any:
    """A configured activity of another platform's registration, in a course of the same id."""
    from lti.models import Activity, Deployment, Registration

    site = "https://other.example.test"
    urls = {f"auth_{name}_url": f"{site}/{name}" for name in ("login", "token")}
    registration = Registration.objects.create(
        issuer=site, client_id="other", keyset_url=f"{site}/jwks", **urls
    )
    deployment = Deployment.objects.create(registration=registration, deployment_id="d")
    return Activity.objects.create(
        deployment=deployment,
        resource_link_id="s0",
        context_id=context_id,
        settings={"template_id": "default-koula"},
        configured=True,
    )
