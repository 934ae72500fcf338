"""Feed addresses are built like self links: from the request inside one, API_BASE_URL outside."""

import pytest

from apps.calendars.models import ExternalCalendar
from apps.core.resources import resource_object
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rentable(administration):
    return RentableFactory(category__administration=administration)


@pytest.fixture
def calendar(administration, rentable):
    return ExternalCalendar.objects.create(
        administration=administration,
        rentable=rentable,
        name="Airbnb",
        ical_url="https://calendar.example.com/a.ics",
    )


def test_a_server_on_another_host_hands_out_feed_urls_on_that_host(
    api, administration, rentable, calendar, settings
):
    settings.API_BASE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["parks.example.org"]
    base = f"/v3/administrations/{administration.pk}"

    shown = api.get(f"{base}/external_calendars/{calendar.pk}", HTTP_HOST="parks.example.org:9000")
    listed = api.get(f"{base}/rentables/{rentable.pk}", HTTP_HOST="parks.example.org:9000")

    assert shown.status_code == 200, shown.doc
    assert shown.doc["data"]["links"]["self"].startswith("http://parks.example.org:9000/v3/")
    assert shown.doc["data"]["attributes"]["ical_export_url"] == (
        f"http://parks.example.org:9000/ical/{rentable.ical_export_token}.ics"
        f"?calendar={calendar.pk}"
    )
    assert listed.doc["data"]["attributes"]["ical_export_url"] == (
        f"http://parks.example.org:9000/ical/{rentable.ical_export_token}.ics"
    )


def test_outside_a_request_feed_urls_use_api_base_url(calendar, rentable, settings):
    settings.API_BASE_URL = "https://api.parks.example.org/"

    payload = resource_object(calendar)

    assert payload["attributes"]["ical_export_url"] == (
        f"https://api.parks.example.org/ical/{rentable.ical_export_token}.ics"
        f"?calendar={calendar.pk}"
    )
