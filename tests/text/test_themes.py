"""Friction themes in Dutch and English, with negation and user extensions."""

from pathlib import Path

import pytest

from keizer.text import default_taxonomy, load_taxonomy


def _themes(text: str, language: str) -> set[str]:
    return set(default_taxonomy().detect(text.lower(), (language,)))


@pytest.mark.parametrize(
    ("text", "language", "theme"),
    [
        ("De wachttijd was veel te lang.", "nl", "cx.waiting_time"),
        ("Ik heb 40 minuten in de wacht gestaan.", "nl", "cx.waiting_time"),
        ("I was on hold for an hour.", "en", "cx.waiting_time"),
        ("Ik werd drie keer doorverbonden.", "nl", "cx.transfer"),
        ("Van het kastje naar de muur gestuurd.", "nl", "cx.transfer"),
        ("I got transferred to the wrong department.", "en", "cx.transfer"),
        ("Ik ben niet teruggebeld, terwijl dat beloofd was.", "nl", "cx.repeat_contact"),
        ("This is the third time I'm calling.", "en", "cx.repeat_contact"),
        ("De informatie op de site is onduidelijk.", "nl", "cx.unclear_information"),
        ("Every agent gave me conflicting information.", "en", "cx.unclear_information"),
        ("Wat een onvriendelijke medewerker.", "nl", "cx.rude_unhelpful"),
        ("The agent was rude and hung up on me.", "en", "cx.rude_unhelpful"),
        ("Dat mag niet volgens het beleid.", "nl", "cx.process_rules"),
        ("They said it was company policy.", "en", "cx.process_rules"),
        ("De app werkt niet sinds de update.", "nl", "cx.digital_channel"),
        ("Ik kan niet inloggen.", "nl", "cx.digital_channel"),
        ("I can't log in to my account.", "en", "cx.digital_channel"),
        ("Mijn klacht is afgewezen.", "nl", "cx.outcome_decision"),
        ("The problem is still not resolved.", "en", "cx.outcome_decision"),
        ("Ik heb geen tijd om klanten goed te helpen door de AHT.", "nl", "ex.time"),
        ("The knowledge base is out of date.", "en", "ex.information"),
        ("Ik moet voor alles toestemming vragen aan de teamleider.", "nl", "ex.authority"),
        ("I never had proper training for this product.", "en", "ex.competence"),
        ("Het systeem loopt steeds vast.", "nl", "ex.tools_systems"),
        ("De werkdruk is veel te hoog.", "nl", "ex.workload_stress"),
        ("My team leader never gives feedback.", "en", "ex.manager"),
        ("Er zijn geen doorgroeimogelijkheden.", "nl", "ex.growth"),
    ],
)
def test_theme_found(text: str, language: str, theme: str) -> None:
    assert theme in _themes(text, language)


def test_multi_label() -> None:
    found = _themes(
        "Lang in de wacht, daarna drie keer doorverbonden en nog steeds niet opgelost.", "nl"
    )
    assert {"cx.waiting_time", "cx.transfer", "cx.outcome_decision"} <= found


@pytest.mark.parametrize(
    ("text", "language", "theme"),
    [
        ("Geen wachttijd, meteen geholpen.", "nl", "cx.waiting_time"),
        ("De wachttijd viel reuze mee.", "nl", "cx.waiting_time"),
        ("De wachttijd was geen probleem.", "nl", "cx.waiting_time"),
        ("Ik hoefde niet lang te wachten.", "nl", "cx.waiting_time"),
        ("De medewerker was helemaal niet onvriendelijk.", "nl", "cx.rude_unhelpful"),
        ("I didn't have to wait at all.", "en", "cx.waiting_time"),
        ("The waiting time was fine.", "en", "cx.waiting_time"),
        ("The agent was not rude at all.", "en", "cx.rude_unhelpful"),
        ("I was not transferred once.", "en", "cx.transfer"),
    ],
)
def test_negated_cues_do_not_count(text: str, language: str, theme: str) -> None:
    assert theme not in _themes(text, language)


def test_nothing_found_in_neutral_text() -> None:
    assert _themes("Ik wil graag mijn adres wijzigen.", "nl") == set()
    assert _themes("Please send me a copy of my invoice.", "en") == set()


def test_ees_drivers_are_mapped() -> None:
    themes = default_taxonomy().themes
    drivers = {t.ees_driver for t in themes.values() if t.ees_driver}
    assert drivers == {"time", "information", "authority", "competence"}
    assert themes["cx.waiting_time"].names["nl"] == "Wachttijd"


def test_user_yaml_extends_the_default(tmp_path: Path) -> None:
    extra = tmp_path / "themes.yaml"
    extra.write_text(
        "themes:\n"
        "  cx.energy_bill:\n"
        "    audience: customer\n"
        "    name: {nl: Energierekening, en: Energy bill}\n"
        "    cues:\n"
        "      nl: [jaarafrekening, voorschot*]\n"
        "      en: [annual statement]\n"
        "  cx.waiting_time:\n"
        "    cues:\n"
        "      nl: [eeuwen gewacht]\n",
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(extra)
    assert "cx.energy_bill" in taxonomy.detect("mijn voorschotbedrag klopt niet", ("nl",))
    assert "cx.waiting_time" in taxonomy.detect("ik heb eeuwen gewacht", ("nl",))
    assert "cx.transfer" in taxonomy.detect("ik werd doorverbonden", ("nl",))
    only = load_taxonomy(extra, extend=False)
    assert "cx.transfer" not in only.themes
