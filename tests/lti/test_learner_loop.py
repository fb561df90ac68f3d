"""A learner launched from a real platform completes the loop; the gradebook sees every step."""

from __future__ import annotations

import datetime as dt

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of, wait_for
from tests.lti.conftest import CLIENT_ID, CONFIGURED


def launch(platform, browser, **kwargs):
    response = platform.launch(browser, client_id=CLIENT_ID, custom=CONFIGURED, **kwargs)
    assert response.status_code == 200, response.text[:2000]
    return response


def test_a_learner_launch_opens_the_activity_with_a_bearer_token(platform, browser):
    context = context_of(launch(platform, browser, locale="fr-CA"))
    assert context["lang"] == "fr"
    assert context["api"].endswith(f"/lti/api/{context['api'].rsplit('/', 1)[1]}")
    assert context["token"]
    assert context["state"]["progress"]["activity"] == "Initialized"


def test_the_four_actions_behave_as_in_the_xblock(platform, browser):
    context = context_of(launch(platform, browser))
    draft = act(context, "save_draft", {"part": "deliverable", "values": {"problem": "Late"}})
    assert draft.status_code == 200
    assert draft.json()["deliverable"]["status"] == "draft"
    early = act(context, "submit_return", {"values": RETURN})
    assert early.status_code == 409
    assert list(early.json()["errors"]) == ["_"]
    missing = act(context, "submit_deliverable", {"values": {"problem": "Late"}})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"practice_name", "steps"}
    kept = context_of(launch(platform, browser))["state"]["deliverable"]["values"]
    assert kept == {"problem": "Late"}
    for action, values in [
        ("submit_deliverable", CARD),
        ("commit_experiment", COMMITMENT),
        ("submit_return", RETURN),
    ]:
        answer = act(context, action, {"values": values})
        assert answer.status_code == 200, answer.text
    state = answer.json()
    assert state["progress"] == {"completion": 1.0, "score": 1.0, "activity": "Completed"}
    assert state["return"]["on_time"] is True
    again = context_of(launch(platform, browser))
    assert again["state"]["return"]["values"]["what_happened"] == "We did it twice."


def test_every_step_reaches_the_gradebook_with_valid_scores(platform, browser):
    context = context_of(launch(platform, browser, user="learner-2"))
    for action, values in [
        ("submit_deliverable", CARD),
        ("commit_experiment", COMMITMENT),
        ("submit_return", RETURN),
    ]:
        assert act(context, action, {"values": values}).status_code == 200
    final = wait_for(
        lambda: [s for s in platform.scores() if s["body"]["activityProgress"] == "Completed"]
    )
    scores = [s for s in platform.scores() if s["body"]["userId"] == "learner-2"]
    bodies = [s["body"] for s in scores]
    assert bodies[-1]["scoreGiven"] == bodies[-1]["scoreMaximum"] == 100
    assert bodies[-1]["gradingProgress"] == "FullyGraded"
    assert final
    stamps = [dt.datetime.fromisoformat(b["timestamp"].replace("Z", "+00:00")) for b in bodies]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert all(b["timestamp"].endswith("Z") and len(b["timestamp"]) == 24 for b in bodies)
    assert platform.tokens_issued == 1
    (lineitem,) = {s["lineitem_id"] for s in scores}
    assert platform.gradebook(lineitem)["learner-2"]["scoreGiven"] == 100
