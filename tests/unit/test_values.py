import pytest

from koula.messages import gettext_for
from koula.template import Choice, Field, FieldType
from koula.text import LocalizedText
from koula.values import check_values, clean_values

_ = gettext_for("en")
LABEL = LocalizedText.plain("label")


def field(kind: FieldType, **extra) -> Field:
    return Field(key="answer", label=LABEL, type=kind, **extra)


def errors(f: Field, value, *, require: bool = True) -> dict[str, str]:
    return check_values([f], {"answer": value}, require=require, _=_)


def test_a_required_answer_left_blank_is_refused_only_on_submit():
    f = field(FieldType.SHORT_TEXT, required=True)
    assert errors(f, "  ") == {"answer": "This answer is required. Please fill it in."}
    assert errors(f, "  ", require=False) == {}


def test_text_longer_than_the_limit_says_how_long_it_is():
    f = field(FieldType.SHORT_TEXT, max_length=5)
    assert errors(f, "abcdef") == {
        "answer": "Shorten this answer to 5 characters or fewer (it has 6)."
    }


def test_default_limits_apply_without_a_limit_in_the_template():
    assert errors(field(FieldType.SHORT_TEXT), "x" * 201)
    assert not errors(field(FieldType.SHORT_TEXT), "x" * 200)


@pytest.mark.parametrize("address", ["ftp://x.org/a", "www.example.org", "https://", "http://a b"])
def test_a_bad_web_address_is_refused(address):
    assert errors(field(FieldType.URL), address)


def test_a_web_address_with_https_is_accepted():
    assert not errors(field(FieldType.URL), "https://wiki.example.org/page?id=3")


def test_a_choice_must_be_one_of_the_options():
    f = field(FieldType.CHOICE, choices=(Choice("yes", LABEL), Choice("no", LABEL)))
    assert errors(f, "maybe") == {"answer": "Pick one of the options offered."}
    assert not errors(f, "yes")


@pytest.mark.parametrize("value", [0, 6, 2.5, True, "high"])
def test_a_rating_must_be_a_whole_number_from_one_to_five(value):
    assert errors(field(FieldType.RATING), value)


def test_a_rating_sent_as_text_is_stored_as_a_number():
    f = field(FieldType.RATING)
    assert not errors(f, "4")
    assert clean_values([f], {"answer": "4"}) == {"answer": 4}


def test_a_list_keeps_its_items_and_drops_blank_lines():
    f = field(FieldType.LIST, max_items=2)
    assert clean_values([f], {"answer": ["a", " ", "b"]}) == {"answer": ["a", "b"]}
    assert errors(f, ["a", "b", "c"]) == {"answer": "Keep to 2 items or fewer (there are 3)."}
    assert errors(f, "a\nb") == {"answer": "Enter one item per line."}


def test_a_date_must_be_written_year_month_day():
    assert errors(field(FieldType.DATE), "28/11/2026")
    assert not errors(field(FieldType.DATE), "2026-11-28")


def test_an_unknown_question_is_refused():
    assert check_values([], {"hack": "x"}, require=False, _=_) == {
        "hack": "This question is not part of this form. Reload the page."
    }


def test_answers_that_are_not_an_object_are_refused():
    assert list(check_values([], ["x"], require=False, _=_)) == ["_"]


def test_text_where_text_is_expected():
    expected = {"answer": "This answer must be text."}
    assert errors(field(FieldType.LONG_TEXT), {"nested": 1}) == expected


def test_messages_are_in_the_learners_language():
    f = field(FieldType.SHORT_TEXT, required=True)
    french = check_values([f], {}, require=True, _=gettext_for("fr"))
    assert french == {"answer": "Cette réponse est obligatoire. Merci de la remplir."}
