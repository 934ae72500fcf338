"""Content negotiation, JSON:API 1.1 §Content Negotiation."""

import pytest

from tests.jsonapi import MEDIA_TYPE, error_codes


@pytest.mark.django_db
class TestAccept:
    @pytest.mark.parametrize(
        "accept",
        [
            MEDIA_TYPE,
            f'{MEDIA_TYPE}; profile="https://example.com/p"',
            "*/*",
            "application/json",
            f"{MEDIA_TYPE}; charset=utf-8, {MEDIA_TYPE}",
        ],
    )
    def test_acceptable(self, api, accept):
        # when
        response = api.get("/v3/administrations", HTTP_ACCEPT=accept)

        # then
        assert response.status_code == 200
        assert response["Content-Type"] == MEDIA_TYPE

    @pytest.mark.parametrize(
        "accept",
        [
            f"{MEDIA_TYPE}; charset=utf-8",
            f'{MEDIA_TYPE}; ext="https://jsonapi.org/ext/atomic"',
            f"{MEDIA_TYPE}; charset=utf-8, {MEDIA_TYPE}; foo=bar",
            "text/html",
        ],
    )
    def test_not_acceptable(self, api, accept):
        response = api.get("/v3/administrations", HTTP_ACCEPT=accept)

        assert response.status_code == 406
        assert error_codes(response) == ["NOT_ACCEPTABLE"]

    def test_missing_accept_gets_jsonapi(self, api):
        api.defaults.pop("HTTP_ACCEPT")

        response = api.get("/v3/administrations")

        assert response.status_code == 200
        assert response["Content-Type"] == MEDIA_TYPE
