"""The learner's own data and the privacy notice (lti/views/learner_data.py), in process.

"Download my answers" is a link signed for one learner and one activity (the learner
page's partial, koula_ui/templates/learner_data.html); the same file answers the page's
bearer token; the privacy notice says the retention the tool is set to, in each language.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from koula_demo.learner_calls import CARD
from koula_ui.environment import environment_for
from lti.bearer import issue_token
from lti.models import LtiUser
from lti.services.learner import run_action
from lti.views.learner_data import learner_data_links
from tests.lti.in_process import grant_for, make_activity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    activity = make_activity()
    user = make_user(activity, "ana", "Ana")
    run_action(grant_for(activity, user), activity.pk, "submit_deliverable", {"values": CARD})
    return activity, user


def path_of(url: str) -> str:
    return url.split("koula.example.test", 1)[1]


def test_the_signed_link_downloads_the_learners_answers_in_this_activity(ana):
    activity, user = ana
    answer = Client().get(path_of(learner_data_links(activity, user, "fr")["data_url"]))
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="koula-my-answers.json"'
    assert (answer["Content-Language"], answer["Cache-Control"]) == ("fr", "private, no-store")
    data = json.loads(answer.content)
    assert data["activity"]["state"]["deliverable"]["values"] == CARD
    assert (data["sub"], data["name"]) == ("ana", "Ana")


def test_a_forged_link_or_one_of_an_erased_learner_opens_nothing(ana):
    activity, user = ana
    link = path_of(learner_data_links(activity, user, "en")["data_url"])
    assert Client().get(link[:-2] + "xx").status_code == 403
    LtiUser.objects.filter(pk=user.pk).delete()
    answer = Client().get(link)
    assert answer.status_code == 403 and b"Pair review" not in answer.content


def test_the_bearer_token_downloads_the_same_file_for_its_own_activity_only(ana):
    activity, user = ana
    token = issue_token(grant_for(activity, user))
    client = Client(headers={"Authorization": f"Bearer {token}"})
    answer = client.get(f"/lti/api/{activity.pk}/my_data")
    assert answer.status_code == 200
    assert json.loads(answer.content)["activity"]["id"] == activity.pk
    assert client.get(f"/lti/api/{activity.pk + 1}/my_data").status_code == 403
    assert Client().get(f"/lti/api/{activity.pk}/my_data").status_code == 401


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "erased 30 days after your last action"), ("fr", "effacées 30 jours après")],
)
def test_the_notice_says_the_retention_set(settings, language, said):
    settings.KOULA_RETENTION_DAYS = 30
    answer = Client().get(f"/lti/privacy?lang={language}")
    assert answer.status_code == 200 and answer["Content-Language"] == language
    assert said in answer.content.decode()


def test_without_retention_the_notice_says_answers_are_kept_until_erased(settings):
    settings.KOULA_RETENTION_DAYS = None
    text = Client().get("/lti/privacy", headers={"Accept-Language": "fr-CA"}).content.decode()
    assert "conservées jusqu'à ce que votre organisation les efface" in text.replace("&#39;", "'")


def test_the_learner_page_partial_draws_both_links(ana):
    activity, user = ana
    links = learner_data_links(activity, user, "fr")
    html = environment_for("fr").get_template("learner_data.html").render(**links)
    assert "Télécharger mes réponses" in html and "Vos données dans Koula" in html
    assert f'href="{links["data_url"]}" download' in html
    assert "/lti/privacy?lang=fr" in html


def test_the_staff_view_states_the_policy_in_its_settings(settings, ana):
    from lti.views.staff import staff_view

    activity, _ = ana

    def settings_tab(language: str) -> str:
        page = staff_view(activity, language, viewer=None).content.decode()
        return page.split('<section id="settings"', 1)[1].split('<section id="deliveries"')[0]

    settings.KOULA_RETENTION_DAYS = 90
    assert "erased 90 days after their last action" in settings_tab("en")
    assert "/lti/privacy?lang=en" in settings_tab("en")
    assert "sont effacées 90 jours" in settings_tab("fr")
    settings.KOULA_RETENTION_DAYS = 0
    assert "kept until erased on request" in settings_tab("en")


def test_the_learner_page_links_the_download_and_the_notice(ana):
    import html as html_module
    import re

    from tests.lti.views.test_carried_page import launched_page

    activity, user = ana
    page = launched_page(activity, user, "fr")
    [data_url] = re.findall(r'<a href="([^"]+)" download>Télécharger mes réponses</a>', page)
    answer = Client().get(path_of(html_module.unescape(data_url)))
    assert answer.status_code == 200
    assert json.loads(answer.content)["activity"]["state"]["deliverable"]["values"] == CARD
    assert 'href="https://koula.example.test/lti/privacy?lang=fr"' in page


def test_an_erased_learners_open_page_is_told_to_reload_and_stores_nothing(ana):
    from lti.models import LearnerRecord
    from lti.services.learner_data import erase_learner
    from tests.lti.in_process import ISSUER

    activity, user = ana
    client = Client(headers={"Authorization": f"Bearer {issue_token(grant_for(activity, user))}"})
    erase_learner(ISSUER, "ana", by="dpo")
    records = LearnerRecord.objects.count()
    body = {"part": "deliverable", "values": {"problem": "Typed after erasure"}}
    answer = client.post(
        f"/lti/api/{activity.pk}/save_draft", body, content_type="application/json"
    )
    assert answer.status_code == 401 and "Reload the activity" in answer.json()["errors"]["_"]
    assert LearnerRecord.objects.count() == records
    assert client.get(f"/lti/api/{activity.pk}/my_data").status_code == 401


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "erased 1 day after", "erased 2 days after"),
        ("fr", "effacées 1 jour après", "effacées 2 jours après"),
    ],
)
def test_the_notice_and_the_staff_view_say_one_day_in_the_singular(
    settings, ana, language, one, many
):
    from lti.views.staff import staff_view

    def said(days: int) -> str:
        settings.KOULA_RETENTION_DAYS = days
        notice = Client().get(f"/lti/privacy?lang={language}").content.decode()
        return notice + staff_view(ana[0], language, viewer=None).content.decode()

    assert said(1).count(one) == 2 and " 1 days" not in said(1) and " 1 jours" not in said(1)
    assert said(2).count(many) == 2


def notice(language: str) -> str:
    return Client().get(f"/lti/privacy?lang={language}").content.decode().replace("&#39;", "'")


def test_the_notice_names_the_learning_record_store_only_when_one_is_set(settings):
    settings.KOULA_XAPI_URL = ""
    assert "learning record store (xAPI), which" not in notice("en")
    settings.KOULA_XAPI_URL = "https://lrs.example.test/xAPI"
    settings.KOULA_XAPI_ACTOR_EMAIL = False
    english, french = notice("en"), notice("fr")
    assert "learning record store (xAPI), which keeps" in english
    assert "text of your return is sent only from the activities whose link allows it" in english
    assert "e-mail address is sent" not in english
    assert "entrepôt de traces d'apprentissage (xAPI) de votre organisation" in french
    settings.KOULA_XAPI_ACTOR_EMAIL = True
    assert "Your e-mail address is sent instead of that id." in notice("en")
    assert "Votre adresse e-mail est envoyée à la place" in notice("fr")


def test_the_notice_says_the_host_hand_overs_name_the_learner(settings):
    assert "host hand-overs that name you" in notice("en")
    assert "passations d'animation qui vous nomment" in notice("fr")


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Your answers were erased on 5 December 2026, 400 days after your last action"),
        ("fr", "Vos réponses ont été effacées le 5 décembre 2026, 400 jours après"),
    ],
)
def test_after_retention_the_page_and_the_download_say_the_answers_were_erased(ana, language, said):
    import datetime as dt

    from lti.models import LearnerRecord
    from lti.services.learner_data import erase_expired
    from tests.lti.views.test_carried_page import launched_page

    activity, user = ana
    now = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    assert 'data-role="erased"' not in launched_page(activity, user, language)
    LearnerRecord.objects.update(updated_at=now - dt.timedelta(days=400))
    assert erase_expired(days=365, now=now) == 1
    page = " ".join(launched_page(activity, user, language).split())
    assert said in page.replace("\u202f", " ").replace("\xa0", " ")
    data = json.loads(
        Client().get(path_of(learner_data_links(activity, user, language)["data_url"])).content
    )
    assert (data["activity"]["erased_on"], data["activity"]["erasure_reason"]) == (
        "2026-12-05",
        "retention",
    )
