"""Rentables: CRUD, capacity fallback, filters, includes without N+1, scopes, tenancy."""

import pytest

from apps.rentables.models import Rentable
from tests.factories import AdministrationFactory
from tests.jsonapi import error_codes
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db


def url(administration, *parts):
    return "/".join([f"/v3/administrations/{administration.pk}/rentables", *map(str, parts)])


def rentable_document(category, rentable_id=None, **attributes):
    data = {
        "type": "rentable",
        "attributes": {"name": "Chalet 12", **attributes},
        "relationships": {"category": {"data": {"type": "category", "id": str(category.pk)}}},
    }
    if rentable_id:
        data["id"] = str(rentable_id)
    return {"data": data}


@pytest.fixture
def category(administration):
    return CategoryFactory(administration=administration, max_number_of_people=4)


def test_round_trip(api, administration, category):
    created = api.post(url(administration), rentable_document(category, reference="CH-12"))
    assert created.status_code == 201, created.doc
    rentable_id = created.doc["data"]["id"]
    assert created.doc["data"]["attributes"]["max_number_of_people"] == 4  # the category's
    assert created.doc["data"]["relationships"]["category"]["data"]["id"] == str(category.pk)

    bigger = CategoryFactory(administration=administration, max_number_of_people=8)
    patched = api.patch(
        url(administration, rentable_id),
        {
            "data": {
                "type": "rentable",
                "id": rentable_id,
                "attributes": {"active": False},
                "relationships": {"category": {"data": {"type": "category", "id": str(bigger.pk)}}},
            }
        },
    )
    assert patched.status_code == 200
    assert patched.doc["data"]["attributes"]["max_number_of_people"] == 8
    assert patched.doc["data"]["attributes"]["active"] is False

    assert api.delete(url(administration, rentable_id)).status_code == 204
    assert not Rentable.objects.filter(pk=rentable_id).exists()


def test_own_capacity_overrides_the_categorys(api, administration, category):
    response = api.post(url(administration), rentable_document(category, max_number_of_people=2))

    assert response.doc["data"]["attributes"]["max_number_of_people"] == 2


@pytest.mark.parametrize(
    "attributes, pointer",
    [
        ({"name": ""}, "/data/attributes/name"),
        ({"max_number_of_people": 0}, "/data/attributes/max_number_of_people"),
        ({"active": "sometimes"}, "/data/attributes/active"),
        ({"ical_export_url": "https://evil.example.com"}, None),  # read-only: ignored
        ({"available_from": "soon"}, "/data/attributes/available_from"),
        (
            {"available_from": "2026-05-02", "available_until": "2026-05-01"},
            "/data/attributes/available_until",
        ),
    ],
)
def test_validation(api, administration, category, attributes, pointer):
    response = api.post(url(administration), rentable_document(category, **attributes))

    if pointer is None:
        assert response.status_code == 201
        feed = response.doc["data"]["attributes"]["ical_export_url"]
        assert "evil" not in feed and feed.endswith(".ics") and "/ical/" in feed
    else:
        assert response.status_code == 422
        assert response.doc["errors"][0]["source"]["pointer"] == pointer


def test_bookable_window_round_trip(api, administration, category):
    response = api.post(
        url(administration),
        rentable_document(category, available_from="2026-05-01", available_until="2026-05-01"),
    )

    assert response.status_code == 201, response.doc
    attributes = response.doc["data"]["attributes"]
    assert (attributes["available_from"], attributes["available_until"]) == (
        "2026-05-01",
        "2026-05-01",
    )


def test_category_is_required(api, administration):
    response = api.post(
        url(administration), {"data": {"type": "rentable", "attributes": {"name": "X"}}}
    )

    assert response.status_code == 422
    assert response.doc["errors"][0]["source"]["pointer"] == "/data/relationships/category"


def test_category_of_another_administration_is_refused(api, administration):
    foreign = CategoryFactory(administration=AdministrationFactory())

    response = api.post(url(administration), rentable_document(foreign))

    assert response.status_code == 422
    assert response.doc["errors"][0]["source"]["pointer"] == "/data/relationships/category"
    assert not Rentable.objects.exists()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("filter[name]=~lake", ["Lake 1", "Lake 2"]),
        ("filter[active]=false", ["Lake 2"]),
        ("filter[max_number_of_people]=6..", ["Lake 1", "Lake 2"]),
        ("filter[max_number_of_people]=..4", ["Forest 1"]),
        ("filter[reference]=F1,L2", ["Forest 1", "Lake 2"]),
        ("filter[name|reference]=~f1", ["Forest 1"]),
    ],
)
def test_filters(api, administration, query, expected):
    forest = CategoryFactory(administration=administration, max_number_of_people=4)
    lake = CategoryFactory(administration=administration, max_number_of_people=6)
    RentableFactory(category=forest, name="Forest 1", reference="F1")
    RentableFactory(category=lake, name="Lake 1", reference="L1")
    RentableFactory(
        category=forest, name="Lake 2", reference="L2", active=False, max_number_of_people=7
    )

    response = api.get(url(administration) + f"?{query}")

    assert response.status_code == 200, response.doc
    assert [row["attributes"]["name"] for row in response.doc["data"]] == expected


def test_filter_and_sort_by_category(api, administration):
    forest = CategoryFactory(administration=administration)
    lake = CategoryFactory(administration=administration)
    RentableFactory(category=forest, name="B")
    RentableFactory(category=lake, name="A")

    by_category = api.get(url(administration) + f"?filter[category]={lake.pk}")
    sorted_by_name = api.get(url(administration) + "?sort=name")

    assert [r["attributes"]["name"] for r in by_category.doc["data"]] == ["A"]
    assert [r["attributes"]["name"] for r in sorted_by_name.doc["data"]] == ["A", "B"]


@pytest.mark.parametrize(
    "include",
    ["category", "administration", "category.administration", "category.optional_amenities"],
)
def test_includes_cost_no_query_per_row(
    api, administration, include, django_assert_max_num_queries
):
    RentableFactory(category__administration=administration)
    path = url(administration) + f"?include={include}&page[size]=100"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        api.get(path)
    for _ in range(15):
        RentableFactory(category__administration=administration)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(path)

    assert len(response.doc["data"]) == 16
    assert response.doc.get("included")


def test_nested_include_lists_each_resource_once(api, administration, category):
    RentableFactory.create_batch(3, category=category)

    response = api.get(url(administration) + "?include=category,category.administration")

    keys = [(i["type"], i["id"]) for i in response.doc["included"]]
    assert sorted(keys) == sorted(
        {("category", str(category.pk)), ("administration", str(administration.pk))}
    )


def test_delete_needs_the_delete_scope(client_for, administration, category):
    rentable = RentableFactory(category=category)
    writer = client_for(administration, "rentable|read rentable|write")

    response = writer.delete(url(administration, rentable.pk))

    assert response.status_code == 403
    assert "rentable|delete" in response.doc["errors"][0]["detail"]
    assert error_codes(response) == ["NO_VALID_SCOPE"]


def test_another_administrations_rentable_is_404(api, administration):
    foreign = RentableFactory()

    assert api.get(url(administration, foreign.pk)).status_code == 404
    assert api.delete(url(administration, foreign.pk)).status_code == 404
    assert Rentable.objects.filter(pk=foreign.pk).exists()
