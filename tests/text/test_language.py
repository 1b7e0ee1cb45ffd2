"""Language detection: Dutch, English and everything else."""

import pytest

from keizer.text import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ik heb heel lang moeten wachten en werd drie keer doorverbonden.", "nl"),
        ("Lange wachttijd, onvriendelijke medewerker.", "nl"),
        ("Bedankt!", "nl"),
        ("The agent was very helpful, thanks.", "en"),
        ("Thanks", "en"),
        ("Ich habe sehr lange gewartet und niemand hat geholfen.", "other"),
        ("J'ai attendu très longtemps au téléphone.", "other"),
        ("Hola, muy mal servicio de atención al cliente hoy.", "other"),
        ("👍👍", "other"),
        ("", "other"),
    ],
)
def test_detect(text: str, language: str) -> None:
    assert detect_language(text) == language
