"""The planned renderer writes the same documents as the library's renderer, on every list and
detail route, with every include path of up to two relationships."""

import pytest

from tests.core.park import extra_query, include_paths, list_routes, populate


def _get(api, url, settings, planned: bool):
    settings.RATE_LIMIT_ENABLED = False  # hundreds of requests from one key
    settings.JSON_API_PLANNED_RENDERING = planned
    response = api.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()


def _query(*parts: str) -> str:
    return "&".join(p for p in parts if p)


@pytest.mark.django_db
def test_planned_and_library_documents_are_the_same_everywhere(administration, api, settings):
    # given a park with a few of everything
    populate(administration)
    compared = 0
    for basename, path, serializer_class in list_routes(administration):
        for include in ["", *include_paths(serializer_class)]:
            query = _query(extra_query(basename), include and f"include={include}")
            url = f"{path}?{query}" if query else path
            # when the collection is rendered by both renderers
            library = _get(api, url, settings, planned=False)
            planned = _get(api, url, settings, planned=True)
            # then the documents are equal (dict equality ignores member order)
            assert planned == library, url
            compared += 1
            first = library["data"][0] if library["data"] else None
            if first is None or basename in {"availability", "calendar_day"}:
                continue
            detail = f"{path}/{first['id']}" + (f"?include={include}" if include else "")
            assert _get(api, detail, settings, planned=True) == _get(
                api, detail, settings, planned=False
            ), detail
            compared += 1
    assert compared > 100


@pytest.mark.django_db
def test_sparse_fieldsets_render_the_same(administration, api, settings):
    # given a park, and a request limiting the booking and the included customer's members
    populate(administration)
    url = (
        f"/v3/administrations/{administration.pk}/bookings?include=customer,reservations.rentable"
        "&fields[booking]=state,total,customer&fields[customer]=first_name,labels"
        "&fields[rentable]=max_number_of_people"
    )
    # when both renderers answer
    planned = _get(api, url, settings, planned=True)
    library = _get(api, url, settings, planned=False)
    # then the documents are the same, and really sparse (includes are still followed)
    assert planned == library
    assert set(planned["data"][0]["attributes"]) == {"state", "total"}
    assert set(planned["data"][0]["relationships"]) == {"customer"}
    rentable = next(r for r in planned["included"] if r["type"] == "rentable")
    assert set(rentable) == {"type", "id", "attributes", "links"}
    assert set(rentable["attributes"]) == {"max_number_of_people"}


@pytest.mark.django_db
def test_webhook_resource_objects_match_the_library(administration):
    # given a park
    from rest_framework_json_api.renderers import JSONRenderer
    from rest_framework_json_api.utils import (
        get_resource_type_from_serializer,
        get_serializer_fields,
    )

    from apps.core.resources import _BaseUrlRequest, _serializers_by_model, resource_object

    populate(administration)
    checked = 0
    for model, serializer_class in _serializers_by_model().items():
        for instance in model.objects.all()[:3]:
            # when a payload is built from the plan and by the library
            serializer = serializer_class(instance, context={"request": _BaseUrlRequest()})
            library = JSONRenderer.build_json_resource_obj(
                get_serializer_fields(serializer),
                serializer.data,
                instance,
                get_resource_type_from_serializer(serializer_class),
                serializer,
            )
            # then they are the same resource object
            assert resource_object(instance) == library, (model, instance.pk)
            checked += 1
    assert checked > 20
