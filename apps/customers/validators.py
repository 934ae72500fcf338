"""Validation of guests' bank and contact details."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from apps.core.countries import COUNTRY_CODES

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def normalize_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_iban(value: str) -> None:
    """Country, length and the ISO 13616 mod-97 check digits."""
    iban = normalize_iban(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        raise ValidationError(
            "Not an IBAN: expected a country code, two check digits and the account."
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None:
        raise ValidationError(f"IBANs are not issued for country '{iban[:2]}'.")
    if len(iban) != expected:
        raise ValidationError(
            f"An IBAN from {iban[:2]} has {expected} characters, not {len(iban)}."
        )
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        raise ValidationError("The IBAN's check digits do not match: is there a typo?")


def validate_bic(value: str) -> None:
    if not BIC.match((value or "").upper()):
        raise ValidationError("Not a BIC: expected 8 or 11 letters and digits, e.g. INGBNL2A.")


def validate_country_code(value: str) -> None:
    if value and value not in COUNTRY_CODES:
        raise ValidationError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (e.g. NL).")
