"""Names of measures and outcomes in English and Dutch, with their units."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "nl"]

#: code -> (English, Dutch, unit in English, unit in Dutch)
LABELS: dict[str, tuple[str, str, str, str]] = {
    "ees": ("employee effort (EES)", "medewerkerinspanning (EES)", "point", "punt"),
    "ees_time": ("time available", "beschikbare tijd", "point", "punt"),
    "ees_information": ("information available", "beschikbare informatie", "point", "punt"),
    "ees_authority": ("authority to decide", "mandaat om te beslissen", "point", "punt"),
    "ees_competence": ("competences", "competenties", "point", "punt"),
    "engagement": ("engagement", "betrokkenheid", "point", "punt"),
    "wellbeing": ("wellbeing", "welzijn", "point", "punt"),
    "stress": ("work pressure", "werkdruk", "point", "punt"),
    "enps": ("eNPS score", "eNPS-score", "point", "punt"),
    "manager_rating": ("manager rating", "rapportcijfer leidinggevende", "point", "punt"),
    "remote_share": ("share working from home or hybrid", "aandeel thuis of hybride werkend",
                     "100 %", "100 %"),
    "tenure_years": ("average tenure", "gemiddelde diensttijd", "year", "jaar"),
    "absence_rate": ("new sickness reports per head", "ziekmeldingen per persoon", "report",
                     "melding"),
    "turnover_rate": ("voluntary leavers per head", "vrijwillige vertrekkers per persoon",
                      "leaver", "vertrekker"),
    "nps": ("recommendation score (0–10)", "aanbevelingsscore (0–10)", "point", "punt"),
    "csat": ("CSAT", "CSAT", "point", "punt"),
    "ces": ("CES", "CES", "point", "punt"),
    "resolution": ("resolution rate", "oplossingsgraad", "percentage point", "procentpunt"),
    "aht": ("average handle time", "gemiddelde afhandeltijd", "minute", "minuut"),
}  # fmt: skip


def label(code: str, language: Language = "en") -> str:
    entry = LABELS.get(code)
    if entry is None:
        return code
    return entry[0] if language == "en" else entry[1]


def unit(code: str, language: Language = "en") -> str:
    entry = LABELS.get(code)
    if entry is None:
        return "unit" if language == "en" else "eenheid"
    return entry[2] if language == "en" else entry[3]


#: Why a model was not shown (the ``status`` of a result), English pattern -> Dutch text.
STATUS_NL: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(f"^{english}$"), dutch)
    for english, dutch in (
        (r"fewer than (\d+) teams with a manager rating",
         r"minder dan \1 teams met een rapportcijfer voor de leidinggevende"),
        (r"fewer than (\d+) voluntary leavers", r"minder dan \1 vrijwillige vertrekkers"),
        (r"fewer than (\d+) sickness reports", r"minder dan \1 ziekmeldingen"),
        (r"fewer than (\d+) teams", r"minder dan \1 teams"),
        (r"fewer than (\d+) months", r"minder dan \1 maanden"),
        (r"too few respondents", r"te weinig respondenten"),
        (r"needs at least two treated and two other teams, and months before and after the "
         r"start",
         r"vraagt ten minste twee teams met en twee zonder de interventie, en maanden voor en "
         r"na de start"),
    )
)  # fmt: skip


def status_text(status: str, language: Language = "en") -> str:
    """Why a model was not shown, in ``language`` (statuses are stored in English)."""
    if language == "en":
        return status
    for pattern, dutch in STATUS_NL:
        if pattern.match(status):
            return pattern.sub(dutch, status)
    return status
