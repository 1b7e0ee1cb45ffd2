"""Redaction of personal data in free-text comments (Dutch and English conventions).

One combined regular expression finds candidates of every kind in a single pass; candidates with
a checksum (IBAN: ISO 13616 mod-97, BSN: the Dutch 11-proof) are only redacted when the checksum
holds. Amounts ("€ 120,50"), durations ("3 weken") and other ordinary numbers are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "iban": "[IBAN]",
    "phone": "[PHONE]",
    "bsn": "[BSN]",
    "address": "[ADDRESS]",
    "dob": "[DATE_OF_BIRTH]",
    "name": "[NAME]",
}
#: Full dates with a year this many years or more in the past are treated as dates of birth.
MIN_AGE_YEARS = 14

_NAME_WORD = r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
_PARTICLE = r"(?:van|de|der|den|het|ter|ten|te|op|in|'t|van der|van den|van de|de la|le|la|du)"
_FULL_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,2}}"
_GREETING = (
    r"(?i:beste|lieve|hallo|hoi|hey|hi|hello|dear|dag|goedemorgen|goedemiddag|goedenavond|"
    r"good\s+morning|good\s+afternoon|good\s+evening|"
    r"geachte(?:\s+heer|\s+mevrouw)?|met|groet(?:en)?\s*,?|regards\s*,?|cheers\s*,?|"
    r"(?:met\s+)?vriendelijke\s+groet(?:en)?\s*,?|kind\s+regards\s*,?|best\s+regards\s*,?|"
    r"mijn\s+naam\s+is|my\s+name\s+is|ik\s+ben|i\s+am|i'm|"
    r"meneer|mevrouw|mevr\.?|mw\.?|dhr\.?|de\s+heer|mr\.?|mrs\.?|ms\.?|miss|"
    r"medewerk(?:er|ster)|collega|agent|adviseur|advisor|operator)"
)
# Capitalised words after a greeting that are not names.
_NOT_NAMES = frozenset(
    [
        "Ik",
        "Je",
        "Jij",
        "U",
        "Wij",
        "We",
        "Het",
        "De",
        "Een",
        "Dit",
        "Dat",
        "Deze",
        "Die",
        "Er",
        "Mijn",
        "Uw",
        "Onze",
        "Ons",
        "Jullie",
        "Hij",
        "Zij",
        "Ze",
        "I",
        "You",
        "We",
        "It",
        "The",
        "A",
        "An",
        "This",
        "That",
        "My",
        "Your",
        "Our",
        "They",
        "He",
        "She",
        "Thanks",
        "Thank",
        "Bedankt",
        "Dank",
        "Hallo",
        "Hoi",
        "Hi",
        "Hello",
        "Goedemorgen",
        "Goedemiddag",
        "Goedenavond",
        "Beste",
        "Klantenservice",
        "Customer",
        "Service",
        "Team",
        "Sorry",
        "Januari",
        "Februari",
        "Maart",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Augustus",
        "September",
        "Oktober",
        "November",
        "December",
        "January",
        "February",
        "March",
        "May",
        "June",
        "July",
        "August",
        "October",
        "Maandag",
        "Dinsdag",
        "Woensdag",
        "Donderdag",
        "Vrijdag",
        "Zaterdag",
        "Zondag",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Kerst",
        "Pasen",
        "Pinksteren",
        "Christmas",
        "Easter",
        "Nederland",
        "Nederlands",
        "Engels",
        "English",
        "Dutch",
        "Google",
        "Whatsapp",
        "WhatsApp",
        "Facebook",
        "Twitter",
        "Instagram",
        "Excel",
        "Outlook",
        "Teams",
    ]
)
_MONTHS = (
    r"(?i:jan(?:uari|uary)?|feb(?:ruari|ruary)?|maart|march|mar|apr(?:il)?|mei|may|juni?|june|"
    r"juli?|july|aug(?:ustus|ust)?|sep(?:t(?:ember)?)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|"
    r"dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:19|20)\d{{2}}|(?:19|20)\d{{2}}-\d{{1,2}}-\d{{1,2}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th|e)?\s+{_MONTHS}\s+(?:19|20)\d{{2}}|"
    rf"{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})"
)
_BIRTH_CUE = (
    r"(?i:geboren(?:\s+op)?|geboortedatum|geb\.|geb\s*datum|date\s+of\s+birth|d\.?o\.?b\.?|"
    r"born(?:\s+on)?|birth\s*date|birthday|verjaardag)\s*:?\s*"
)
_STREET_SUFFIX = (
    r"(?:straat|laan|weg|plein|gracht|kade|singel|dijk|pad|hof|dreef|steeg|park|markt|"
    r"street|road|avenue|lane|drive)"
)

_PATTERN = re.compile(
    "|".join(
        [
            r"(?P<email>\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b)",
            r"(?P<iban>\b[A-Za-z]{2}\d{2}[ ]?(?:[A-Za-z0-9]{4}[ ]?){2,7}[A-Za-z0-9]{1,4}\b)",
            rf"(?P<dob_cue>{_BIRTH_CUE})(?P<dob>{_DATE})",
            rf"(?P<date>(?<![\d/.-]){_DATE}(?![\d/-]))",
            r"(?P<phone>(?<![\w+])(?:"
            r"(?:\+|00)\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d(?:[\s.-]?\d){5,12}"
            r"|\(?0\d{1,4}\)?(?:[\s.-]?\d){6,9}"
            r")(?!\d|[.,]\d))",
            r"(?P<bsn>(?<![\d.,€$-])(?<!€ )"
            r"(?:\d{9}|\d{3}[.\s]\d{3}[.\s]\d{3}|\d{4}[.\s]\d{2}[.\s]\d{3})"
            r"(?!\d|[.,]\d))",
            r"(?P<postcode>\b[1-9]\d{3}(?:[ ]?[A-Z]{2}|[a-z]{2})\b"
            r"(?:,?\s+\d{1,5}(?:\s?[a-zA-Z]\b|-\d+)?)?)",
            rf"(?P<street>\b[A-Z][a-zà-ÿ]+(?:[ -][A-Za-z][a-zà-ÿ]+)?{_STREET_SUFFIX}\s+\d{{1,5}}"
            r"(?:\s?[a-zA-Z]\b|-\d+)?)",
            rf"(?P<greet>\b{_GREETING}\s+)(?P<name>{_FULL_NAME})",
        ]
    )
)
# Every kind but names needs a digit or an "@": texts without one only get the name scan.
_NEEDS_FULL_SCAN = re.compile(r"[\d@]")
_NAMES_ONLY = re.compile(rf"(?P<greet>\b{_GREETING}\s+)(?P<name>{_FULL_NAME})")
_POSTCODE_EXCLUDED_LETTERS = frozenset({"SA", "SD", "SS"})


@dataclass(frozen=True, slots=True)
class Redaction:
    """A redacted text and the kinds of personal data that were replaced (in order)."""

    text: str
    found: tuple[str, ...]


def iban_is_valid(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, mod 97 must be 1."""
    iban = candidate.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def bsn_is_valid(candidate: str) -> bool:
    """Dutch 11-proof for a BSN: sum of digits times 9..2, last digit times -1, divisible by 11."""
    digits = [int(ch) for ch in candidate if ch.isdigit()]
    if len(digits) == 8:
        digits.insert(0, 0)
    if len(digits) != 9 or not any(digits):
        return False
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def _year_of(text: str) -> int | None:
    found = re.search(r"(?:19|20)\d{2}", text)
    return int(found.group()) if found else None


def _replace(match: re.Match[str], found: list[str], today_year: int) -> str:
    kind = match.lastgroup
    whole = match.group()
    if kind == "email":
        found.append("email")
        return PLACEHOLDERS["email"]
    if kind == "iban":
        if iban_is_valid(whole):
            found.append("iban")
            return PLACEHOLDERS["iban"]
        return whole
    if kind == "dob":
        found.append("dob")
        return match.group("dob_cue") + PLACEHOLDERS["dob"]
    if kind == "date":
        year = _year_of(whole)
        if year is not None and year <= today_year - MIN_AGE_YEARS:
            found.append("dob")
            return PLACEHOLDERS["dob"]
        return whole
    if kind == "phone":
        digits = sum(ch.isdigit() for ch in whole)
        international = whole.startswith(("+", "00"))
        if (international and 8 <= digits <= 15) or (not international and digits in (10, 11)):
            found.append("phone")
            return PLACEHOLDERS["phone"]
        if digits == 9 and bsn_is_valid(whole):
            found.append("bsn")
            return PLACEHOLDERS["bsn"]
        return whole
    if kind == "bsn":
        if bsn_is_valid(whole):
            found.append("bsn")
            return PLACEHOLDERS["bsn"]
        return whole
    if kind == "postcode":
        letters = re.sub(r"[^A-Za-z]", "", whole[:7]).upper()[:2]
        if letters in _POSTCODE_EXCLUDED_LETTERS:
            return whole
        found.append("address")
        return PLACEHOLDERS["address"]
    if kind == "street":
        found.append("address")
        return PLACEHOLDERS["address"]
    if kind == "name":
        name = match.group("name")
        first = name.split()[0]
        if first in _NOT_NAMES:
            return whole
        found.append("name")
        return match.group("greet") + PLACEHOLDERS["name"]
    return whole  # pragma: no cover - every group is handled above


def redact(text: str, *, today: date | None = None) -> Redaction:
    """Replace personal data in ``text`` with placeholders such as ``[NAME]`` and ``[PHONE]``."""
    year = (today or date.today()).year
    found: list[str] = []
    pattern = _PATTERN if _NEEDS_FULL_SCAN.search(text) else _NAMES_ONLY
    redacted = pattern.sub(lambda m: _replace(m, found, year), text)
    return Redaction(redacted, tuple(found))
