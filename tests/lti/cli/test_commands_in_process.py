"""``koula learners erase`` speaks the operator's language and ``koula xapi retry`` puts
refused statements back in the queue (lti/cli.py), run in the test process."""

from __future__ import annotations

import io

import pytest

from koula.cli import main
from koula_demo.learner_calls import CARD
from lti.models import StatementOutbox
from lti.services.learner import run_action
from tests.lti.in_process import ISSUER, grant_for, make_activity, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_erase_says_what_it_removed_in_french(tool_keys):
    activity = make_activity()
    ana = make_user(activity, "ana", "Ana")
    run_action(grant_for(activity, ana), activity.pk, "submit_deliverable", {"values": CARD})
    out = io.StringIO()
    erase = ["learners", "erase", "--issuer", ISSUER, "--sub", "ana", "--yes", "--by", "dpo"]
    assert main(["--lang", "fr", *erase], out) == 0
    said = out.getvalue()
    assert "dossiers d’activité (réponses et brouillons) : 1" in said
    assert "comptes de plateforme : 1" in said
    assert "records" not in said and "accounts" not in said


def test_xapi_retry_puts_the_refused_statements_back_in_the_queue(tool_keys, settings):
    settings.KOULA_XAPI_URL = "https://lrs.example.org/xAPI"
    settings.KOULA_XAPI_KEY, settings.KOULA_XAPI_SECRET = "key", "secret"
    activity = make_activity()
    ana = make_user(activity, "ana", "Ana")
    run_action(grant_for(activity, ana), activity.pk, "submit_deliverable", {"values": CARD})
    StatementOutbox.objects.update(status=StatementOutbox.Status.REFUSED, attempts=3)
    out = io.StringIO()
    assert main(["xapi", "retry", "--activity", str(activity.pk)], out) == 0
    assert out.getvalue().startswith("1 refused statements are back in the queue")
    row = StatementOutbox.objects.get()
    assert (row.status, row.attempts) == (StatementOutbox.Status.PENDING, 0)
