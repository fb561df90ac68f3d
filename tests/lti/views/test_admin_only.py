"""Sessions, logins and messages run for the admin site only (lti/views/admin_only.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_admin_logs_in_and_sees_the_admin_site():
    User.objects.create_superuser("root", "root@example.org", "a long pass phrase")
    client = Client()
    login = client.get("/admin/login/", secure=True)
    assert login.status_code == 200 and "csrftoken" in login.cookies
    answer = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "a long pass phrase", "next": "/admin/"},
        secure=True,
    )
    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    assert "sessionid" in client.cookies
    index = client.get("/admin/", secure=True)
    assert index.status_code == 200 and b"Site administration" in index.content


def test_a_wrong_password_is_refused_with_the_admins_message():
    User.objects.create_superuser("root", "root@example.org", "a long pass phrase")
    answer = Client().post("/admin/login/", {"username": "root", "password": "guess"}, secure=True)
    assert answer.status_code == 200 and b"correct username and password" in answer.content


def test_the_tools_own_pages_have_no_session_or_user():
    answer = Client().get("/lti/privacy", secure=True)
    assert answer.status_code == 200
    assert "sessionid" not in answer.cookies
    assert not hasattr(answer.wsgi_request, "session")
    assert not hasattr(answer.wsgi_request, "user")


def test_the_system_checks_pass_with_the_admin_middlewares_out_of_the_list():
    call_command("check", fail_level="WARNING")
