"""A learner's data on request, end to end: ``koula learners export`` and ``erase`` against the
tool as served (SQLite and PostgreSQL), the learner's own download, the privacy notice.

After erasure none of the learner's words is on the staff view, the report's drill-down,
the CSV, the series CSV, the export or their own page; the other learners' rows and every
status count the same; the command refuses to erase without ``--yes`` when nobody can be
asked, and says so for a learner Koula does not know.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter

import requests

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of
from koula_demo.tool_process import ROOT
from tests.lti.report_links import detail_link, report_access, staff_get
from tests.lti.test_series_report import launch as series_launch

COURSE, LINK = "privacy-course", "rl-privacy"
ANA, BEN = "privacy-ana", "privacy-ben"
WORDS = ("Zebracard practice", "Quokkablocker", "Narwhal outcome", "Okapi lesson")
STATUS_COLUMNS = ("deliverable_status", "commitment_status", "return_status", "applied")
STATUS_COLUMNS += ("confidence_at_commitment", "confidence_at_return", "activity_progress")


def launch(platform, user, *, staff=False):
    return series_launch(platform, user, LINK, staff=staff, course=COURSE)


def ana_tells_everything(platform):
    ana = context_of(launch(platform, ANA))
    card = {**CARD, "practice_name": WORDS[0]}
    told = {**RETURN, "what_happened": WORDS[2], "blockers": [WORDS[1]], "learning": WORDS[3]}
    for action, values in [
        ("submit_deliverable", card),
        ("commit_experiment", COMMITMENT),
        ("submit_return", told),
    ]:
        assert act(ana, action, {"values": values}).status_code == 200
    assert act(ana, "share_card", {"shared": True}).status_code == 200
    ben = context_of(launch(platform, BEN))
    assert act(ben, "submit_deliverable", {"values": CARD}).status_code == 200
    return ana


def staff_texts(platform) -> dict[str, str]:
    """Every staff page and file that shows learners' answers, by name."""
    page = launch(platform, "privacy-teacher", staff=True)
    access = report_access(page)
    texts = {"staff view": page.text, "csv": staff_get(access, access["csv"]).text}
    texts["series csv"] = staff_get(access, access["series_csv"]).text
    if f"/learners/{ANA}" in page.text:
        texts["drill-down"] = staff_get(access, detail_link(page, ANA) + "?fragment=1").text
    return texts


def status_counts(csv_text: str) -> Counter[tuple[str, ...]]:
    rows = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    return Counter(tuple(row[column] for column in STATUS_COLUMNS) for row in rows)


def koula(tool, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``koula ...`` against the tool's data, with no terminal on standard input."""
    return subprocess.run(
        [sys.executable, "-m", "koula.cli", *args],
        cwd=ROOT,
        env=tool.env,
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=120,
    )


def found(words, texts: dict[str, str]) -> dict[str, list[str]]:
    return {
        where: [w for w in words if w in text]
        for where, text in texts.items()
        if any(w in text for w in words)
    }


def test_an_erased_learners_words_are_nowhere_and_the_counts_stay(platform, tool, tmp_path):
    ana = ana_tells_everything(platform)
    before = staff_texts(platform)
    assert set(found(WORDS, before)) == {"staff view", "csv", "series csv", "drill-down"}
    own = requests.get(f"{ana['api']}/my_data", headers={"Authorization": f"Bearer {ana['token']}"})
    assert own.status_code == 200 and WORDS[2] in own.text
    assert own.headers["Content-Disposition"] == 'attachment; filename="koula-my-answers.json"'

    exported = tmp_path / "ana.json"
    done = koula(
        tool,
        "learners",
        "export",
        "--issuer",
        platform.issuer,
        "--sub",
        ANA,
        "--output",
        str(exported),
    )
    assert done.returncode == 0, done.stderr
    assert all(word in exported.read_text() for word in WORDS)

    refused = koula(tool, "learners", "erase", "--issuer", platform.issuer, "--sub", ANA)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert WORDS[0] in staff_texts(platform)["csv"]  # nothing was erased

    done = koula(
        tool, "learners", "erase", "--issuer", platform.issuer, "--sub", ANA, "--yes", "--by", "dpo"
    )
    assert done.returncode == 0, done.stderr
    assert "activity records (answers and drafts): 1" in done.stdout
    after = staff_texts(platform)
    assert found(WORDS, after) == {}
    assert status_counts(after["csv"]) == status_counts(before["csv"])
    assert (tool.sql("SELECT by, reason FROM koula_lti_learnererasure")) == [("cli:dpo", "request")]

    again = koula(tool, "learners", "erase", "--issuer", platform.issuer, "--sub", ANA, "--yes")
    assert again.returncode == 0 and "Nothing left to erase" in again.stdout
    export = koula(tool, "learners", "export", "--issuer", platform.issuer, "--sub", ANA)
    assert json.loads(export.stdout)["accounts"] == [] and not found(WORDS, {"": export.stdout})
    page = launch(platform, ANA)  # she opens the activity again: a fresh start
    assert page.status_code == 200 and not found(WORDS, {"page": page.text})


def test_an_unknown_learner_is_said_and_exits_2(platform, tool):
    for action in (["export"], ["erase", "--yes"]):
        done = koula(tool, "learners", *action, "--issuer", platform.issuer, "--sub", "nobody")
        assert done.returncode == 2
        assert "Koula holds nothing about the learner nobody" in done.stderr


def test_a_user_id_starting_with_a_dash_is_given_after_an_equals_sign(platform, tool):
    done = koula(tool, "learners", "export", "--issuer", platform.issuer, "--sub=-a1b2")
    assert done.returncode == 2
    assert "Koula holds nothing about the learner -a1b2" in done.stderr


def test_the_privacy_notice_speaks_the_learners_language(tool):
    english = requests.get(f"{tool.url}/lti/privacy?lang=en", timeout=10)
    french = requests.get(f"{tool.url}/lti/privacy?lang=fr", timeout=10)
    assert english.status_code == french.status_code == 200
    assert "Your data in Koula" in english.text and "kept until" in english.text
    assert 'lang="fr"' in french.text and "Vos données dans Koula" in french.text


def test_an_output_file_that_cannot_be_written_is_said_and_exits_2(platform, tool, tmp_path):
    ana_tells_everything(platform)
    staff = launch(platform, "privacy-teacher", staff=True).text
    activity_id = re.search(r"--activity (\d+)", staff).group(1)
    missing = str(tmp_path / "no-such-folder" / "out")
    series = ("report", "export", "--series", "--context", COURSE, "--issuer", platform.issuer)
    series += ("--output", missing)
    commands = [
        ("learners", "export", "--issuer", platform.issuer, "--sub", ANA, "--output", missing),
        ("report", "export", "--activity", activity_id, "--output", missing),
        series,
    ]
    for command in commands:
        done = koula(tool, *command)
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert "Traceback" not in done.stderr and f"cannot write {missing}" in done.stderr
    done = koula(tool, "--lang", "fr", *commands[0])
    assert done.returncode == 2 and f"impossible d'écrire {missing}" in done.stderr
