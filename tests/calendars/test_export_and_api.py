"""The rentable's iCal feed, and external calendars through the API."""

import datetime as dt

import pytest
from django.test import Client
from django.utils.http import http_date
from icalendar import Calendar

from apps.agenda_periods.models import PeriodType
from apps.bookings.services.bookings import booking_create
from apps.calendars.models import ExternalCalendar
from apps.customers.services import customer_create
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.calendars import feeds
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def d(offset):
    return TODAY + dt.timedelta(days=offset)


@pytest.fixture
def rentable(administration):
    return RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )


def feed_path(rentable, **query):
    suffix = "".join(f"?{k}={v}" for k, v in query.items())
    return f"/ical/{rentable.ical_export_token}.ics{suffix}"


def test_the_feed_is_valid_rfc5545_without_personal_data(api, administration, rentable):
    guest = customer_create(
        administration=administration,
        first_name="Anna",
        last_name="de Vries",
        email="anna@example.com",
    )
    booking_create(
        administration=administration,
        customer=guest,
        reservations=[
            {
                "rentable": rentable,
                "arrival_date": d(5),
                "departure_date": d(9),
                "adults": 2,
                "rent_price": 7919.53,
            }
        ],
        memo="VIP guest",
    )
    AgendaPeriodFactory(rentable=rentable, start_date=d(20), end_date=d(22), label="Painting")
    AgendaPeriodFactory(rentable=rentable, start_date=d(-60), end_date=d(-50))  # too old
    AgendaPeriodFactory(
        rentable=rentable, start_date=d(30), end_date=d(31), blocking=False
    )  # not holding

    response = Client().get(feed_path(rentable))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    for secret in (b"Anna", b"Vries", b"anna@example.com", b"7919.53", b"VIP", b"Painting"):
        assert secret not in raw
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["CALSCALE"]) == "GREGORIAN"
    assert "PRODID" in calendar
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [(e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"])) for e in events] == [
        (d(5), d(9), "Reserved"),
        (d(20), d(22), "Not available"),
    ]
    assert events[0]["DTSTART"].params.get("VALUE") == "DATE"
    assert all("DTSTAMP" in e and "UID" in e for e in events)


def test_uids_are_stable(api, rentable):
    period = AgendaPeriodFactory(rentable=rentable)

    first = Calendar.from_ical(Client().get(feed_path(rentable)).content)
    second = Calendar.from_ical(Client().get(feed_path(rentable)).content)

    assert [str(e["UID"]) for e in first.walk("VEVENT")] == [period.ical_uid]
    assert [str(e["UID"]) for e in second.walk("VEVENT")] == [period.ical_uid]


def test_conditional_requests(rentable):
    AgendaPeriodFactory(rentable=rentable)
    first = Client().get(feed_path(rentable))

    by_etag = Client().get(feed_path(rentable), HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = Client().get(feed_path(rentable), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    stale = Client().get(feed_path(rentable), HTTP_IF_NONE_MATCH='"something-else"')
    AgendaPeriodFactory(rentable=rentable, start_date=d(40), end_date=d(41))
    changed = Client().get(feed_path(rentable), HTTP_IF_NONE_MATCH=first["ETag"])

    assert (by_etag.status_code, by_date.status_code, stale.status_code, changed.status_code) == (
        304,
        304,
        200,
        200,
    )
    assert by_etag.content == b""
    assert Client().get(feed_path(rentable), HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200


def test_a_platforms_own_imports_are_not_echoed_back(administration, rentable, httpserver):
    from apps.calendars.services.sync import external_calendar_sync

    httpserver.expect_request("/airbnb.ics").respond_with_data(feeds.render(feeds.AIRBNB))
    airbnb = ExternalCalendar.objects.create(
        administration=administration, rentable=rentable, ical_url=httpserver.url_for("/airbnb.ics")
    )
    external_calendar_sync(calendar_id=airbnb.pk)
    AgendaPeriodFactory(rentable=rentable, start_date=d(60), end_date=d(62))

    for_airbnb = Calendar.from_ical(Client().get(feed_path(rentable, calendar=airbnb.pk)).content)
    for_everyone = Calendar.from_ical(Client().get(feed_path(rentable)).content)

    assert len(for_airbnb.walk("VEVENT")) == 1
    assert len(for_everyone.walk("VEVENT")) == 3


def test_unknown_or_rotated_tokens_are_404(api, administration, rentable):
    old = feed_path(rentable)
    rotated = api.post(
        f"/v3/administrations/{administration.pk}/rentables/{rentable.pk}/rotate_ical_token"
    )
    rentable.refresh_from_db()

    assert Client().get("/ical/not-a-token.ics").status_code == 404
    assert Client().get(old).status_code == 404
    assert Client().get(feed_path(rentable)).status_code == 200
    assert rotated.doc["data"]["attributes"]["ical_export_url"].endswith(feed_path(rentable))


class TestExternalCalendarApi:
    def url(self, administration, *parts):
        return "/".join(
            [f"/v3/administrations/{administration.pk}/external_calendars", *map(str, parts)]
        )

    def test_crud_and_sync_request(
        self, api, administration, rentable, httpserver, django_capture_on_commit_callbacks
    ):
        httpserver.expect_request("/b.ics").respond_with_data(feeds.render(feeds.BOOKING_COM))
        created = api.post(
            self.url(administration),
            {
                "data": {
                    "type": "external_calendar",
                    "attributes": {
                        "name": "Booking.com",
                        "ical_url": httpserver.url_for("/b.ics"),
                        "time_offset": 0,
                    },
                    "relationships": {
                        "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}}
                    },
                }
            },
        )
        assert created.status_code == 201, created.doc
        calendar_id = created.doc["data"]["id"]
        assert created.doc["data"]["attributes"]["last_synced"] is None
        assert "?calendar=" in created.doc["data"]["attributes"]["ical_export_url"]

        with django_capture_on_commit_callbacks(execute=True):
            requested = api.post(self.url(administration, calendar_id, "sync"))
        assert requested.status_code == 202
        assert requested.doc["data"]["attributes"]["sync_requested_at"]

        shown = api.get(self.url(administration, calendar_id))
        assert shown.doc["data"]["attributes"]["last_synced"] is not None
        assert shown.doc["data"]["attributes"]["error"] == ""
        periods = api.get(
            f"/v3/administrations/{administration.pk}/agenda_periods?filter[period_type]=ExternalBlockedAgendaPeriod"
        )
        assert len(periods.doc["data"]) == 2

        filtered = api.get(self.url(administration) + "?filter[name]=~booking&filter[active]=true")
        assert [c["id"] for c in filtered.doc["data"]] == [calendar_id]
        patched = api.patch(
            self.url(administration, calendar_id),
            {
                "data": {
                    "type": "external_calendar",
                    "id": calendar_id,
                    "attributes": {"active": False},
                }
            },
        )
        assert patched.doc["data"]["attributes"]["active"] is False
        assert api.delete(self.url(administration, calendar_id)).status_code == 204

    @pytest.mark.parametrize(
        "url", ["ftp://example.com/feed.ics", "not a url", "https://user:pw@example.com/x.ics"]
    )
    def test_bad_urls_are_422(self, api, administration, rentable, url):
        response = api.post(
            self.url(administration),
            {
                "data": {
                    "type": "external_calendar",
                    "attributes": {"ical_url": url},
                    "relationships": {
                        "rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}}
                    },
                }
            },
        )

        assert response.status_code == 422
        assert response.doc["errors"][0]["source"]["pointer"] == "/data/attributes/ical_url"

    def test_scopes(self, client_for, administration):
        reader = client_for(administration, "external_calendar|read")

        assert reader.get(self.url(administration)).status_code == 200
        refused = reader.post(
            self.url(administration), {"data": {"type": "external_calendar", "attributes": {}}}
        )
        assert refused.status_code == 403
        assert refused.doc["errors"][0]["detail"].endswith("external_calendar|write.")


def test_feed_lists_reservation_periods_with_reserved(rentable, administration):
    AgendaPeriodFactory(rentable=rentable, period_type=PeriodType.RESERVATION)

    calendar = Calendar.from_ical(Client().get(feed_path(rentable)).content)

    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Reserved"]
