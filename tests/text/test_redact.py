"""Redaction of personal data: every pattern, checksums, and numbers that must stay."""

from datetime import date

import pytest

from keizer.text import bsn_is_valid, iban_is_valid, redact

TODAY = date(2026, 11, 25)


def _redact(text: str) -> str:
    return redact(text, today=TODAY).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beste Jan, bedankt voor uw bericht.", "Beste [NAME], bedankt voor uw bericht."),
        ("Hi John, thanks for calling.", "Hi [NAME], thanks for calling."),
        ("Goedemiddag, u spreekt met Petra de Vries.", "Goedemiddag, u spreekt met [NAME]."),
        ("Ik sprak met medewerker Sanne van den Berg.", "Ik sprak met medewerker [NAME]."),
        ("Dear Mrs Smith, your order shipped.", "Dear [NAME], your order shipped."),
        ("Met vriendelijke groet,\nKees Jansen", "Met vriendelijke groet,\n[NAME]"),
        ("Geachte heer Bakker, ", "Geachte heer [NAME], "),
    ],
)
def test_names_after_greetings(text: str, expected: str) -> None:
    assert _redact(text) == expected


def test_greeting_followed_by_an_ordinary_word_keeps_it() -> None:
    assert _redact("Hallo Klantenservice, ik heb een vraag.") == (
        "Hallo Klantenservice, ik heb een vraag."
    )


@pytest.mark.parametrize(
    "email", ["jan.jansen@example.nl", "j+test@sub.example.co.uk", "INFO@Example.COM"]
)
def test_email(email: str) -> None:
    assert _redact(f"Mail naar {email} graag.") == "Mail naar [EMAIL] graag."


@pytest.mark.parametrize(
    "phone",
    [
        "06-12345678",
        "06 1234 5678",
        "0612345678",
        "020-1234567",
        "010 123 4567",
        "+31 6 12345678",
        "+31(0)6-12345678",
        "0031 6 12345678",
        "+44 20 7946 0958",
        "+1 (555) 123-4567",
    ],
)
def test_phone_numbers(phone: str) -> None:
    assert _redact(f"Bel mij op {phone} vandaag") == "Bel mij op [PHONE] vandaag"


def test_iban_with_valid_checksum_is_redacted() -> None:
    assert _redact("IBAN NL91ABNA0417164300 graag") == "IBAN [IBAN] graag"
    assert _redact("rekening NL91 ABNA 0417 1643 00.") == "rekening [IBAN]."
    assert _redact("GB82 WEST 1234 5698 7654 32") == "[IBAN]"


def test_iban_with_wrong_checksum_is_left_alone() -> None:
    assert _redact("code NL91ABNA0417164301") == "code NL91ABNA0417164301"
    assert iban_is_valid("NL91ABNA0417164300")
    assert not iban_is_valid("NL92ABNA0417164300")


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "111.222.333"])
def test_valid_bsn_is_redacted(bsn: str) -> None:
    assert bsn_is_valid(bsn)
    assert _redact(f"Mijn BSN is {bsn}.") == "Mijn BSN is [BSN]."


@pytest.mark.parametrize("number", ["123456789", "111222334", "987654321"])
def test_nine_digits_failing_the_eleven_proof_are_left_alone(number: str) -> None:
    assert not bsn_is_valid(number)
    assert _redact(f"Kenmerk {number}.") == f"Kenmerk {number}."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Adres: 1234 AB 12", "Adres: [ADDRESS]"),
        ("postcode 1234AB, huisnummer", "postcode [ADDRESS], huisnummer"),
        ("ik woon op 3511 lk", "ik woon op 3511 lk"),
        ("ik woon op 3511lk 4", "ik woon op [ADDRESS]"),
        ("Kerkstraat 12a in Utrecht", "[ADDRESS] in Utrecht"),
    ],
)
def test_postcode_and_address(text: str, expected: str) -> None:
    assert _redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Geboren op 12 maart 1985.", "Geboren op [DATE_OF_BIRTH]."),
        ("geboortedatum: 03-04-1990", "geboortedatum: [DATE_OF_BIRTH]"),
        ("Date of birth 01/02/1970", "Date of birth [DATE_OF_BIRTH]"),
        ("born on March 3, 1961", "born on [DATE_OF_BIRTH]"),
        ("mijn zoon (14-06-2015) belde", "mijn zoon (14-06-2015) belde"),
        ("ik ben van 14-06-1975", "ik ben van [DATE_OF_BIRTH]"),
    ],
)
def test_dates_of_birth(text: str, expected: str) -> None:
    assert _redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Het kostte € 120,50 en ik wachtte 3 weken.",
        "Ik betaal €1.234,56 per jaar, dat is 102,88 per maand.",
        "In 2023 is het twee keer misgegaan, 45 minuten wachten.",
        "Order 12345 van 12-03-2025, 2 dagen te laat.",
        "Bedrag € 123.456.782 is te hoog",
        "Ticket #4471, 10% korting, 1500 euro, 0,5 liter",
        "Ordered 3 items for $49.99 on 2025-11-02.",
    ],
)
def test_ordinary_numbers_are_not_redacted(text: str) -> None:
    result = redact(text, today=TODAY)
    assert result.text == text
    assert result.found == ()


def test_found_lists_the_kinds_in_order() -> None:
    result = redact("Hoi Anna, bel 0612345678 of mail a@b.nl", today=TODAY)
    assert result.found == ("name", "phone", "email")
