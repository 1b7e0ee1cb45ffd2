"""Plain-language sentences in English and Dutch."""

from __future__ import annotations

import pytest

from keizer.linkage.labels import status_text
from keizer.linkage.summaries import (
    absence_sentence,
    effect_sentence,
    gap_sentence,
    hazard_sentence,
    number,
)


def test_effect_sentences_read_like_the_issue_asks() -> None:
    en = effect_sentence("ees_information", "ces", 1, 0.4, 0.2, 0.6, 0.95, "en")
    assert en == (
        "Teams one point higher on 'information available' have a CES 0.40 higher "
        "(95 % CI 0.20–0.60) one month later."
    )
    nl = effect_sentence("ees_information", "ces", 1, 0.4, 0.2, 0.6, 0.95, "nl")
    assert nl == (
        "Teams die één punt hoger scoren op 'beschikbare informatie' hebben een maand later "
        "een CES die 0,40 hoger is (95%-BI 0,20–0,60)."
    )


def test_negative_effects_rates_and_lags() -> None:
    lower = effect_sentence("stress", "csat", 0, -0.34, -0.58, -0.11, 0.95, "en")
    assert "CSAT 0.34 lower (95 % CI 0.11–0.58) in the same month" in lower
    rate = effect_sentence("ees_authority", "resolution", 2, 0.04, 0.02, 0.06, 0.95, "nl")
    assert "oplossingsgraad die 4,00 procentpunt hoger is (95%-BI 2,00–6,00)" in rate
    assert "2 maanden later" in rate
    remote = effect_sentence("remote_share", "aht", 1, 2.0, 1.0, 3.0, 0.9, "en")
    assert remote.startswith("Teams with 10 percentage points more staff working from home")
    assert "0.20 minutes higher (90 % CI 0.10–0.30)" in remote


def test_other_sentences_and_dutch_numbers() -> None:
    assert "20 % less likely" in hazard_sentence(0.8, 0.6, 1.05, 0.95, "en")
    assert "20 % kleiner (hazard ratio 0,80" in hazard_sentence(0.8, 0.6, 1.05, 0.95, "nl")
    assert "30 % vaker ziek (rate ratio 1,30" in absence_sentence(
        "stress", 1.3, 1.1, 1.5, 0.95, "nl"
    )
    assert gap_sentence("ees", "board", 1.5, 1.0, 2.0, 0.95, "nl").startswith(
        "De directie beantwoordt 'medewerkerinspanning (EES)' 1,50 punt hoger"
    )
    assert gap_sentence("ees", "manager", -0.5, -0.9, -0.1, 0.95, "en") == (
        "Managers answer 'employee effort (EES)' 0.50 points lower than front-line staff "
        "(95 % CI 0.10–0.90)."
    )
    assert number(12500.0, "nl", 0) == "12.500"
    assert number(1234.5, "en", 1) == "1,234.5"
    assert number(float("nan"), "en") == "–"


@pytest.mark.parametrize(
    ("status", "dutch"),
    [
        ("fewer than 8 teams", "minder dan 8 teams"),
        ("fewer than 6 months", "minder dan 6 maanden"),
        ("fewer than 8 teams with a manager rating",
         "minder dan 8 teams met een rapportcijfer voor de leidinggevende"),
        ("fewer than 20 voluntary leavers", "minder dan 20 vrijwillige vertrekkers"),
        ("fewer than 20 sickness reports", "minder dan 20 ziekmeldingen"),
        ("too few respondents", "te weinig respondenten"),
        ("needs at least two treated and two other teams, and months before and after the "
         "start", "vraagt ten minste twee teams met en twee zonder de interventie, en maanden "
         "voor en na de start"),
    ],
)  # fmt: skip
def test_why_a_model_is_not_shown_reads_in_dutch(status: str, dutch: str) -> None:
    assert status_text(status, "nl") == dutch
    assert status_text(status, "en") == status
