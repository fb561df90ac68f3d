"""Registration links' secrets (lti/services/invitations.py)."""

from __future__ import annotations

import re

import pytest

from lti.services import invitations
from lti.services.invitations import invitation_create, token_hash

pytestmark = pytest.mark.django_db


def test_a_token_starting_with_a_dash_is_drawn_again(monkeypatch):
    draws = iter(("-starts-like-an-option", "-again", "plain-token"))
    monkeypatch.setattr(invitations.secrets, "token_urlsafe", lambda size: next(draws))
    assert invitations.new_token() == "plain-token"


def test_an_invitation_link_never_ends_in_a_token_an_option_parser_would_read_as_an_option(
    monkeypatch,
):
    draws = iter(("-option-like", "kept"))
    monkeypatch.setattr(invitations.secrets, "token_urlsafe", lambda size: next(draws))
    made = invitation_create(note="dash")
    assert made.url.endswith("/kept")
    assert invitations.Invitation.objects.get(note="dash").token_hash == token_hash("kept")


def test_tokens_are_43_url_safe_characters_never_first_a_dash():
    tokens = [invitations.new_token() for _ in range(2000)]  # without the rule, 31 start so
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in tokens)
    assert not [token for token in tokens if token.startswith("-")]
