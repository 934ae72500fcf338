"""Every resource declares its filters as a django-filter FilterSet that tools can read."""

import pytest
from django_filters import FilterSet as DjangoFilterSet

from apps.core.filters import FilterBackend, VendorFilter
from config.api_router import router

FILTERED = [
    (prefix, viewset)
    for prefix, viewset, _ in router.registry
    if getattr(viewset, "filterset_class", None) is not None
]


def test_every_filtered_resource_declares_a_filterset_and_the_backend():
    assert len(FILTERED) >= 15
    for _, viewset in FILTERED:
        assert issubclass(viewset.filterset_class, DjangoFilterSet)
        assert FilterBackend in viewset.filter_backends


@pytest.mark.parametrize("prefix, viewset", FILTERED)
def test_every_filter_says_its_type(prefix, viewset):
    for name, filter_ in viewset.filterset_class.base_filters.items():
        assert isinstance(filter_, VendorFilter), name
        assert filter_.kind, name
        assert "type" in filter_.schema(), name


def test_enumerations_are_listed_in_the_term_schema():
    from apps.bookings.filters import BookingFilter

    schema = BookingFilter.base_filters["state"].schema()

    assert schema["type"] == "string"
    assert {"option", "confirmed", "cancelled"} <= set(schema["enum"])


def test_the_document_lists_each_filter_and_marks_required_ones(client):
    document = client.get("/v3/oas3.json").json()
    availability = document["paths"]["/v3/administrations/{administration_id}/availabilities"]
    bookings = document["paths"]["/v3/administrations/{administration_id}/bookings"]

    search = {p["name"]: p for p in availability["get"]["parameters"]}
    listing = {p["name"]: p for p in bookings["get"]["parameters"]}

    assert search["filter[arrival_date]"]["required"] is True
    assert search["filter[category]"]["required"] is False
    assert {"filter[rentable]", "filter[arrival_date]", "filter[departure_date]"} <= set(listing)
    assert "(date)" in listing["filter[arrival_date]"]["description"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "filter[arrival_date|category]=1",
        "filter[arrival_date|departure_date]=2026-07-01",
    ],
)
def test_a_search_parameter_cannot_be_ored(api, administration, query):
    stay = "filter[arrival_date]=2026-07-01&filter[departure_date]=2026-07-03"
    url = f"/v3/administrations/{administration.pk}/availabilities?{stay}&{query}"

    response = api.get(url)

    assert response.status_code == 400
    assert response.doc["errors"][0]["source"] == {"parameter": query.split("=")[0]}


@pytest.mark.django_db
def test_a_name_may_repeat_in_an_or(api, administration):
    response = api.get("/v3/administrations?filter[name|name]=~x")

    assert response.status_code == 200
