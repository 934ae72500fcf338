import factory

from apps.rentables.models import AdministrationAmenity, Amenity, AmenityOption, Category, Rentable
from tests.factories import AdministrationFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    administration = factory.SubFactory(AdministrationFactory)
    name = factory.Sequence(lambda n: {"en": f"Chalet type {n}", "nl": f"Chalettype {n}"})
    description = factory.LazyFunction(lambda: {"en": "Near the beach", "nl": "Bij het strand"})
    reference = factory.Sequence(lambda n: f"CAT{n}")
    max_number_of_people = 4
    number_of_bedrooms = 2


class RentableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rentable

    category = factory.SubFactory(CategoryFactory)
    administration = factory.SelfAttribute("category.administration")
    name = factory.Sequence(lambda n: f"Chalet {n}")
    reference = factory.Sequence(lambda n: f"R{n:03d}")


class AmenityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amenity

    name = factory.Sequence(lambda n: {"en": f"Amenity {n}", "nl": f"Voorziening {n}"})
    amenity_type = Amenity.Type.BOOLEAN


class AmenityOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AmenityOption

    amenity = factory.SubFactory(AmenityFactory, amenity_type=Amenity.Type.MULTIPLE_CHOICE)
    name = factory.Sequence(lambda n: {"en": f"Option {n}"})


class AdministrationAmenityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrationAmenity

    administration = factory.SubFactory(AdministrationFactory)
    amenity = factory.SubFactory(AmenityFactory)
    value = None
