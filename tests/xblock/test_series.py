"""The course's Koula blocks as a series: order, carry-over, check-in, staff's reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from types import ModuleType, SimpleNamespace

import pytest
from webob import Request

from koula import SERIES_CSV_COLUMNS, in_order
from koula_xblock import compat
from koula_xblock.series import BlockSeries
from tests.xblock.runtime import COURSE, Course, call
from tests.xblock.test_learner_actions import card_values, commitment_values, return_values


def get(block, handler: str):
    return block.runtime.handle(block, handler, Request.blank("/"))


def order(block) -> list[str]:
    return [session.id.rsplit("@", 1)[-1] for session in in_order(block.series().sessions())]


def commit(block, *, share: bool | None = None) -> dict:
    call(block, "submit_deliverable", {"values": card_values(block)})
    body = {"values": commitment_values(block)}
    if share is not None:
        body["share_with_group"] = share
    status, state = call(block, "commit_experiment", body)
    assert status == 200, state
    return state


@pytest.fixture
def lms() -> Course:
    return Course(lms=True)


def test_the_course_blocks_form_the_series_in_session_date_order(lms):
    lms.block("teacher", staff=True, usage="s1", session_date="2026-03-10")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-02-01")
    lms.block("teacher", staff=True, usage="s3", session_date="2026-04-01")
    assert order(lms.block("ana", usage="s1")) == ["s2", "s1", "s3"]


def test_without_a_session_date_a_session_falls_on_its_release_date_then_the_outline(lms):
    for name in ("s1", "s2", "s3"):
        lms.block("teacher", staff=True, usage=name)
    lms.release = {name: dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC) for name in ("s1", "s2", "s3")}
    lms.block("teacher", staff=True, usage="s3", session_date="2026-03-01")
    ana = lms.block("ana", usage="s2")
    assert order(ana) == ["s3", "s1", "s2"]  # dated the day before; then the outline's order
    (first,) = [s for s in ana.series().sessions() if s.id.endswith("@s1")]
    assert first.date == dt.date(2026, 3, 2)


def test_a_block_whose_settings_make_no_template_is_no_session(lms):
    lms.block("teacher", staff=True, usage="s1")
    lms.block("teacher", staff=True, usage="broken", custom_template="format: 1\nid: [oops")
    assert order(lms.block("ana", usage="s1")) == ["s1"]


def test_a_learner_sees_an_open_experiment_from_an_earlier_session_first_with_its_unit_link(lms):
    lms.block("teacher", staff=True, usage="s1", display_name="Kick-off", session_date="2026-03-02")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16")
    state = commit(lms.block("ana", usage="s1"))
    html = lms.block("ana", usage="s2").student_view().content
    carried = html.split('data-role="carried"')[1].split("</section>")[0]
    assert html.index('data-role="carried"') < html.index('data-part="deliverable"')
    assert "Your experiment from Kick-off" in carried
    assert f'<time datetime="{state["commitment"]["due_on"]}">' in carried
    link = f"/courses/course-v1:{COURSE}/jump_to/block-v1:{COURSE}+type@koula+block@s1"
    assert f'href="{link}"' in carried
    assert commitment_values(lms.block("ana", usage="s1"))  # what the learner will try is shown
    # Nothing of it on the earlier page itself, nor for another learner
    assert 'data-role="carried"' not in lms.block("ana", usage="s1").student_view().content
    assert 'data-role="carried"' not in lms.block("ben", usage="s2").student_view().content


def test_once_the_learner_reports_back_in_the_earlier_unit_the_later_page_no_longer_asks(lms):
    lms.block("teacher", staff=True, usage="s1", session_date="2026-03-02")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16")
    first = lms.block("ana", usage="s1")
    commit(first)
    assert call(first, "submit_return", {"values": return_values(first)})[0] == 200
    assert 'data-role="carried"' not in lms.block("ana", usage="s2").student_view().content


def test_an_experiment_from_a_later_session_is_not_carried_back(lms):
    lms.block("teacher", staff=True, usage="s1", session_date="2026-03-02")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16")
    commit(lms.block("ana", usage="s2"))
    assert 'data-role="carried"' not in lms.block("ana", usage="s1").student_view().content


def test_outside_a_course_the_carried_experiment_is_named_without_a_link(course):
    course.block("teacher", staff=True, usage="usage-1", session_date="2026-03-02")
    course.block("teacher", staff=True, usage="usage-2", session_date="2026-03-16")
    commit(course.block("ana", usage="usage-1"))
    html = course.block("ana", usage="usage-2").student_view().content
    carried = html.split('data-role="carried"')[1].split("</section>")[0]
    assert "report back in that session" in carried and "href" not in carried


def test_the_carried_experiment_is_in_the_learners_language(lms):
    lms.block("teacher", staff=True, usage="s1", session_date="2026-03-02", language="fr")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16", language="fr")
    commit(lms.block("ana", usage="s1"))
    html = lms.block("ana", usage="s2").student_view().content
    assert "Votre expérimentation de la séance" in html.split('data-role="carried"')[1]


def test_the_page_sends_share_with_group_and_the_block_keeps_it(lms):
    lms.block("teacher", staff=True, usage="s1")
    ana, ben = lms.block("ana", usage="s1"), lms.block("ben", usage="s1")
    assert commit(ana, share=True)["commitment"]["share_with_group"] is True
    assert commit(ben)["commitment"]["share_with_group"] is False
    records = {learner: record for _item, learner, record in lms.records.saved}
    assert records["anon-ana"]["commitment"]["share_with_group"] is True
    assert records["anon-ben"]["commitment"]["share_with_group"] is False
    status, body = call(ana, "commit_experiment", {"values": {}, "share_with_group": "yes"})
    assert status == 400 and "share_with_group" in body["errors"]


def check_in_of(html: str) -> str:
    return html.split('data-role="check-in"')[1].split("</section>")[0]


def test_staff_see_every_earlier_commitment_in_the_run_sheets_check_in(lms):
    lms.block("teacher", staff=True, usage="s1", session_date="2026-03-02")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16")
    commit(lms.block("ana", usage="s1"), share=True)
    commit(lms.block("ben", usage="s1"), share=False)
    found = check_in_of(lms.block("teacher", staff=True, usage="s2").student_view().content)
    assert "ana" in found and "ben" in found
    assert "Not reported yet" in found


def test_a_learner_host_sees_the_shared_commitments_and_their_own_only(lms):
    lms.block("teacher", staff=True, usage="s1", session_date="2026-03-02")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16")
    commit(lms.block("ana", usage="s1"), share=True)
    commit(lms.block("ben", usage="s1"), share=False)
    commit(lms.block("hosting-cyd", usage="s1"), share=False)
    call(lms.block("hosting-cyd", usage="s2"), "volunteer_host", {"volunteer": True})
    status, _ = call(
        lms.block("teacher", staff=True, usage="s2"), "assign_host", {"next_host": "hosting-cyd"}
    )
    assert status == 200
    html = lms.block("hosting-cyd", usage="s2").student_view().content
    found = check_in_of(html)
    assert "ana" in found and "hosting-cyd" in found
    assert "ben" not in found
    assert "1 more were not shared with the group" in found
    assert 'data-role="check-in"' not in lms.block("ben", usage="s2").student_view().content


def test_staff_see_the_courses_series_with_links_to_its_report_and_csv(lms):
    lms.block("teacher", staff=True, usage="s1", display_name="Kick-off", session_date="2026-03-02")
    lms.release["s2"] = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    lms.block("teacher", staff=True, usage="s2", template_id="after-action-review")
    commit(lms.block("ana", usage="s1"))
    commit(lms.block("ben", usage="s1"))
    html = lms.block("teacher", staff=True, usage="s1").student_view().content
    series = html.split('data-role="series"')[1]
    assert "1. Kick-off" in series and "(this session)" in series
    first = series.split('<tr data-session="1"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="koula-staff-number">(.*?)</td>', first)
    assert cells == ["2", "2", "2", "0"]  # participants, cards, commitments, returns
    assert "After Action Review of our experiments" in series
    assert "(no Session date)" in series
    assert 'href="/handler/series_report"' in series and 'href="/handler/series_csv"' in series
    assert 'data-role="series"' not in lms.block("ana", usage="s1").student_view().content


def test_staff_open_the_series_report_of_every_session(lms):
    lms.block("teacher", staff=True, usage="s1", display_name="Kick-off", session_date="2026-03-02")
    lms.block(
        "teacher", staff=True, usage="s2", display_name="Follow-up", session_date="2026-03-16"
    )
    commit(lms.block("ana", usage="s1"))
    response = get(lms.block("teacher", staff=True, usage="s2"), "series_report")
    assert response.status_int == 200 and response.content_type == "text/html"
    page = response.body.decode("utf-8")
    assert "Kick-off" in page and "Follow-up" in page
    assert "Sessions in the series: 2" in page


def test_staff_download_the_series_csv_one_row_per_learner_per_session(lms):
    lms.block("teacher", staff=True, usage="s1", session_date="2026-03-02")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16")
    commit(lms.block("ana", usage="s1"))
    commit(lms.block("ana", usage="s2"))
    commit(lms.block("ben", usage="s2"))
    response = get(lms.block("teacher", staff=True, usage="s1"), "series_csv")
    assert response.content_type == "text/csv"
    assert response.content_disposition == 'attachment; filename="koula-series.csv"'
    text = response.body.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == SERIES_CSV_COLUMNS
    assert [(r["session_number"], r["learner_id"]) for r in rows] == [
        ("1", "anon-ana"),
        ("2", "anon-ana"),
        ("2", "anon-ben"),
    ]


@pytest.mark.parametrize("handler", ["series_report", "series_csv"])
def test_a_learner_gets_403_from_the_series_handlers(lms, handler):
    lms.block("teacher", staff=True, usage="s1")
    commit(lms.block("ana", usage="s1"))
    response = get(lms.block("ana", usage="s1"), handler)
    assert response.status_int == 403
    assert "Only course staff" in response.json["errors"]["_"]
    assert "anon-ana" not in response.body.decode("utf-8")


def test_the_series_never_writes_another_blocks_state(lms):
    block = lms.block("ana", usage="s1")
    with pytest.raises(NotImplementedError, match="jump_to"):
        block.series().save_state("s1", "anon-ana", {})


def test_a_session_title_is_escaped_in_the_carried_experiment(lms):
    title = '<img src=x onerror="alert(1)">'
    lms.block("teacher", staff=True, usage="s1", display_name=title, session_date="2026-03-02")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16")
    commit(lms.block("ana", usage="s1"))
    carried = lms.block("ana", usage="s2").student_view().content.split('data-role="carried"')[1]
    assert "<img" not in carried and "&lt;img" in carried
    assert 'data-role="carried-link"' in carried


class Item:
    """A block as the LMS's modulestore gives it: ids, a parent, children."""

    def __init__(self, name: str, block_type: str = "koula", parent=None) -> None:
        self.scope_ids = SimpleNamespace(usage_id=f"key-{name}", block_type=block_type)
        self.parent, self.children = parent, []
        if parent is not None:
            parent.children.append(self.scope_ids.usage_id)

    def get_parent(self):
        return self.parent


def test_in_the_lms_the_series_is_the_courses_published_koula_blocks_in_outline_order(
    lms, monkeypatch
):
    root = Item("course", "course")
    week1, week2 = Item("week1", "chapter", root), Item("week2", "chapter", root)
    late, early = Item("late", parent=week2), Item("early", parent=week1)
    orphan = Item("orphan", parent=Item("deleted-unit", "vertical"))
    asked = []

    def get_items(course_key, qualifiers):
        asked.append((str(course_key), qualifiers))
        return [late, orphan, early]

    store = SimpleNamespace(get_items=get_items)
    module = ModuleType("xmodule.modulestore.django")
    module.modulestore = lambda: store  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "xmodule.modulestore.django", module)
    block = lms.block("ana", usage="s1")
    block.runtime._services.pop("koula_course")
    found = compat.course_blocks(block)
    assert asked == [(f"course-v1:{COURSE}", {"category": "koula"})]
    assert found[0] is block  # not in that course's list: this block comes first
    assert [b.scope_ids.usage_id for b in found[1:]] == ["key-early", "key-late"]


def test_a_block_read_with_the_modulestores_branch_is_the_same_session_and_records(lms):
    lms.block("teacher", staff=True, usage="s1", session_date="2026-03-02")
    lms.block("teacher", staff=True, usage="s2", session_date="2026-03-16")
    commit(lms.block("ana", usage="s1"))
    later = lms.block("ana", usage="s2")
    ids = lms.scope_ids("ana", "s1")
    published = later.runtime.construct_xblock_from_class(
        type(later), ids._replace(usage_id=ids.usage_id.for_branch("published-branch"))
    )
    now = dt.datetime.now(dt.UTC)
    series = BlockSeries([published, later], store=lms.records, language="en", now=now)
    (found,) = later.carried(series)
    key = f"block-v1:{COURSE}+type@koula+block@s1"
    assert found.session.id == key
    assert found.session.url == f"/courses/course-v1:{COURSE}/jump_to/{key}"


def test_a_series_that_cannot_be_read_leaves_the_page_whole_and_is_logged(lms, caplog):
    class Broken:
        def koula_blocks(self, block):
            raise RuntimeError("the modulestore is down")

    block = lms.block("teacher", staff=True, usage="s1")
    block.runtime._services["koula_course"] = Broken()
    html = block.student_view().content
    assert 'data-part="deliverable"' in html and "koula-runsheet" in html
    assert 'data-role="series"' not in html and 'data-role="carried"' not in html
    assert "the course's series of" in caplog.text and "modulestore is down" in caplog.text
