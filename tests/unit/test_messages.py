import re

from devtools.catalog import LANGUAGES, compiled, extracted, po_path, read
from koula.messages import gettext_for, pick_language


def test_every_message_in_the_code_has_a_french_translation():
    wanted = {message.id for message in extracted() if message.id}
    french = {message.id: message.string for message in read("fr") if message.id}
    missing = sorted(msgid for msgid in wanted if not french.get(msgid))
    assert missing == [], "run 'python devtools/catalog.py extract' and translate these"


def test_translations_keep_every_placeholder():
    for language in LANGUAGES:
        for message in read(language):
            if message.id and message.string:
                placeholders = set(re.findall(r"\{[^}]*\}", message.id))
                assert set(re.findall(r"\{[^}]*\}", message.string)) == placeholders, message.id


def test_the_shipped_mo_files_match_the_po_files():
    for language in LANGUAGES:
        shipped = po_path(language).with_suffix(".mo").read_bytes()
        assert shipped == compiled(language), "run 'python devtools/catalog.py compile'"


def test_a_learner_language_is_picked_from_the_first_supported_candidate():
    assert pick_language(None, "fr_CA.UTF-8", "en") == "fr"
    assert pick_language("de", "es") == "en"
    assert pick_language("", "FR") == "fr"


def test_messages_come_in_french_for_a_french_learner():
    assert gettext_for("fr")("Enter a date as YYYY-MM-DD.") != "Enter a date as YYYY-MM-DD."
