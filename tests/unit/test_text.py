from koula.text import LocalizedText

TEXT = LocalizedText({"en": "Practice card", "fr": "Fiche pratique"}, fallback_language="en")


def test_the_readers_language_is_used():
    assert TEXT.get("fr") == "Fiche pratique"


def test_a_regional_language_falls_back_to_its_base_language():
    assert TEXT.get("fr-CA") == "Fiche pratique"
    assert TEXT.get("fr_FR") == "Fiche pratique"


def test_an_unknown_language_falls_back_to_the_default_language():
    assert TEXT.get("de") == "Practice card"
    assert TEXT.get(None) == "Practice card"


def test_a_text_without_the_default_language_still_gives_some_text():
    assert LocalizedText({"fr": "Bonjour"}, fallback_language="en").get("de") == "Bonjour"


def test_a_plain_text_reads_the_same_in_every_language():
    plain = LocalizedText.plain("Koula")
    assert plain.get("fr") == plain.get("en") == "Koula"
    assert plain.to_data() == "Koula"


def test_an_empty_text_is_false():
    assert not LocalizedText()
    assert TEXT
