"""Plain-language sentences in English and Dutch for the linkage findings."""

from __future__ import annotations

import math

from keizer.linkage.labels import Language, label

#: How much of a measure one step is, and how a step reads.
STEPS: dict[str, tuple[float, str, str]] = {
    "remote_share": (0.1, "10 percentage points more staff working from home or hybrid",
                     "10 procentpunt meer medewerkers die thuis of hybride werken"),
    "tenure_years": (1.0, "one year longer average tenure",
                     "een jaar langere gemiddelde diensttijd"),
    "absence_rate": (0.01, "one percentage point more staff reporting sick",
                     "één procentpunt meer ziekmeldingen"),
    "turnover_rate": (0.01, "one percentage point more voluntary leavers",
                      "één procentpunt meer vrijwillige vertrekkers"),
}  # fmt: skip
#: Outcome scale factors for display (rates shown in percentage points).
OUTCOME_FACTOR = {"resolution": 100.0}

ASSOCIATION_NOTE = {
    "en": "These are associations in your own data, not proof of cause: teams differ in more "
    "ways than the ones measured.",
    "nl": "Dit zijn samenhangen in uw eigen gegevens, geen bewijs van oorzaak: teams "
    "verschillen op meer punten dan wat gemeten is.",
}


def number(value: float, language: Language, digits: int = 2) -> str:
    """A number with a decimal comma in Dutch."""
    if not math.isfinite(value):
        return "–"
    text = f"{value:,.{digits}f}"
    if language == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def step(measure: str) -> float:
    return STEPS[measure][0] if measure in STEPS else 1.0


def _when(lag: int, language: Language) -> str:
    if language == "en":
        return "in the same month" if lag == 0 else (
            "one month later" if lag == 1 else f"{lag} months later")  # fmt: skip
    return "in dezelfde maand" if lag == 0 else (
        "een maand later" if lag == 1 else f"{lag} maanden later")  # fmt: skip


def _outcome_phrase(outcome: str, language: Language) -> str:
    if outcome == "resolution":
        return "a resolution rate" if language == "en" else "een oplossingsgraad"
    if outcome == "aht":
        return "an average handle time" if language == "en" else "een gemiddelde afhandeltijd"
    name = label(outcome, language)
    return f"a {name}" if language == "en" else f"een {name}"


def _unit(outcome: str, language: Language) -> str:
    if outcome == "resolution":
        return " percentage points" if language == "en" else " procentpunt"
    if outcome == "aht":
        return " minutes" if language == "en" else " minuten"
    return ""


def effect_sentence(
    measure: str, outcome: str, lag: int, estimate: float, low: float, high: float,
    confidence: float, language: Language,
) -> str:  # fmt: skip
    """ "Teams one point higher on 'information available' have a CES 0.40 higher (95 % CI
    0.20–0.60) one month later." and its Dutch counterpart."""
    factor = step(measure) * OUTCOME_FACTOR.get(outcome, 1.0)
    b, lo, hi = estimate * factor, low * factor, high * factor
    higher = b >= 0
    size, lo_, hi_ = (abs(b), lo, hi) if higher else (abs(b), -hi, -lo)
    level = f"{confidence * 100:.0f}"
    unit = _unit(outcome, language)
    if language == "en":
        subject = STEPS[measure][1] if measure in STEPS else (
            f"one point higher on '{label(measure, 'en')}'")  # fmt: skip
        teams = f"Teams with {subject}" if measure in STEPS else f"Teams {subject}"
        return (
            f"{teams} have {_outcome_phrase(outcome, 'en')} {number(size, 'en')}{unit} "
            f"{'higher' if higher else 'lower'} ({level} % CI {number(lo_, 'en')}–"
            f"{number(hi_, 'en')}) {_when(lag, 'en')}."
        )
    subject = STEPS[measure][2] if measure in STEPS else (
        f"één punt hoger scoren op '{label(measure, 'nl')}'")  # fmt: skip
    teams = f"Teams met {subject}" if measure in STEPS else f"Teams die {subject}"
    return (
        f"{teams} hebben {_when(lag, 'nl')} {_outcome_phrase(outcome, 'nl')} die "
        f"{number(size, 'nl')}{unit} {'hoger' if higher else 'lager'} is ({level}%-BI "
        f"{number(lo_, 'nl')}–{number(hi_, 'nl')})."
    )


def hazard_sentence(
    hr: float, low: float, high: float, confidence: float, language: Language
) -> str:
    """The manager-rating finding of the retention model."""
    level = f"{confidence * 100:.0f}"
    change = (1 - hr) * 100
    if language == "en":
        direction = "less" if change >= 0 else "more"
        return (
            "Per point higher manager rating of the team, staff are "
            f"{number(abs(change), 'en', 0)} % "
            f"{direction} likely to leave voluntarily at any moment (hazard ratio "
            f"{number(hr, 'en')}, {level} % CI {number(low, 'en')}–{number(high, 'en')})."
        )
    direction = "kleiner" if change >= 0 else "groter"
    return (
        f"Per punt hoger rapportcijfer voor de leidinggevende is de kans dat medewerkers "
        f"vrijwillig vertrekken {number(abs(change), 'nl', 0)} % {direction} (hazard ratio "
        f"{number(hr, 'nl')}, {level}%-BI {number(low, 'nl')}–{number(high, 'nl')})."
    )


def absence_sentence(
    measure: str, rate_ratio: float, low: float, high: float, confidence: float,
    language: Language,
) -> str:  # fmt: skip
    level = f"{confidence * 100:.0f}"
    change = (rate_ratio - 1) * 100
    if language == "en":
        direction = "more" if change >= 0 else "fewer"
        return (
            f"Per point higher '{label(measure, 'en')}', people report sick "
            f"{number(abs(change), 'en', 0)} % {direction} often (rate ratio "
            f"{number(rate_ratio, 'en')}, {level} % CI {number(low, 'en')}–{number(high, 'en')})."
        )
    direction = "vaker" if change >= 0 else "minder vaak"
    return (
        f"Per punt hoger op '{label(measure, 'nl')}' melden medewerkers zich "
        f"{number(abs(change), 'nl', 0)} % {direction} ziek (rate ratio "
        f"{number(rate_ratio, 'nl')}, {level}%-BI {number(low, 'nl')}–{number(high, 'nl')})."
    )


def gap_sentence(
    measure: str, group: str, gap: float, low: float, high: float, confidence: float,
    language: Language,
) -> str:  # fmt: skip
    level = f"{confidence * 100:.0f}"
    groups = {"board": ("The board answers", "De directie beantwoordt"),
              "manager": ("Managers answer", "Managers beantwoorden"),
              "team_lead": ("Team leads answer", "Teamleiders beantwoorden")}  # fmt: skip
    en, nl = groups.get(group, (f"{group} answer", f"{group} beantwoorden"))
    if gap < 0:  # "0.50 lower (0.10–0.90)": the interval in the words' direction
        low, high = -high, -low
    if language == "en":
        return (
            f"{en} '{label(measure, 'en')}' {number(abs(gap), 'en')} points "
            f"{'higher' if gap >= 0 else 'lower'} than front-line staff ({level} % CI "
            f"{number(low, 'en')}–{number(high, 'en')})."
        )
    return (
        f"{nl} '{label(measure, 'nl')}' {number(abs(gap), 'nl')} punt "
        f"{'hoger' if gap >= 0 else 'lager'} dan medewerkers in de frontlinie ({level}%-BI "
        f"{number(low, 'nl')}–{number(high, 'nl')})."
    )
