# ruff: noqa: E501  (question texts read better unbroken)
"""The two demo questionnaires: after a contact (customers) and the monthly pulse (employees)."""

from __future__ import annotations

from keizer.feedback.schemas import QuestionCreate, SurveyCreate

CX_SURVEY_KEY = "demo:survey:after-contact"
EX_SURVEY_KEY = "demo:survey:pulse"


def _q(
    code: str, metric: str, scale: tuple[float, float] | None, nl: str, en: str
) -> QuestionCreate:
    low, high = scale if scale else (None, None)
    return QuestionCreate.model_validate(
        {"code": code, "metric": metric, "scale_min": low, "scale_max": high,
         "text_nl": nl, "text_en": en}
    )  # fmt: skip


CX_SURVEY = SurveyCreate(
    source_key=CX_SURVEY_KEY,
    name="Na uw contact / After your contact",
    audience="customer",
    kind="transactional",
    questions=(
        _q("nps", "nps", (0, 10),
           "Hoe waarschijnlijk is het dat u ons aanbeveelt bij familie of vrienden?",
           "How likely are you to recommend us to family or friends?"),
        _q("csat", "csat", (1, 5), "Hoe tevreden bent u over dit contact?",
           "How satisfied are you with this contact?"),
        _q("ces", "ces", (1, 7), "De organisatie maakte het mij makkelijk mijn vraag af te handelen.",
           "The organisation made it easy for me to handle my issue."),
        _q("emotion", "emotion", (1, 5), "Hoe voelde u zich na het contact? (1 = heel slecht, 5 = heel goed)",
           "How did you feel after the contact? (1 = very bad, 5 = very good)"),
        _q("goal", "open_goal", None, "Wat wilde u bereiken?", "What did you want to achieve?"),
        _q("friction", "open_friction", None, "Waar liep u tegenaan?", "Where was the friction?"),
    ),
)  # fmt: skip

EX_SURVEY = SurveyCreate(
    source_key=EX_SURVEY_KEY,
    name="Maandelijkse pulse / Monthly pulse",
    audience="employee",
    kind="pulse",
    questions=(
        _q("enps", "enps", (0, 10), "Hoe waarschijnlijk is het dat je ons als werkgever aanbeveelt?",
           "How likely are you to recommend us as an employer?"),
        _q("engagement", "engagement", (1, 5), "Ik voel me betrokken bij mijn werk.",
           "I feel engaged in my work."),
        _q("wellbeing", "wellbeing", (1, 5), "Ik voelde me de afgelopen maand fit en in balans.",
           "Over the past month I felt fit and balanced."),
        _q("stress", "stress", (1, 5), "Ik ervaar te veel werkdruk.", "I experience too much pressure at work."),
        _q("ees", "ees", (1, 7), "Het was makkelijk voor mij om klanten te helpen.",
           "It was easy for me to help customers."),
        _q("ees_time", "ees_time", (1, 7), "Ik heb genoeg tijd om klanten goed te helpen.",
           "I have enough time to help customers well."),
        _q("ees_information", "ees_information", (1, 7), "Ik heb de informatie die ik nodig heb.",
           "I have the information I need."),
        _q("ees_authority", "ees_authority", (1, 7), "Ik mag zelf beslissen wat nodig is om de klant te helpen.",
           "I may decide myself what it takes to help the customer."),
        _q("ees_competence", "ees_competence", (1, 7), "Ik heb de kennis en vaardigheden om klanten te helpen.",
           "I have the knowledge and skills to help customers."),
        _q("manager_rating", "manager_rating", (1, 10), "Welk rapportcijfer geef je je leidinggevende?",
           "What grade (1-10) do you give your manager?"),
        _q("home_equipment", "other", (1, 5), "Ik heb goede apparatuur om thuis te werken.",
           "I have proper equipment to work from home."),
        _q("comment", "open_comment", None, "Wat zou jouw werk makkelijker maken?",
           "What would make your work easier?"),
    ),
)  # fmt: skip
