"""The global amenity catalogue and the amenities an administration has."""

import pytest
from django.core.exceptions import ValidationError

from apps.rentables.models import Amenity
from apps.rentables.services import administration_amenity_set
from tests.factories import AdministrationFactory
from tests.rentables.factories import (
    AdministrationAmenityFactory,
    AmenityFactory,
    AmenityOptionFactory,
)

pytestmark = pytest.mark.django_db


def test_amenities_are_global_and_read_only(api):
    option = AmenityOptionFactory(name={"en": "Free Wi-Fi", "nl": "Gratis wifi"})

    listing = api.get("/v3/amenities")
    shown = api.get(f"/v3/amenities/{option.amenity_id}", HTTP_ACCEPT_LANGUAGE="nl")
    created = api.post("/v3/amenities", {"data": {"type": "amenity", "attributes": {}}})

    assert listing.status_code == 200
    attributes = shown.doc["data"]["attributes"]
    assert attributes["amenity_type"] == "multiple_choice"
    assert attributes["options"] == [{"id": str(option.pk), "name": {"nl": "Gratis wifi"}}]
    assert created.status_code == 405


def test_amenity_filters(api):
    AmenityFactory(name={"en": "Sauna"})
    AmenityFactory(name={"en": "Tennis courts"}, amenity_type=Amenity.Type.NUMERICAL)

    by_type = api.get("/v3/amenities?filter[amenity_type]=numerical")
    by_name = api.get("/v3/amenities?filter[name]=~sau")

    assert [r["attributes"]["name"]["en"] for r in by_type.doc["data"]] == ["Tennis courts"]
    assert [r["attributes"]["name"]["en"] for r in by_name.doc["data"]] == ["Sauna"]


def test_amenity_scope(client_for, administration):
    response = client_for(administration, "category|read").get("/v3/amenities")

    assert response.status_code == 403
    assert response.doc["errors"][0]["detail"].endswith("amenity|read.")


def test_administration_amenities(api, administration, django_assert_max_num_queries):
    tennis = AmenityFactory(amenity_type=Amenity.Type.NUMERICAL)
    AdministrationAmenityFactory(administration=administration, amenity=tennis, value=4)
    AdministrationAmenityFactory(administration=AdministrationFactory(), amenity=tennis, value=9)
    for _ in range(5):
        AdministrationAmenityFactory(
            administration=administration, amenity=AmenityOptionFactory().amenity
        )
    path = f"/v3/administrations/{administration.pk}/administration_amenities"

    with django_assert_max_num_queries(9):
        listing = api.get(path + "?include=amenity,administration")
    by_value = api.get(path + "?filter[value]=3..5")
    by_amenity = api.get(path + f"?filter[amenity]={tennis.pk}")

    assert listing.doc["meta"]["pagination"]["total_records"] == 6
    assert {i["type"] for i in listing.doc["included"]} == {"amenity", "administration"}
    assert [r["attributes"]["value"] for r in by_value.doc["data"]] == [4]
    assert by_amenity.doc["data"][0]["relationships"]["amenity"]["data"]["id"] == str(tennis.pk)


class TestValueRule:
    def test_numerical_needs_a_number(self, administration):
        amenity = AmenityFactory(amenity_type=Amenity.Type.NUMERICAL)

        assert (
            administration_amenity_set(
                administration=administration, amenity=amenity, value=3
            ).value
            == 3
        )
        with pytest.raises(ValidationError):
            administration_amenity_set(administration=administration, amenity=amenity, value=-1)
        with pytest.raises(ValidationError):
            administration_amenity_set(administration=administration, amenity=amenity, value=None)

    def test_multiple_choice_needs_one_of_its_options(self, administration):
        option = AmenityOptionFactory()
        other = AmenityOptionFactory()

        item = administration_amenity_set(
            administration=administration, amenity=option.amenity, value=option.pk
        )
        assert item.value == option.pk
        with pytest.raises(ValidationError):
            administration_amenity_set(
                administration=administration, amenity=option.amenity, value=other.pk
            )

    def test_boolean_takes_no_value(self, administration):
        amenity = AmenityFactory()

        with pytest.raises(ValidationError):
            administration_amenity_set(administration=administration, amenity=amenity, value=1)
