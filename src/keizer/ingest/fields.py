"""The fields each kind of import fills, with their types, rules and the column names
(Dutch and English) that usually hold them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["text", "int", "float", "bool", "date", "datetime", "choice"]
ImportKind = Literal["responses", "interactions", "employees", "org-units", "hr-events", "absence"]
KINDS: tuple[ImportKind, ...] = (
    "responses", "interactions", "employees", "org-units", "hr-events", "absence",
)  # fmt: skip


@dataclass(frozen=True)
class Field:
    """One target field of an import."""

    name: str
    type: FieldType = "text"
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)  # accepted spelling -> stored value
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 200
    not_future: bool = False
    person: Literal["employee", "customer", "respondent"] | None = None  # pseudonymised
    synonyms: tuple[str, ...] = ()

    def describe(self) -> str:
        """What a valid value looks like, for error messages."""
        if self.type == "choice":
            return "one of " + ", ".join(sorted(set(self.choices.values())))
        if self.type in ("int", "float") and (self.minimum is not None or self.maximum is not None):
            kind = "a whole number" if self.type == "int" else "a number"
            return f"{kind} from {_num(self.minimum)} to {_num(self.maximum)}"
        return {
            "text": f"text of at most {self.max_length:,} characters",
            "int": "a whole number",
            "float": "a number",
            "bool": "yes/no (true/false, ja/nee, 1/0)",
            "date": "a date such as 2025-03-31 or 31-03-2025",
            "datetime": "a date and time such as 2025-03-31 14:05",
        }[self.type]


def _num(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{value:g}"


def _choices(*groups: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    """Accepted spellings (case-insensitive) per stored value."""
    mapping: dict[str, str] = {}
    for stored, spellings in groups:
        mapping[stored] = stored
        for spelling in spellings:
            mapping[spelling] = stored
    return {key.casefold(): value for key, value in mapping.items()}


CHANNELS = _choices(
    ("phone", ("telefoon", "call", "voice", "tel", "telefonie", "bellen")),
    ("email", ("e-mail", "mail", "e mail")),
    ("chat", ("webchat", "livechat", "chatbot", "whatsapp")),
    ("social", ("social media", "twitter", "facebook", "x")),
    ("counter", ("balie", "loket", "desk", "visit", "bezoek")),
)
WORK_MODES = _choices(
    ("office", ("kantoor", "op kantoor", "on site", "onsite", "location")),
    ("home", ("thuis", "thuiswerken", "remote", "home office", "thuiswerker")),
    ("hybrid", ("hybride", "deels thuis", "mixed")),
)
ROLES = _choices(
    ("agent", ("medewerker", "klantcontactmedewerker", "kcm", "advisor", "adviseur")),
    ("team_lead", ("teamleider", "team leader", "teamlead", "supervisor", "coach")),
    ("manager", ("leidinggevende", "afdelingshoofd", "manager")),
    ("board", ("directie", "bestuur", "mt", "executive", "raad van bestuur")),
    ("staff", ("staf", "support", "ondersteuning")),
)
UNIT_KINDS = _choices(
    ("organisation", ("organisatie", "organization", "company", "bedrijf")),
    ("location", ("locatie", "vestiging", "site")),
    ("department", ("afdeling", "dept", "unit")),
    ("team", ("groep", "group")),
)
HR_KINDS = _choices(
    ("hire", ("in dienst", "indiensttreding", "instroom", "hired", "start", "joiner")),
    ("leave", ("uit dienst", "uitdiensttreding", "uitstroom", "leaver", "exit", "vertrek")),
    ("transfer", ("overplaatsing", "interne overstap", "move")),
    ("promotion", ("promotie", "bevordering")),
    ("upskill", ("opleiding", "training", "bijscholing")),
)
LANGUAGES = _choices(("nl", ("dutch", "nederlands", "nl-nl", "nl_nl")),
                     ("en", ("english", "engels", "en-gb", "en-us", "en_gb", "en_us")))  # fmt: skip

_ID = ("id", "nummer", "number", "nr", "key", "code")

SPECS: dict[ImportKind, tuple[Field, ...]] = {
    "org-units": (
        Field("source_key", required=True, synonyms=("unit_id", "code", "eenheid_id", *_ID)),
        Field("name", required=True, synonyms=("naam", "unit_name", "omschrijving")),
        Field("kind", "choice", required=True, choices=UNIT_KINDS,
              synonyms=("type", "niveau", "level", "soort")),
        Field("parent_key",
              synonyms=("parent", "parent_id", "ouder", "valt_onder", "bovenliggend")),
        Field("valid_from", "date", synonyms=("geldig_vanaf", "start_date", "van")),
        Field("valid_to", "date", synonyms=("geldig_tot", "end_date", "tot")),
    ),
    "employees": (
        Field("employee_id", required=True, person="employee",
              synonyms=("medewerker_id", "personeelsnummer", "employee_number", "agent_id", *_ID)),
        Field("team", synonyms=("team_id", "team_key", "team_code", "teamnaam")),
        Field("manager_id", person="employee",
              synonyms=("leidinggevende_id", "manager", "teamleider_id", "supervisor_id")),
        Field("role", "choice", choices=ROLES, synonyms=("rol", "functie", "function", "job")),
        Field("hire_date", "date", not_future=True,
              synonyms=("datum_in_dienst", "in_dienst", "start_date", "startdatum", "hired")),
        Field("leave_date", "date", synonyms=("datum_uit_dienst", "uit_dienst", "end_date",
                                                "einddatum", "left")),
        Field("work_mode", "choice", choices=WORK_MODES,
              synonyms=("werkplek", "werkvorm", "werklocatie", "work_location", "remote")),
        Field("fte", "float", minimum=0.01, maximum=1.5,
              synonyms=("deeltijdfactor", "contract_fte", "uren_fte", "part_time_factor")),
        Field("birth_year", "int", minimum=1900, maximum=2100,
              synonyms=("geboortejaar", "year_of_birth")),
    ),
    "interactions": (
        Field("interaction_id", required=True,
              synonyms=("contact_id", "call_id", "ticket_id", "conversation_id", *_ID)),
        Field("channel", "choice", required=True, choices=CHANNELS,
              synonyms=("kanaal", "medium", "type")),
        Field("started_at", "datetime", required=True, not_future=True,
              synonyms=("start", "starttijd", "start_time", "datum", "date", "timestamp",
                        "tijdstip", "begin")),
        Field("customer_id", person="customer",
              synonyms=("klant_id", "klantnummer", "customer", "caller_id", "relatienummer")),
        Field("employee_id", person="employee",
              synonyms=("agent_id", "medewerker_id", "agent", "medewerker", "user_id")),
        Field("team", synonyms=("team_id", "team_key", "team_code")),
        Field("queue", synonyms=("wachtrij", "skill", "queue_name")),
        Field("topic", synonyms=("onderwerp", "reden", "reason", "category", "categorie")),
        Field("talk_s", "float", minimum=0, maximum=86_400,
              synonyms=("talk_time", "gesprekstijd", "spreektijd", "talk_seconds", "duration")),
        Field("hold_s", "float", minimum=0, maximum=86_400,
              synonyms=("hold_time", "wachttijd_in_gesprek", "hold_seconds", "hold")),
        Field("after_call_s", "float", minimum=0, maximum=86_400,
              synonyms=("acw", "after_call_work", "nawerktijd", "nawerk", "wrap_up")),
        Field("transferred", "bool", synonyms=("doorverbonden", "transfer", "is_transferred")),
        Field("resolved", "bool", synonyms=("opgelost", "fcr", "is_resolved", "afgehandeld")),
    ),
    "responses": (
        Field("response_id", required=True,
              synonyms=("respons_id", "responseid", "respondent_id_response", "antwoord_id",
                        *_ID)),
        Field("survey", synonyms=("survey_id", "survey_key", "enquete", "vragenlijst")),
        Field("submitted_at", "datetime", required=True, not_future=True,
              synonyms=("datum", "date", "timestamp", "ingevuld_op", "submitdate",
                        "recorded_date", "end_date", "completed")),
        Field("respondent_id", person="respondent",
              synonyms=("respondent", "klant_id", "customer_id", "medewerker_id",
                        "employee_id", "external_reference")),
        Field("respondent_role", "choice", choices=ROLES, synonyms=("rol", "functie", "role")),
        Field("interaction_id", synonyms=("contact_id", "call_id", "ticket_id")),
        Field("team", synonyms=("team_id", "team_key", "team_code")),
        Field("channel", "choice", choices=CHANNELS, synonyms=("kanaal",)),
        Field("language", "choice", choices=LANGUAGES, synonyms=("taal", "lang", "userlanguage",
                                                                  "startlanguage")),
    ),
    "hr-events": (
        Field("employee_id", required=True, person="employee",
              synonyms=("medewerker_id", "personeelsnummer", "employee_number")),
        Field("kind", "choice", required=True, choices=HR_KINDS,
              synonyms=("event", "gebeurtenis", "type", "mutatie", "soort")),
        Field("event_date", "date", required=True, not_future=True,
              synonyms=("datum", "date", "ingangsdatum", "effective_date")),
        Field("voluntary", "bool", synonyms=("vrijwillig", "eigen_verzoek", "is_voluntary")),
        Field("reason", synonyms=("reden", "vertrekreden", "exit_reason", "leave_reason")),
        Field("source_key", synonyms=("event_id", "mutatie_id", "id")),
    ),
    "absence": (
        Field("employee_id", required=True, person="employee",
              synonyms=("medewerker_id", "personeelsnummer", "employee_number")),
        Field("start_date", "date", required=True, not_future=True,
              synonyms=("eerste_ziektedag", "ziekmelding", "begindatum", "start", "van",
                        "datum_ziekmelding")),
        Field("end_date", "date", synonyms=("hersteldatum", "herstelmelding", "einddatum", "tot",
                                            "end", "datum_hersteld")),
        Field("fraction", "float", minimum=0.0001, maximum=1,
              synonyms=("percentage_ziek", "ziektepercentage", "arbeidsongeschiktheid",
                        "absence_fraction")),
        Field("reason_class", synonyms=("oorzaak", "reden", "categorie", "verzuimreden")),
        Field("source_key", synonyms=("spell_id", "melding_id", "verzuim_id", "id")),
    ),
}  # fmt: skip

# Answers: a text answer longer than this is refused (a comment box, not a document).
MAX_ANSWER_TEXT = 20_000


def spec(kind: ImportKind) -> dict[str, Field]:
    """The fields of one kind, by name."""
    return {f.name: f for f in SPECS[kind]}
