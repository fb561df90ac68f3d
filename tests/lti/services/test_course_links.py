"""The course link sent to every learner (lti/services/course_links.py): no session key."""

from __future__ import annotations

import pytest

from lti.services.course_links import safe_course_link


def test_moodles_return_link_becomes_the_course_page_without_the_launchers_session_key():
    returned = (
        "https://moodle.example.org/mod/lti/return.php?course=42&launch_container=3"
        "&instanceid=7&sesskey=Ab12Cd34Ef"
    )
    assert safe_course_link(returned) == "https://moodle.example.org/course/view.php?id=42"


def test_a_moodle_in_a_folder_keeps_its_folder():
    returned = "https://lms.example.org/moodle/mod/lti/return.php?course=5&sesskey=x"
    assert safe_course_link(returned) == "https://lms.example.org/moodle/course/view.php?id=5"


def test_another_link_loses_only_its_session_key_parameters():
    returned = "https://lms.example.org/return?course=9&SessKey=secret&csrf=t&page=2#top"
    assert safe_course_link(returned) == "https://lms.example.org/return?course=9&page=2#top"


@pytest.mark.parametrize(
    "url",
    ["https://canvas.example.org/courses/3/external_content/success/external_tool_redirect"],
)
def test_a_link_without_a_session_key_is_kept_as_it_is(url):
    assert safe_course_link(url) == url


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://lms.example.org/", "https://x.org/" + "a" * 1000]
)
def test_anything_but_a_short_http_link_gives_no_course_link(url):
    assert safe_course_link(url) == ""


def test_the_launchs_return_url_is_read_from_its_presentation_claim():
    from lti.claims import CLAIM, LaunchData
    from lti.services.course_links import course_url

    moodle = "https://moodle.example.org/mod/lti/return.php?course=8&sesskey=k"
    launch = LaunchData(1, 1, {CLAIM["launch_presentation"]: {"return_url": moodle}})
    assert course_url(launch) == "https://moodle.example.org/course/view.php?id=8"
    assert course_url(LaunchData(1, 1, {})) == ""
