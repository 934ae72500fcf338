"""Localized attributes: objects keyed by the vendor's 17 locales (conventions.md §5)."""

from __future__ import annotations

LOCALES: tuple[str, ...] = (
    "nl",
    "nl-BE",
    "en",
    "de",
    "de-AT",
    "de-CH",
    "fr",
    "fr-BE",
    "fr-LU",
    "da",
    "cs",
    "es",
    "tr",
    "pt",
    "it",
    "pl",
    "nb",
)
_BY_LOWER = {loc.lower(): loc for loc in LOCALES}


def requested_locales(header: str | None) -> tuple[str, ...] | None:
    """The supported locales an ``Accept-Language`` header asks for, in its order.

    ``None`` means "no preference" (no header, ``*``, or nothing we support): every stored
    locale is returned then. A regional tag we do not know falls back to its language
    (``en-US`` → ``en``).
    """
    if not header:
        return None
    chosen: list[str] = []
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if not tag or tag == "*":
            continue
        locale = _BY_LOWER.get(tag) or _BY_LOWER.get(tag.split("-")[0])
        if locale and locale not in chosen:
            chosen.append(locale)
    return tuple(chosen) or None
