"""Categories: the vendor's full schema, CRUD, filters, includes, scopes and tenancy."""

import pytest

from apps.rentables.models import Category
from tests.factories import AdministrationFactory
from tests.jsonapi import error_codes
from tests.rentables.factories import AmenityFactory, CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db

SPEC_FILTERS = [
    "id", "name", "description", "short_description", "usps", "highlighted", "reference",
    "minimum_number_of_nights", "maximum_number_of_nights", "number_of_bedrooms",
    "number_of_beds", "number_of_showers", "number_of_toilets", "number_of_bathrooms",
    "number_of_parking_spots", "number_of_child_beds", "number_of_child_chairs", "surface_area",
    "summer_video_id", "winter_video_id", "whole_year_video_id",
    "master_price_list_price_factor", "master_price_list_fixed_rate",
    "same_day_bookings_allowed", "archived", "max_number_of_people", "prices_updated_at",
    "prices_indexed_at", "stock_updated_at", "stock_indexed_at", "costs_updated_at",
    "extras_updated_at", "bookable_discounts_changed_at", "agreements_changed_at",
    "last_date_with_price", "city", "region", "created_at", "updated_at", "terms",
    "rentable_segment", "master_price_list", "guest_group_limits", "administration",
    "rent_earned_ledger_account", "images", "rooms", "rentable_type_amenities",
    "accommodation_type", "category_amenities",
]  # fmt: skip
SAMPLE_VALUES = {
    "boolean": "true", "integer": "1", "float": "1.5", "date": "2026-01-01",
    "datetime": "2026-01-01T00:00:00Z", "string": "x", "localized": "~x", "relationship": "1",
    "computed": "1",
}  # fmt: skip


def url(administration, *parts):
    return "/".join([f"/v3/administrations/{administration.pk}/categories", *map(str, parts)])


def category_document(**attributes):
    return {
        "data": {"type": "category", "attributes": {"name": {"en": "Tiny house"}, **attributes}}
    }


class TestShape:
    def test_every_vendor_attribute_and_relationship_is_present(self, api, administration):
        category = CategoryFactory(administration=administration)

        data = api.get(url(administration, category.pk)).doc["data"]

        assert len(data["attributes"]) == 68  # the vendor's 63 and the five stay rules
        assert "city_name" in data["attributes"] and "city" not in data["attributes"]
        relationships = data["relationships"]
        assert relationships["city"] == {"data": None}
        assert relationships["rooms"]["data"] == []
        assert relationships["administration"]["data"] == {
            "type": "administration",
            "id": str(administration.pk),
        }
        assert len(relationships) == 14


class TestCrud:
    def test_round_trip(self, api, administration):
        # create
        created = api.post(
            url(administration),
            category_document(
                description={"en": "On stilts", "nl": "Op palen"},
                usps={"en": ["Small", "Smart"]},
                minimum_number_of_nights=2,
                same_day_booking_closing_time="14:15:22Z",
                checkin_times_for_week=["15:00"] * 7,
                latitude=52.1,
            ),
        )
        assert created.status_code == 201, created.doc
        category_id = created.doc["data"]["id"]
        assert created["Location"].endswith(url(administration, category_id))
        attributes = created.doc["data"]["attributes"]
        assert attributes["same_day_booking_closing_time"] == "14:15:22Z"
        assert attributes["usps"] == {"en": ["Small", "Smart"]}

        # read
        shown = api.get(url(administration, category_id))
        assert shown.doc["data"]["attributes"]["description"] == {
            "nl": "Op palen",
            "en": "On stilts",
        }

        # update merges localized keys
        patched = api.patch(
            url(administration, category_id),
            {
                "data": {
                    "type": "category",
                    "id": category_id,
                    "attributes": {"description": {"de": "Auf Stelzen", "nl": None}},
                }
            },
        )
        assert patched.status_code == 200
        assert patched.doc["data"]["attributes"]["description"] == {
            "en": "On stilts",
            "de": "Auf Stelzen",
        }

        # delete
        assert api.delete(url(administration, category_id)).status_code == 204
        assert api.get(url(administration, category_id)).status_code == 404

    def test_read_only_attributes_are_ignored_on_write(self, api, administration):
        response = api.post(
            url(administration), category_document(archived=True, max_number_of_people=99)
        )

        assert response.status_code == 201
        category = Category.objects.get(pk=response.doc["data"]["id"])
        assert (category.archived, category.max_number_of_people) == (False, None)

    def test_a_category_with_rentables_cannot_be_deleted(self, api, administration):
        rentable = RentableFactory(category__administration=administration)

        response = api.delete(url(administration, rentable.category_id))

        assert response.status_code == 409
        assert error_codes(response) == ["CONFLICT"]
        assert Category.objects.filter(pk=rentable.category_id).exists()


class TestValidation:
    @pytest.mark.parametrize(
        "attributes, pointer",
        [
            ({"name": {"xx": "?"}}, "/data/attributes/name"),
            ({"name": {}}, "/data/attributes/name"),
            ({"description": "plain text"}, "/data/attributes/description"),
            ({"usps": {"en": "not a list"}}, "/data/attributes/usps"),
            (
                {"minimum_number_of_nights": 5, "maximum_number_of_nights": 2},
                "/data/attributes/maximum_number_of_nights",
            ),
            (
                {"same_day_booking_closing_time": "25:00"},
                "/data/attributes/same_day_booking_closing_time",
            ),
            (
                {"checkin_times_for_week": ["15:00", "late"]},
                "/data/attributes/checkin_times_for_week/1",
            ),
            ({"checkin_times_for_week": ["15:00"] * 8}, "/data/attributes/checkin_times_for_week"),
            ({"latitude": 91}, "/data/attributes/latitude"),
            ({"number_of_beds": -1}, "/data/attributes/number_of_beds"),
            ({"number_of_beds": "many"}, "/data/attributes/number_of_beds"),
            ({"highlighted": "perhaps"}, "/data/attributes/highlighted"),
            ({"colour": "red"}, "/data/attributes/colour"),
            ({"arrival_weekdays": ["Saturday"]}, "/data/attributes/arrival_weekdays/0"),
            ({"arrival_weekdays": "saturday"}, "/data/attributes/arrival_weekdays"),
            (
                {"departure_weekdays": ["friday", "friday"]},
                "/data/attributes/departure_weekdays",
            ),
            ({"minimum_notice_days": -1}, "/data/attributes/minimum_notice_days"),
            ({"turnover_gap_nights": "one"}, "/data/attributes/turnover_gap_nights"),
        ],
    )
    def test_invalid_attribute_is_422_with_its_pointer(
        self, api, administration, attributes, pointer
    ):
        response = api.post(url(administration), category_document(**attributes))

        assert response.status_code == 422, response.doc
        assert error_codes(response) == ["VALIDATION_FAILED"] * len(response.doc["errors"])
        assert pointer in [e["source"]["pointer"] for e in response.doc["errors"]]
        assert not Category.objects.exists()

    def test_stay_rules_round_trip(self, api, administration):
        rules = {
            "arrival_weekdays": ["friday", "monday"],
            "departure_weekdays": ["monday", "friday"],
            "minimum_notice_days": 2,
            "maximum_advance_days": 365,
            "turnover_gap_nights": 1,
        }
        created = api.post(url(administration), category_document(**rules))
        assert created.status_code == 201, created.doc
        category_id = created.doc["data"]["id"]

        cleared = api.patch(
            url(administration, category_id),
            {
                "data": {
                    "type": "category",
                    "id": category_id,
                    "attributes": {"arrival_weekdays": None, "turnover_gap_nights": None},
                }
            },
        )

        assert {k: created.doc["data"]["attributes"][k] for k in rules} == rules
        attributes = cleared.doc["data"]["attributes"]
        assert attributes["arrival_weekdays"] == [] and attributes["turnover_gap_nights"] is None
        assert Category.objects.get(pk=category_id).departure_weekdays == ["monday", "friday"]

    def test_name_is_required_on_create(self, api, administration):
        response = api.post(url(administration), {"data": {"type": "category", "attributes": {}}})

        assert response.status_code == 422
        assert response.doc["errors"][0]["source"]["pointer"] == "/data/attributes/name"

    def test_one_error_per_field(self, api, administration):
        response = api.post(
            url(administration),
            category_document(name={"xx": "?"}, latitude=100, colour="red"),
        )

        pointers = sorted(e["source"]["pointer"] for e in response.doc["errors"])
        assert pointers == [
            "/data/attributes/colour",
            "/data/attributes/latitude",
            "/data/attributes/name",
        ]

    def test_unmodelled_relationships_cannot_be_set(self, api, administration):
        document = category_document()
        document["data"]["relationships"] = {
            "city": {"data": {"type": "city", "id": "3"}},
            "rooms": {"data": []},
        }

        response = api.post(url(administration), document)

        assert response.status_code == 422
        assert [e["source"]["pointer"] for e in response.doc["errors"]] == [
            "/data/relationships/city"
        ]


class TestBadDocuments:
    def test_malformed_json(self, api, administration):
        response = api.post(url(administration), '{"data": ')

        assert response.status_code == 400
        assert error_codes(response) == ["FORBIDDEN_INPUT"]

    @pytest.mark.parametrize(
        "body, pointer",
        [
            ("[]", ""),
            ('{"meta": {}}', ""),
            ('{"data": []}', "/data"),
            ('{"data": {"attributes": {}}}', "/data/type"),
            ('{"data": {"type": "category", "id": 5}}', "/data/id"),
            ('{"data": {"type": "category", "attributes": []}}', "/data/attributes"),
            (
                '{"data": {"type": "category", "relationships": {"city": 3}}}',
                "/data/relationships/city",
            ),
            (
                '{"data": {"type": "category", "relationships": {"city": {"data": [5]}}}}',
                "/data/relationships/city/data/0",
            ),
        ],
    )
    def test_documents_of_the_wrong_shape_are_400_with_a_pointer(
        self, api, administration, body, pointer
    ):
        response = api.post(url(administration), body)

        assert response.status_code == 400
        assert response.doc["errors"][0]["source"]["pointer"] == pointer

    def test_wrong_type_is_409(self, api, administration):
        response = api.post(url(administration), {"data": {"type": "rentable", "attributes": {}}})

        assert response.status_code == 409
        assert error_codes(response) == ["CONFLICT"]

    def test_id_mismatch_on_patch_is_409(self, api, administration):
        category = CategoryFactory(administration=administration)

        response = api.patch(
            url(administration, category.pk),
            {"data": {"type": "category", "id": str(category.pk + 1), "attributes": {}}},
        )

        assert response.status_code == 409

    @pytest.mark.parametrize(
        "content_type",
        [
            "application/json",
            "text/plain",
            "application/vnd.api+json; charset=utf-8",
            'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"',
        ],
    )
    def test_unsupported_media_type(self, api, administration, content_type):
        response = api.post(url(administration), category_document(), content_type=content_type)

        assert response.status_code == 415
        assert error_codes(response) == ["UNSUPPORTED_MEDIA_TYPE"]
        assert not Category.objects.exists()


class TestListing:
    def test_archived_categories_only_on_request(self, api, administration):
        CategoryFactory(administration=administration)
        CategoryFactory(administration=administration, archived=True)

        default = api.get(url(administration))
        everything = api.get(url(administration) + "?include_archived=true")
        bad = api.get(url(administration) + "?include_archived=maybe")

        assert len(default.doc["data"]) == 1
        assert len(everything.doc["data"]) == 2
        assert bad.status_code == 400
        assert bad.doc["errors"][0]["source"] == {"parameter": "include_archived"}

    @pytest.mark.parametrize("name", SPEC_FILTERS)
    def test_every_vendor_filter_is_accepted(self, api, administration, name):
        from apps.rentables.filters import CategoryFilter

        kind = CategoryFilter.fields()[name].kind
        response = api.get(url(administration) + f"?filter[{name}]={SAMPLE_VALUES[kind]}")

        assert response.status_code == 200, response.doc

    @pytest.mark.parametrize(
        "query, expected",
        [
            ("filter[number_of_bedrooms]=2..3", ["small", "medium"]),
            ("filter[number_of_bedrooms]=!2", ["medium", "large"]),
            ("filter[name]=~villa", []),
            ("filter[description]=~villa", ["large"]),
            ("filter[usps]=~sauna", ["medium"]),
            ("filter[highlighted]=true", ["large"]),
            ("filter[surface_area]=..50", ["small"]),
            ("filter[master_price_list_price_factor]=1.1", ["medium"]),
            ("filter[reference]=S,L", ["small", "large"]),
            ("filter[max_number_of_people]=6..", ["medium", "large"]),
            ("filter[city]=1", []),
            ("filter[city]=!1", ["small", "medium", "large"]),
            ("filter[region]=~veluwe", ["small"]),
            ("filter[name|description]=~heath", ["large"]),
        ],
    )
    def test_filters(self, api, administration, query, expected):
        CategoryFactory(
            administration=administration,
            reference="S",
            name={"en": "small"},
            number_of_bedrooms=2,
            surface_area=40,
            region={"nl": "Veluwe"},
        )
        CategoryFactory(
            administration=administration,
            reference="M",
            name={"en": "medium"},
            number_of_bedrooms=3,
            usps={"en": ["Sauna"]},
            master_price_list_price_factor=1.1,
            max_number_of_people=6,
        )
        CategoryFactory(
            administration=administration,
            reference="L",
            name={"en": "large"},
            number_of_bedrooms=4,
            highlighted=True,
            description={"en": "A villa on the heath"},
            max_number_of_people=8,
        )

        response = api.get(url(administration) + f"?{query}")

        assert response.status_code == 200, response.doc
        assert [r["attributes"]["name"]["en"] for r in response.doc["data"]] == expected

    def test_sort(self, api, administration):
        for beds in (3, 1, 2):
            CategoryFactory(administration=administration, number_of_beds=beds)

        response = api.get(url(administration) + "?sort=-number_of_beds")

        assert [r["attributes"]["number_of_beds"] for r in response.doc["data"]] == [3, 2, 1]

    def test_sparse_fieldset_omits_unnamed_relationships(self, api, administration):
        CategoryFactory(administration=administration)

        response = api.get(url(administration) + "?fields[category]=name,administration")

        row = response.doc["data"][0]
        assert set(row["attributes"]) == {"name"}
        assert set(row["relationships"]) == {"administration"}

    def test_includes_without_n_plus_one(self, api, administration, django_assert_max_num_queries):
        sauna = AmenityFactory()
        for _ in range(3):
            CategoryFactory(administration=administration).optional_amenities.add(sauna)
        path = url(administration) + "?include=administration,optional_amenities"
        with django_assert_max_num_queries(9) as small:
            api.get(path)
        for _ in range(20):
            CategoryFactory(administration=administration).optional_amenities.add(AmenityFactory())

        with django_assert_max_num_queries(len(small.captured_queries)):
            response = api.get(path)

        types = sorted({item["type"] for item in response.doc["included"]})
        assert types == ["administration", "amenity"]
        assert len([i for i in response.doc["included"] if i["type"] == "amenity"]) == 21


class TestAccess:
    def test_read_scope(self, client_for, administration):
        CategoryFactory(administration=administration)
        reader = client_for(administration, "category|read")
        outsider = client_for(administration, "rentable|read")

        assert reader.get(url(administration)).status_code == 200
        refused = outsider.get(url(administration))
        assert refused.status_code == 403
        assert refused.doc["errors"][0]["detail"].endswith("category|read.")

    def test_write_scope(self, client_for, administration):
        reader = client_for(administration, "category|read")

        response = reader.post(url(administration), category_document())

        assert response.status_code == 403
        assert "category|write" in response.doc["errors"][0]["detail"]
        assert not Category.objects.exists()

    def test_delete_falls_back_to_the_write_scope(self, client_for, administration):
        category = CategoryFactory(administration=administration)
        writer = client_for(administration, "category|write")

        assert writer.delete(url(administration, category.pk)).status_code == 204

    def test_including_needs_the_included_types_read_scope(self, client_for, administration):
        CategoryFactory(administration=administration)
        client = client_for(administration, "category|read")

        response = client.get(url(administration) + "?include=administration")

        assert response.status_code == 403
        assert error_codes(response) == ["FORBIDDEN_INCLUDE"]
        assert response.doc["errors"][0]["source"] == {"parameter": "include"}

    def test_another_administrations_category_is_404_everywhere(self, api, administration):
        other = AdministrationFactory()
        foreign = CategoryFactory(administration=other)

        through_mine = api.get(url(administration, foreign.pk))
        through_theirs = api.get(url(other, foreign.pk))
        patch = api.patch(
            url(administration, foreign.pk),
            {"data": {"type": "category", "id": str(foreign.pk), "attributes": {}}},
        )
        delete = api.delete(url(other, foreign.pk))

        assert [r.status_code for r in (through_mine, through_theirs, patch, delete)] == [404] * 4
        assert Category.objects.filter(pk=foreign.pk).exists()
