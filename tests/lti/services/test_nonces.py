"""Used launch nonces, each accepted once (lti/services/nonces.py), in the database on SQLite
and on PostgreSQL, and in the shared cache when Redis is configured."""

# The fixture of tests/lti/both_databases.py is imported by name, so tests take it again:
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from lti.models import LtiUser, UsedNonce
from lti.services import nonces
from lti.services.nonces import nonce_consume
from tests.lti.both_databases import database  # noqa: F401 - the fixture
from tests.lti.in_process import ISSUER, make_activity

pytestmark = pytest.mark.django_db(transaction=True)


def later(seconds: int = 300) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)


def test_a_nonce_is_accepted_once_per_issuer(database):
    assert nonce_consume(issuer=ISSUER, nonce="n-1", expires_at=later())
    assert not nonce_consume(issuer=ISSUER, nonce="n-1", expires_at=later())
    assert nonce_consume(issuer="https://other.example.test", nonce="n-1", expires_at=later())
    assert UsedNonce.objects.count() == 2


def test_a_nonce_used_again_inside_a_transaction_leaves_it_usable(database):
    registration = make_activity().deployment.registration_id
    with transaction.atomic():
        assert nonce_consume(issuer=ISSUER, nonce="n-1", expires_at=later())
        assert not nonce_consume(issuer=ISSUER, nonce="n-1", expires_at=later())
        LtiUser.objects.create(registration_id=registration, sub="ana")
    assert LtiUser.objects.filter(sub="ana").exists()


def test_expired_nonces_are_removed_now_and_then(database, monkeypatch):
    monkeypatch.setattr(nonces, "_last_runs", {})
    UsedNonce.objects.create(issuer=ISSUER, nonce="old", expires_at=later(-1))
    assert nonce_consume(issuer=ISSUER, nonce="new", expires_at=later())
    assert list(UsedNonce.objects.values_list("nonce", flat=True)) == ["new"]
