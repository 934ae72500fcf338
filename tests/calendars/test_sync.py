"""Importing external calendars from real local HTTP servers."""

import datetime as dt
import time

import pytest
from django.test import override_settings
from django.utils import timezone
from werkzeug import Response

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.calendars.models import ExternalCalendar
from apps.calendars.services.sync import calendars_sync_due, external_calendar_sync
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.calendars import feeds
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def d(offset):
    return TODAY + dt.timedelta(days=offset)


def serve(httpserver, body, path="/feed.ics", **kwargs):
    httpserver.expect_request(path).respond_with_data(body, content_type="text/calendar", **kwargs)


def nights(calendar):
    return sorted((p.ical_uid, p.start_date, p.end_date) for p in calendar.periods.all())


def sync(calendar):
    outcome = external_calendar_sync(calendar_id=calendar.pk)
    calendar.refresh_from_db()
    return outcome


@pytest.mark.parametrize(
    "feed, expected",
    [
        (
            feeds.AIRBNB,
            [
                ("1418fb94e984-2c5d08ea3a5d3b3c0f2a4c0f1d1e@airbnb.com", 10, 14),
                ("1418fb94e984-7a1f0c2b9d3e4f5a6b7c8d9e0f1a@airbnb.com", 20, 25),
            ],
        ),
        (
            feeds.BOOKING_COM,
            [("3f9a8b7c6d5e4f30@booking.com", 30, 33), ("3f9a8b7c6d5e4f31@booking.com", 40, 47)],
        ),
        (feeds.VRBO, [("15791203-1bd3-4b8e-9b2b-4c8f1e0a9d55@vrbo.com", 50, 57)]),
    ],
)
def test_platform_feeds(calendar_for, httpserver, feed, expected):
    serve(httpserver, feeds.render(feed))
    calendar = calendar_for()

    outcome = sync(calendar)

    assert outcome.ok, outcome.error
    assert nights(calendar) == sorted((uid, d(a), d(b)) for uid, a, b in expected)
    assert all(p.period_type == PeriodType.EXTERNAL_BLOCKED for p in calendar.periods.all())
    assert (
        calendar.error == ""
        and calendar.last_synced is not None
        and calendar.updated_at is not None
    )
    assert httpserver.log[0][0].headers["User-Agent"].startswith("HolidayparkAPI/")


def test_timezones_offsets_and_durations(calendar_for, httpserver):
    serve(httpserver, feeds.render(feeds.TIMEZONES))
    calendar = calendar_for()  # the park is in Europe/Amsterdam

    sync(calendar)

    assert nights(calendar) == [
        ("tz-1@example.com", d(11), d(12)),  # 23:00 New York is 05:00 the next day here
        ("tz-2@example.com", d(21), d(22)),  # floating times are in X-WR-TIMEZONE
        ("tz-3@example.com", d(30), d(32)),
    ]


def test_time_offset_shifts_times_before_dates_are_taken(calendar_for, httpserver):
    serve(httpserver, feeds.render(feeds.TIMEZONES))
    calendar = calendar_for(time_offset=-6 * 60)

    sync(calendar)

    assert dict((uid, start) for uid, start, _ in nights(calendar))["tz-1@example.com"] == d(10)


def test_recurring_events_are_expanded(calendar_for, httpserver):
    serve(httpserver, feeds.render(feeds.RECURRING))
    calendar = calendar_for()

    sync(calendar)

    assert [(start, end) for _, start, end in nights(calendar)] == [
        (d(7), d(8)),
        (d(21), d(22)),
        (d(28), d(29)),
    ]


def test_resync_is_idempotent_and_follows_changes(calendar_for, httpserver):
    serve(httpserver, feeds.render(feeds.AIRBNB))
    calendar = calendar_for()
    sync(calendar)
    first = {p.ical_uid: (p.pk, p.updated_at) for p in calendar.periods.all()}
    first_updated = calendar.updated_at

    httpserver.clear()
    serve(httpserver, feeds.render(feeds.AIRBNB))
    sync(calendar)
    assert {p.ical_uid: (p.pk, p.updated_at) for p in calendar.periods.all()} == first
    assert calendar.updated_at == first_updated  # no new events

    changed = feeds.AIRBNB.replace("DTEND;VALUE=DATE:{d14}", "DTEND;VALUE=DATE:{d15}")
    changed = changed.replace(
        "UID:1418fb94e984-7a1f0c2b9d3e4f5a6b7c8d9e0f1a@airbnb.com", "UID:gone-and-new@airbnb.com"
    )
    httpserver.clear()
    serve(httpserver, feeds.render(changed))
    outcome = sync(calendar)

    assert (outcome.created, outcome.moved, outcome.removed) == (1, 1, 1)
    assert nights(calendar) == [
        ("1418fb94e984-2c5d08ea3a5d3b3c0f2a4c0f1d1e@airbnb.com", d(10), d(15)),
        ("gone-and-new@airbnb.com", d(20), d(25)),
    ]


def test_conditional_get(calendar_for, httpserver):
    httpserver.expect_request("/feed.ics").respond_with_data(
        feeds.render(feeds.BOOKING_COM), content_type="text/calendar", headers={"ETag": '"v1"'}
    )
    calendar = calendar_for()
    sync(calendar)
    httpserver.clear()
    httpserver.expect_request("/feed.ics", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )

    outcome = sync(calendar)

    assert outcome.ok and outcome.not_modified
    assert len(nights(calendar)) == 2


@pytest.mark.parametrize(
    "respond, message",
    [
        (
            lambda s: s.expect_request("/feed.ics").respond_with_data(
                feeds.HTML_PAGE, content_type="text/html"
            ),
            "did not return an iCalendar feed",
        ),
        (lambda s: s.expect_request("/feed.ics").respond_with_data("nope", status=404), "HTTP 404"),
        (lambda s: s.expect_request("/feed.ics").respond_with_data("down", status=503), "HTTP 503"),
        (
            lambda s: s.expect_request("/feed.ics").respond_with_data(
                feeds.render(feeds.TRUNCATED)
            ),
            "truncated",
        ),
        (
            lambda s: s.expect_request("/feed.ics").respond_with_data(
                b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VCALENDAR\r\n"
            ),
            "could not",
        ),
    ],
)
def test_bad_answers_keep_every_period(calendar_for, httpserver, respond, message):
    serve(httpserver, feeds.render(feeds.AIRBNB))
    calendar = calendar_for()
    sync(calendar)
    before, synced = nights(calendar), calendar.last_synced
    httpserver.clear()
    respond(httpserver)

    outcome = sync(calendar)

    assert not outcome.ok
    assert message in calendar.error
    assert nights(calendar) == before
    assert calendar.last_synced == synced and calendar.last_sync_attempt_at > synced


@override_settings(ICAL_FETCH_TIMEOUT_SECONDS=0.5)
def test_a_slow_feed_times_out(calendar_for, httpserver):
    def slow(request):
        time.sleep(1.5)
        return Response(feeds.render(feeds.AIRBNB))

    httpserver.expect_request("/feed.ics").respond_with_handler(slow)
    calendar = calendar_for()

    sync(calendar)

    assert "No answer within 0.5 seconds" in calendar.error
    assert nights(calendar) == []


@override_settings(ICAL_MAX_BYTES=2000)
def test_an_oversized_feed_is_refused(calendar_for, httpserver):
    events = "".join(
        f"BEGIN:VEVENT\nUID:big-{i}@example.com\nDTSTART;VALUE=DATE:{{d{10 + i}}}\nDTEND;VALUE=DATE:{{d{11 + i}}}\nEND:VEVENT\n"
        for i in range(100)
    )
    serve(httpserver, feeds.render(f"BEGIN:VCALENDAR\nVERSION:2.0\n{events}END:VCALENDAR\n"))
    calendar = calendar_for()

    sync(calendar)

    assert "larger than" in calendar.error


def test_redirects_are_followed_up_to_three(calendar_for, httpserver):
    for hop in range(3):
        httpserver.expect_request(f"/hop{hop}").respond_with_response(
            Response(status=302, headers={"Location": f"/hop{hop + 1}"})
        )
    serve(httpserver, feeds.render(feeds.BOOKING_COM), path="/hop3")
    ok = calendar_for(path="/hop0")
    sync(ok)
    httpserver.expect_request("/loop").respond_with_response(
        Response(status=302, headers={"Location": "/loop"})
    )
    looping = ExternalCalendar.objects.create(
        administration=ok.administration,
        rentable=RentableFactory(category=ok.rentable.category),
        ical_url=httpserver.url_for("/loop"),
    )

    sync(looping)

    assert len(nights(ok)) == 2 and ok.error == ""
    assert "More than 3 redirects" in looping.error


def test_a_clash_with_a_booking_here_is_recorded_not_forced(calendar_for, httpserver, rentable):
    booked = AgendaPeriodFactory(
        rentable=rentable, period_type=PeriodType.RESERVATION, start_date=d(12), end_date=d(16)
    )
    serve(httpserver, feeds.render(feeds.AIRBNB))
    calendar = calendar_for()

    outcome = sync(calendar)

    assert outcome.ok
    assert [c["uid"] for c in calendar.conflicts] == [
        "1418fb94e984-2c5d08ea3a5d3b3c0f2a4c0f1d1e@airbnb.com"
    ]
    assert f"agenda period {booked.pk}" in calendar.conflicts[0]["detail"]
    booked.refresh_from_db()
    assert (booked.start_date, booked.end_date, booked.blocking) == (d(12), d(16), True)
    assert [uid for uid, _, _ in nights(calendar)] == [
        "1418fb94e984-7a1f0c2b9d3e4f5a6b7c8d9e0f1a@airbnb.com"
    ]


def test_private_addresses_are_refused(calendar_for, httpserver):
    calendar = calendar_for()  # the test server listens on loopback

    with override_settings(
        OUTBOUND_ALLOW_PRIVATE_NETWORKS=False, OUTBOUND_ALLOWED_PORTS=[httpserver.port]
    ):
        sync(calendar)

    assert "private or reserved address" in calendar.error


def test_one_sync_at_a_time_per_calendar(calendar_for, httpserver):
    serve(httpserver, feeds.render(feeds.AIRBNB))
    calendar = calendar_for()
    ExternalCalendar.objects.filter(pk=calendar.pk).update(
        sync_lease_until=timezone.now() + dt.timedelta(minutes=5)
    )

    assert external_calendar_sync(calendar_id=calendar.pk) is None
    assert httpserver.log == []


def test_the_beat_task_syncs_due_calendars_only(calendar_for, httpserver):
    serve(httpserver, feeds.render(feeds.AIRBNB))
    due = calendar_for(next_sync_at=timezone.now() - dt.timedelta(minutes=1))
    later = calendar_for(next_sync_at=timezone.now() + dt.timedelta(minutes=10))
    inactive = calendar_for(next_sync_at=timezone.now() - dt.timedelta(minutes=1), active=False)

    assert calendars_sync_due() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    inactive.refresh_from_db()  # noqa: E702
    assert (
        due.last_synced is not None and later.last_synced is None and inactive.last_synced is None
    )
    assert due.next_sync_at > timezone.now() + dt.timedelta(minutes=14)


def test_imported_periods_leave_with_their_calendar(calendar_for, httpserver):
    serve(httpserver, feeds.render(feeds.AIRBNB))
    calendar = calendar_for()
    sync(calendar)

    calendar.delete()

    assert not AgendaPeriod.objects.exists()
