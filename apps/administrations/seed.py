"""Demo data for the administration domain (used by ``seed_demo``)."""

from __future__ import annotations

from apps.administrations.models import Administration

DEMO_NAME = "Demo Holiday Park De Veluwe"


def seed_administration() -> Administration:
    administration, _ = Administration.objects.update_or_create(
        name=DEMO_NAME,
        defaults={
            "phone": "+31 55 123 4567",
            "website": "https://demo-park.example.com",
            "timezone": "Europe/Amsterdam",
            "currency": "EUR",
            "available_locales": ["en", "nl", "de"],
            "description": {
                "en": "A quiet holiday park in the woods of the Veluwe, with chalets and lodges.",
                "nl": "Een rustig vakantiepark in de bossen van de Veluwe, met chalets en lodges.",
                "de": "Ein ruhiger Ferienpark in den Wäldern der Veluwe, mit Chalets und Lodges.",
            },
            "surroundings_description": {
                "en": "Hoge Veluwe National Park and the Kröller-Müller Museum are 15 minutes away.",
                "nl": "Nationaal Park De Hoge Veluwe en het Kröller-Müller Museum op 15 minuten.",
                "de": "Der Nationalpark Hoge Veluwe und das Kröller-Müller-Museum in 15 Minuten.",
            },
        },
    )
    return administration
