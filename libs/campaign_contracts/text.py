"""Vietnamese text is stored NFC-normalised: one spelling per word, whatever the sender used."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


NfcStr = Annotated[str, AfterValidator(nfc)]
"""A string normalised to NFC on the way in."""
