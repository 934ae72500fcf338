"""Every failure path answers with a JSON:API error document, never HTML or a stack trace."""

import pytest

from tests.jsonapi import error_codes

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_jsonapi_404(api):
    response = api.get("/v3/no-such-thing")

    assert response.status_code == 404
    assert error_codes(response) == ["RESOURCE_NOT_FOUND"]


@pytest.mark.parametrize("pk", ["abc", "0", "1.5", "99999999999999999999999"])
def test_odd_ids_are_404(api, pk):
    response = api.get(f"/v3/administrations/{pk}")

    assert response.status_code == 404
    assert error_codes(response) == ["RESOURCE_NOT_FOUND"]


def test_method_not_allowed(api):
    response = api.put("/v3/administrations", data="{}", content_type="application/vnd.api+json")

    assert response.status_code == 405
    assert error_codes(response) == ["METHOD_NOT_ALLOWED"]


def test_an_unexpected_failure_is_a_500_without_a_trace(api, monkeypatch):
    # given: a bug deep in a selector
    def broken(**kwargs):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr("apps.administrations.views.administration_list", broken)
    api.raise_request_exception = False

    # when
    response = api.get("/v3/administrations")

    # then
    assert response.status_code == 500
    assert error_codes(response) == ["INTERNAL_SERVER_ERROR"]
    assert b"hunter2" not in response.content
    assert b"Traceback" not in response.content


def test_a_database_outage_is_503_with_retry_after(api, monkeypatch):
    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("apps.administrations.views.administration_list", down)

    response = api.get("/v3/administrations")

    assert response.status_code == 503
    assert error_codes(response) == ["SERVICE_UNAVAILABLE"]
    assert response["Retry-After"] == "2"
