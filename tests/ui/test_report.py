"""The impact report page: what koula_ui.report.render_report draws for managers, in both languages.

The cohort (default Koula template) is the one of tests/unit/test_impact.py, plus a
blocker that tries to inject a script:

====  =====  ==========================  ================================================
who   card   commitment: conf, rel, now  return: day, applied, conf, blockers, story
====  =====  ==========================  ================================================
ana   yes    2, 5, yes                   10, yes, 4, "Time!" "No budget" "<script>", realised
ben   yes    3, 4, partly                20 (late), partly, 3, " time " "no budget.", potential
cleo  yes    4, -, partly                14, no, 4, "Manager said no", untagged story
dan   no     1, 3, no                    -
eve   yes    -                           -
fay   draft  -                           -
gus   -      -                           -
====  =====  ==========================  ================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

import koula_ui.environment
import koula_ui.report
from koula.actions import apply_action
from koula.impact import ImpactReport, impact_report
from koula.library import get_template
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula.template_format import parse_template_text
from koula_ui.report import ROW_KEYS, learner_detail, learner_row, render_report

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
COMPUTED = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
CARD = {"practice_name": "Pair review", "problem": "Late reviews", "steps": ["Pick a pair", "Swap"]}
ATTACK = '<script>alert("x")</script>'
NAMES = {"ana": "Ana Lima", "ben": "Ben <b>O'Neil</b>"}
TEMPLATES = Path(__file__).parents[1] / "data" / "templates"


@pytest.fixture(scope="module")
def koula() -> SessionTemplate:
    return get_template("default-koula")


def act(t: SessionTemplate, state: LearnerState, action: str, values: dict[str, Any], **kw: Any):
    now = kw.pop("now", T0)
    body = {"values": values, **kw}
    return apply_action(action, body, template=t, state=state, now=now, language="en")


def committed(t: SessionTemplate, *, card: bool = True, **answers: Any) -> LearnerState:
    state = act(t, LearnerState(), "submit_deliverable", CARD) if card else LearnerState()
    values = {"action": "Run a retro", "success_signal": "Owners named", **answers}
    return act(t, state, "commit_experiment", values)


def returned(t: SessionTemplate, state: LearnerState, day: int, **answers: Any) -> LearnerState:
    values = {"what_happened": "It went.", **answers}
    return act(t, state, "submit_return", values, now=T0 + dt.timedelta(days=day))


def cohort(t: SessionTemplate) -> list[tuple[str, LearnerState]]:
    ana = committed(t, confidence=2, relevance=5, can_do_now="yes")
    ana = returned(
        t,
        ana,
        10,
        applied="yes",
        confidence=4,
        blockers=["Time!", "No budget", ATTACK],
        value_story="We halved meeting time.",
        value_cycle="realised",
        evidence="https://example.org/minutes",
    )
    ben = committed(t, confidence=3, relevance=4, can_do_now="partly")
    ben = returned(
        t,
        ben,
        20,
        applied="partly",
        confidence=3,
        blockers=[" time ", "  no   budget. "],
        value_cycle="potential",
    )
    cleo = committed(t, confidence=4, can_do_now="partly")
    cleo = returned(
        t,
        cleo,
        14,
        applied="no",
        confidence=4,
        blockers=["Manager said no"],
        value_story="Not yet.",
    )
    return [
        ("ana", ana),
        ("ben", ben),
        ("cleo", cleo),
        ("dan", committed(t, card=False, confidence=1, relevance=3, can_do_now="no")),
        ("eve", act(t, LearnerState(), "submit_deliverable", CARD)),
        ("fay", act(t, LearnerState(), "save_draft", {"problem": "secret"}, part="deliverable")),
        ("gus", LearnerState()),
    ]


@pytest.fixture(scope="module")
def learners(koula: SessionTemplate) -> list[tuple[str, LearnerState]]:
    return cohort(koula)


@pytest.fixture(scope="module")
def report(koula: SessionTemplate, learners: list[tuple[str, LearnerState]]) -> ImpactReport:
    return impact_report(koula, learners, computed_at=COMPUTED)


def rows(t: SessionTemplate, learners: list[tuple[str, LearnerState]]) -> list[dict[str, Any]]:
    return [learner_row(t, i, state, name=NAMES.get(i)) for i, state in learners]


@pytest.fixture
def page(
    koula: SessionTemplate, report: ImpactReport, learners: list[tuple[str, LearnerState]]
) -> Callable[..., str]:
    def render(**options: Any) -> str:
        arguments: dict[str, Any] = {
            "template": koula,
            "report": report,
            "learners": rows(koula, learners),
            "language": "en",
            "uid": "r1",
            "csv_url": "/lti/report/7.csv",
            "detail_url_template": "/lti/report/7?learner={learner_id}",
        }
        return render_report(**arguments | options)

    return render


def parse(page: str) -> Any:
    return lxml_html.fragment_fromstring(page)


def figure(root: Any, term: str) -> str:
    (value,) = root.xpath(f'.//dl[@class="koula-staff-figures"]/div[dt="{term}"]/dd')
    return value.text_content()


def chart(root: Any, key: str) -> Any:
    (found,) = root.xpath(f'.//figure[@data-chart="{key}"]')
    return found


def section(root: Any, name: str) -> Any:
    (found,) = root.xpath(f'.//section[@data-section="{name}"]')
    return found


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_report_renders_in_each_language_with_its_language_tag(
    page: Callable[..., str], language: str
) -> None:
    root = parse(page(language=language))

    assert root.get("lang") == language
    assert "koula-staff" in root.get("class").split()
    assert len(root.xpath('.//figure[@data-chart]//svg[@role="img"]')) == 3


def test_the_header_says_how_many_learners_it_covers_and_when_it_was_computed(
    page: Callable[..., str],
) -> None:
    (coverage,) = parse(page()).xpath('.//*[@data-role="coverage"]')

    assert "Learners covered: 7" in coverage.text_content()
    assert coverage.xpath(".//time/@datetime") == ["2026-12-01T08:00:00.000Z"]
    assert coverage.xpath("string(.//time)") == "1 December 2026 at 08:00 UTC"


def test_the_computed_time_reads_in_french(page: Callable[..., str]) -> None:
    (coverage,) = parse(page(language="fr")).xpath('.//*[@data-role="coverage"]')

    assert "1 décembre 2026" in coverage.xpath("string(.//time)")


def test_a_roster_adds_its_size_and_who_has_not_started(
    page: Callable[..., str], koula: SessionTemplate, learners: list[tuple[str, LearnerState]]
) -> None:
    with_roster = impact_report(koula, learners, roster_size=10, computed_at=COMPUTED)
    root = parse(page(report=with_roster))

    assert "Roster: 10" in root.xpath('string(.//*[@data-role="coverage"])')
    assert figure(root, "Learners who started") == "6 of 10 — 60%"
    assert figure(root, "Not started yet (from the roster)") == "4 of 10 — 40%"


def test_every_rate_shows_its_count_and_what_it_is_taken_of(page: Callable[..., str]) -> None:
    root = parse(page())

    assert figure(root, "Learners who started") == "6 of 7 — 86%"
    assert figure(root, "Practice cards submitted") == "4 of 6 — 67%"
    assert figure(root, "Commitment rate") == "4 of 6 — 67%"
    assert figure(root, "Return rate") == "3 of 4 — 75%"
    assert figure(root, "Returns on time") == "2 of 3 — 67%"
    assert figure(root, "Applied at work (yes or partly)") == "2 of 3 — 67%"
    assert figure(root, "Confidence at commitment") == "2.5 / 5 (n = 4)"
    assert figure(root, "Confidence change (same learners)") == "+0.7 (n = 3)"
    assert figure(root, "Mean completion") == "52%"
    assert not root.xpath(
        './/dl[@class="koula-staff-figures"]/div[dt="Not started yet (from the roster)"]'
    )


def test_french_numbers_have_a_decimal_comma_and_a_spaced_percent(
    page: Callable[..., str],
) -> None:
    root = parse(page(language="fr"))
    figures = root.xpath('string(.//dl[@class="koula-staff-figures"])')

    assert "75 %" in figures and "75%" not in figures
    assert "2,5 / 5 (n = 4)" in figures and "+0,7 (n = 3)" in figures
    assert "2.5" not in figures
    assert "3,7 / 5 (n = 3)" in chart(root, "confidence").xpath("string(.//desc)")


def test_figures_the_template_cannot_give_show_a_dash(koula: SessionTemplate) -> None:
    solo = parse_template_text((TEMPLATES / "minimal.yaml").read_text().split("experiment:")[0])
    card_only = act(solo, LearnerState(), "submit_deliverable", {"practice": "Pair review"})
    report = impact_report(solo, [("ana", card_only)], computed_at=COMPUTED)
    rows_ = [learner_row(solo, "ana", card_only)]

    root = parse(
        render_report(
            template=solo, report=report, learners=rows_, language="en", uid="s", csv_url=None
        )
    )

    assert figure(root, "Commitment rate") == "—"
    assert figure(root, "Confidence at return") == "—"
    assert figure(root, "Practice cards submitted") == "1 of 1 — 100%"
    assert chart(root, "applied").xpath(".//svg") == []
    assert "does not ask" in chart(root, "applied").text_content()
    assert len(root.xpath('.//table[contains(@class, "learners")]//thead//th')) == 4


def test_an_empty_report_shows_dashes_and_no_rate_of_zero(koula: SessionTemplate) -> None:
    empty = impact_report(koula, [], computed_at=COMPUTED)

    root = parse(
        render_report(
            template=koula, report=empty, learners=[], language="en", uid="e", csv_url=None
        )
    )

    assert figure(root, "Learners who started") == "—"
    assert figure(root, "Confidence at commitment") == "—"
    assert "Learners covered: 0" in root.text_content()
    assert "No learner has opened this activity yet." in root.text_content()


def test_each_chart_is_an_image_whose_description_gives_the_numbers(
    page: Callable[..., str],
) -> None:
    root = parse(page())
    expected = {
        "funnel": [
            "Started: 6 (100%)",
            "Submitted a practice card: 4 (67%)",
            "Reported back: 3 (50%)",
        ],
        "confidence": ["At commitment: 2.5 / 5 (n = 4)", "At return: 3.7 / 5 (n = 3)"],
        "applied": ["Returns: 3.", "Yes: 1 (33%)", "Partly: 1 (33%)", "No: 1 (33%)"],
    }

    for key, numbers in expected.items():
        (svg,) = chart(root, key).xpath(".//svg")
        title, desc = svg.xpath("./title")[0], svg.xpath("./desc")[0]
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text == chart(root, key).xpath("string(figcaption)")
        for number in numbers:
            assert number in desc.text, (key, desc.text)


def test_the_numbers_are_printed_beside_the_bars(page: Callable[..., str]) -> None:
    root = parse(page())

    def printed(key: str) -> list[str]:
        return chart(root, key).xpath('.//*[@class="koula-staff-value"]/text()')

    assert printed("funnel") == ["6 (100%)", "4 (67%)", "4 (67%)", "3 (50%)"]
    assert printed("confidence") == ["2.5 / 5 (n = 4)", "3.7 / 5 (n = 3)"]
    assert printed("applied") == ["1 (33%)", "1 (33%)", "1 (33%)"]
    assert "+0.7 (n = 3)" in chart(root, "confidence").text_content()


def test_learner_text_is_escaped_everywhere_in_the_page(
    page: Callable[..., str], koula: SessionTemplate, learners: list[tuple[str, LearnerState]]
) -> None:
    text = page(detail=learner_detail(koula, "ana", dict(learners)["ana"], name=ATTACK))
    root = parse(text)

    assert "<script>" not in text and "<b>O'Neil" not in text
    assert ATTACK in section(root, "blockers").xpath(".//tbody//th/text()")
    assert ATTACK in section(root, "detail").xpath(".//li/text()")
    assert section(root, "detail").xpath("string(h3)") == f"Answers of {ATTACK}"
    assert "Ben <b>O'Neil</b>" in root.xpath(".//tr[@data-learner='ben']/th//a/text()")


def test_blockers_are_grouped_with_their_counts(page: Callable[..., str]) -> None:
    blockers = section(parse(page()), "blockers")
    groups = [
        (row.xpath("string(th)"), row.xpath("string(td)")) for row in blockers.xpath(".//tbody/tr")
    ]

    assert groups == [("Time!", "2"), ("No budget", "2"), (ATTACK, "1"), ("Manager said no", "1")]
    assert "3 of 3 — 100%" in blockers.text_content()


def test_value_stories_come_by_cycle_with_a_short_explanation_and_the_teller(
    page: Callable[..., str],
) -> None:
    stories = section(parse(page()), "stories")
    cycles = stories.xpath(".//article/@data-cycle")
    (realised,) = stories.xpath('.//article[@data-cycle="realised"]')

    assert cycles == ["immediate", "potential", "applied", "realised", "reframing", "none"]
    assert realised.xpath("string(h4)") == "Realised value"
    assert "visible effect on results" in realised.text_content()
    assert "1 of 3 — 33%" in realised.text_content()
    assert realised.xpath("string(.//blockquote)") == "We halved meeting time."
    assert realised.xpath("string(.//figcaption)") == "Ana Lima"


def test_the_csv_link_is_there_only_when_the_adapter_gives_an_address(
    page: Callable[..., str],
) -> None:
    (link,) = parse(page()).xpath('.//a[@data-role="csv"]')

    assert link.get("href") == "/lti/report/7.csv"
    assert link.text_content() == "Download CSV"
    assert parse(page(csv_url=None)).xpath('.//a[@data-role="csv"]') == []


def test_the_learner_table_has_a_caption_scoped_headers_and_a_link_per_learner(
    page: Callable[..., str],
) -> None:
    (table,) = parse(page()).xpath('.//table[contains(@class, "koula-staff-learners")]')
    body = table.xpath("./tbody/tr")

    assert table.xpath("string(caption)").strip()
    assert set(table.xpath("./thead//th/@scope")) == {"col"}
    assert [row.get("data-learner") for row in body] == [
        "ana",
        "ben",
        "cleo",
        "dan",
        "eve",
        "fay",
        "gus",
    ]
    assert all(row.xpath("./th/@scope") == ["row"] for row in body)
    assert body[0].xpath("./th/a/@href") == ["/lti/report/7?learner=ana"]
    assert body[0].xpath("string(./th/a)") == "Ana Lima"
    cells = [cell.text_content().strip() for cell in body[1].xpath("./td")]
    assert cells[0].startswith("Submitted") and "2 November 2026" in cells[0]
    assert "(late)" in cells[3] and cells[4] == "Partly" and cells[5] == "3 → 3"


def test_learner_ids_are_url_encoded_in_the_links(
    page: Callable[..., str], koula: SessionTemplate
) -> None:
    row = learner_row(koula, "a b/c&d", LearnerState())

    root = parse(page(learners=[row]))

    assert root.xpath(".//tbody//th/a/@href") == ["/lti/report/7?learner=a%20b%2Fc%26d"]


def test_only_the_first_rows_are_drawn_with_a_note_when_more_exist(
    page: Callable[..., str],
) -> None:
    root = parse(page(max_rows=2))
    (note,) = root.xpath('.//*[@data-role="more"]')

    assert len(root.xpath('.//table[contains(@class, "learners")]/tbody/tr')) == 2
    assert note.text_content() == "Showing the first 2 of 7 learners; the CSV has them all."
    assert parse(page()).xpath('.//*[@data-role="more"]') == []


def test_the_drill_down_shows_the_learners_card_commitment_and_return(
    page: Callable[..., str], koula: SessionTemplate, learners: list[tuple[str, LearnerState]]
) -> None:
    detail = learner_detail(koula, "ana", dict(learners)["ana"], name="Ana Lima")

    root = parse(page(detail=detail))
    drill = section(root, "detail")
    card, commitment, return_ = (
        drill.xpath(f'.//article[@data-part="{part}"]')[0]
        for part in ("deliverable", "commitment", "return")
    )

    assert drill.xpath("string(h3)") == "Answers of Ana Lima"
    assert "Pair review" in card.text_content()
    assert card.xpath('.//div[@data-answer="list"]//li/text()') == ["Pick a pair", "Swap"]
    assert "Run a retro" in commitment.text_content() and "2 / 5" in commitment.text_content()
    assert "16 November 2026" in commitment.xpath('string(.//p[@class="koula-staff-state"])')
    assert "Yes, as planned" in return_.text_content()
    assert return_.xpath('.//div[@data-answer="link"]//a/@href') == ["https://example.org/minutes"]
    assert "on time" in return_.xpath('string(.//p[@class="koula-staff-state"])')
    assert root.xpath('.//tr[@aria-current="true"]/@data-learner') == ["ana"]


def test_the_drill_down_never_shows_a_draft(
    page: Callable[..., str], koula: SessionTemplate, learners: list[tuple[str, LearnerState]]
) -> None:
    detail = learner_detail(koula, "fay", dict(learners)["fay"])

    drill = section(parse(page(detail=detail)), "detail")

    assert "secret" not in drill.text_content()
    assert "A draft is in progress" in drill.text_content()
    assert drill.xpath(".//dl") == []


def test_a_learner_row_has_the_csv_column_names_and_unformatted_values(
    koula: SessionTemplate, learners: list[tuple[str, LearnerState]]
) -> None:
    row = learner_row(koula, "ben", dict(learners)["ben"], name="Ben")

    assert tuple(row) == ROW_KEYS
    assert (row["applied"], row["confidence_at_commitment"], row["confidence_at_return"]) == (
        "partly",
        3,
        3,
    )
    assert row["return_on_time"] is False and row["return_due_on"] == dt.date(2026, 11, 16)
    assert (row["completion"], row["name"]) == (1.0, "Ben")


@pytest.fixture
def marked_gettext(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make every language's gettext wrap messages in «», to spot untranslated text."""

    def fake_gettext_for(language: str | None) -> Callable[[str], str]:
        return lambda message: f"«{message}»"

    monkeypatch.setattr(koula_ui.report, "gettext_for", fake_gettext_for)
    monkeypatch.setattr(koula_ui.environment, "gettext_for", fake_gettext_for)
    koula_ui.environment._environment.cache_clear()
    yield
    koula_ui.environment._environment.cache_clear()


def test_every_word_of_the_page_goes_through_gettext(
    page: Callable[..., str],
    koula: SessionTemplate,
    learners: list[tuple[str, LearnerState]],
    marked_gettext: None,
) -> None:
    detail = learner_detail(koula, "ana", dict(learners)["ana"])
    root = parse(page(detail=detail, max_rows=1))
    words = root.xpath(
        ".//h2 | .//h3 | .//h4[not(ancestor::article[@data-part])] | .//dt[not(ancestor::*"
        "[@data-part])] | .//thead//th | .//caption | .//figcaption[not(ancestor::*[@data-cycle])]"
        " | .//svg/title | .//svg/desc | .//a[@data-role='csv'] | .//*[@data-role='more']"
    )

    assert len(words) > 40
    for element in words:
        text = element.text_content().strip()
        assert text.startswith("«") or text == koula.deliverable.title.get("en"), text
    assert "«Yes»" in chart(root, "applied").xpath("string(.//svg)")


def test_a_learner_with_a_name_shows_the_name_alone_and_one_without_shows_the_id(
    page: Callable[..., str], koula: SessionTemplate, learners: list[tuple[str, LearnerState]]
) -> None:
    named = learner_row(koula, "u-5521", dict(learners)["ana"], name="Ana Lima")
    unnamed = learner_row(koula, "u-7730", LearnerState())
    detail = learner_detail(koula, "u-5521", dict(learners)["ana"], name="Ana Lima")

    root = parse(page(learners=[named, unnamed], detail=detail))
    heads = [th.text_content().strip() for th in section(root, "learners").xpath(".//tbody//th")]

    assert heads == ["Ana Lima", "u-7730"]
    assert "u-5521" not in section(root, "detail").text_content()


def test_without_a_roster_the_report_says_not_started_counts_only_who_opened(
    page: Callable[..., str], koula: SessionTemplate, learners: list[tuple[str, LearnerState]]
) -> None:
    with_roster = impact_report(koula, learners, roster_size=10, computed_at=COMPUTED)

    (note,) = section(parse(page()), "progress").xpath('.//*[@data-role="no-roster"]')

    assert "no roster" in note.text_content()
    assert section(parse(page(report=with_roster)), "progress").xpath(".//p") == []


def test_with_a_roster_the_note_on_rows_counts_the_rosters_learners_too(
    page: Callable[..., str], koula: SessionTemplate, learners: list[tuple[str, LearnerState]]
) -> None:
    with_roster = impact_report(koula, learners, roster_size=10, computed_at=COMPUTED)

    (note,) = parse(page(report=with_roster, max_rows=2)).xpath('.//*[@data-role="more"]')

    assert note.text_content() == "Showing the first 2 of 10 learners; the CSV has them all."
