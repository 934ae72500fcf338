"""Demo catalogue for ``seed_demo``: amenities, three categories and their rentables."""

from __future__ import annotations

from apps.administrations.models import Administration
from apps.rentables.models import AdministrationAmenity, Amenity, AmenityOption, Category, Rentable

AMENITIES = [
    ({"en": "Swimming pool", "nl": "Zwembad", "de": "Schwimmbad"}, "boolean", []),
    ({"en": "Restaurant", "nl": "Restaurant", "de": "Restaurant"}, "boolean", []),
    ({"en": "Tennis courts", "nl": "Tennisbanen", "de": "Tennisplätze"}, "numerical", []),
    (
        {"en": "Internet", "nl": "Internet", "de": "Internet"},
        "multiple_choice",
        [
            {
                "en": "Free Wi-Fi everywhere",
                "nl": "Gratis wifi overal",
                "de": "Kostenloses WLAN überall",
            },
            {
                "en": "Wi-Fi at the reception",
                "nl": "Wifi bij de receptie",
                "de": "WLAN an der Rezeption",
            },
        ],
    ),
    ({"en": "Sauna", "nl": "Sauna", "de": "Sauna"}, "boolean", []),
]

CATEGORIES = [
    {
        "reference": "CH4",
        "name": {"en": "Forest chalet (4 people)", "nl": "Boschalet (4 personen)", "de": "Waldchalet (4 Personen)"},
        "short_description": {"en": "Cosy chalet among the pines", "nl": "Knus chalet tussen de dennen", "de": "Gemütliches Chalet zwischen den Kiefern"},
        "description": {
            "en": "A wooden chalet with two bedrooms, a wood stove and a large terrace facing the forest.",
            "nl": "Een houten chalet met twee slaapkamers, een houtkachel en een groot terras aan het bos.",
            "de": "Ein Holzchalet mit zwei Schlafzimmern, Holzofen und großer Terrasse zum Wald.",
        },
        "usps": {"en": ["Wood stove", "Terrace"], "nl": ["Houtkachel", "Terras"], "de": ["Holzofen", "Terrasse"]},
        "number_of_bedrooms": 2, "number_of_beds": 4, "number_of_bathrooms": 1, "number_of_toilets": 1,
        "surface_area": 45, "max_number_of_people": 4, "max_number_of_pets": 1, "pets_allowed": "some",
        "minimum_number_of_nights": 2, "maximum_number_of_nights": 28, "count": 10,
    },
    {
        "reference": "LO6",
        "name": {"en": "Lake lodge (6 people)", "nl": "Meerlodge (6 personen)", "de": "Seelodge (6 Personen)"},
        "short_description": {"en": "Lodge on the water with a jetty", "nl": "Lodge aan het water met steiger", "de": "Lodge am Wasser mit Steg"},
        "description": {
            "en": "Spacious lodge with three bedrooms, a sauna and a private jetty on the lake.",
            "nl": "Ruime lodge met drie slaapkamers, een sauna en een eigen steiger aan het meer.",
            "de": "Geräumige Lodge mit drei Schlafzimmern, Sauna und eigenem Steg am See.",
        },
        "usps": {"en": ["Private sauna", "Jetty"], "nl": ["Eigen sauna", "Steiger"], "de": ["Eigene Sauna", "Steg"]},
        "number_of_bedrooms": 3, "number_of_beds": 6, "number_of_bathrooms": 2, "number_of_toilets": 2,
        "surface_area": 80, "max_number_of_people": 6, "pets_allowed": "none", "highlighted": True,
        "minimum_number_of_nights": 3, "maximum_number_of_nights": 28, "count": 8,
    },
    {
        "reference": "VI8",
        "name": {"en": "Heath villa (8 people)", "nl": "Heidevilla (8 personen)", "de": "Heidevilla (8 Personen)"},
        "short_description": {"en": "Family villa on the heath", "nl": "Familievilla op de heide", "de": "Familienvilla in der Heide"},
        "description": {
            "en": "Detached villa with four bedrooms, a garden and views over the purple heath.",
            "nl": "Vrijstaande villa met vier slaapkamers, een tuin en uitzicht over de paarse heide.",
            "de": "Freistehende Villa mit vier Schlafzimmern, Garten und Blick über die lila Heide.",
        },
        "usps": {"en": ["Garden", "Heath views"], "nl": ["Tuin", "Uitzicht op de heide"], "de": ["Garten", "Heideblick"]},
        "number_of_bedrooms": 4, "number_of_beds": 8, "number_of_bathrooms": 2, "number_of_toilets": 3,
        "surface_area": 120, "max_number_of_people": 8, "max_number_of_pets": 2, "pets_allowed": "all",
        "minimum_number_of_nights": 3, "maximum_number_of_nights": 21, "count": 6,
    },
]  # fmt: skip


def seed_amenities() -> list[Amenity]:
    amenities = []
    for name, amenity_type, options in AMENITIES:
        amenity = Amenity.objects.filter(name__en=name["en"]).first()
        if amenity is None:
            amenity = Amenity.objects.create(name=name, amenity_type=amenity_type)
            for position, option in enumerate(options):
                AmenityOption.objects.create(amenity=amenity, name=option, position=position)
        amenities.append(amenity)
    return amenities


def seed_catalogue(administration: Administration) -> None:
    amenities = seed_amenities()
    values = {"numerical": 4, "multiple_choice": None, "boolean": None}
    for amenity in amenities:
        value = values[amenity.amenity_type]
        if amenity.amenity_type == "multiple_choice":
            value = amenity.options.first().pk
        AdministrationAmenity.objects.update_or_create(
            administration=administration, amenity=amenity, defaults={"value": value}
        )
    sauna = next(a for a in amenities if a.name["en"] == "Sauna")
    for spec in CATEGORIES:
        spec = dict(spec)
        count = spec.pop("count")
        category, _ = Category.objects.update_or_create(
            administration=administration, reference=spec.pop("reference"), defaults=spec
        )
        category.optional_amenities.set([sauna])
        prefix = category.name["en"].split(" ")[0]
        for number in range(1, count + 1):
            Rentable.objects.update_or_create(
                administration=administration,
                reference=f"{category.reference}-{number:02d}",
                defaults={
                    "category": category,
                    "name": f"{prefix} {category.reference[:2]} {number:02d}",
                },
            )
