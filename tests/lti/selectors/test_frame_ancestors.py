"""The origins the tool's pages may be framed from (lti/selectors/frame_ancestors.py): every
registered platform's, the next page after a registration changes included, whether this
process read them before or not."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from lti.models import Registration
from lti.selectors.frame_ancestors import frame_ancestors

pytestmark = pytest.mark.django_db


def register(site: str, **fields: str) -> Registration:
    return Registration.objects.create(
        issuer=site,
        client_id="koula",
        auth_login_url=f"{site}/auth",
        auth_token_url=f"{site}/token",
        keyset_url=f"{site}/jwks",
        **fields,
    )


def test_every_registered_platform_frames_the_pages():
    register("https://one.example.test")
    register("https://two.example.test", configuration_url="https://cfg.example.test/x")
    assert frame_ancestors() == [
        "https://cfg.example.test",
        "https://one.example.test",
        "https://two.example.test",
    ]


def test_a_platform_registered_since_the_last_page_frames_the_next():
    register("https://one.example.test")
    assert frame_ancestors() == ["https://one.example.test"]
    register("https://two.example.test")  # by another process: this one's cache is not told
    assert frame_ancestors() == ["https://one.example.test", "https://two.example.test"]


def test_a_changed_registration_frames_from_its_new_origin():
    first = register("https://one.example.test")
    assert frame_ancestors() == ["https://one.example.test"]
    first.auth_login_url = "https://login.example.test/auth"
    first.save()
    cache.clear()  # the shared cache aside: the process itself reads the change
    assert "https://login.example.test" in frame_ancestors()


def test_a_removed_platform_frames_no_more():
    register("https://one.example.test")
    gone = register("https://two.example.test")
    assert len(frame_ancestors()) == 2
    gone.delete()
    assert frame_ancestors() == ["https://one.example.test"]


def test_the_list_given_is_the_callers_own():
    register("https://one.example.test")
    frame_ancestors().append("https://evil.example.test")
    assert frame_ancestors() == ["https://one.example.test"]
