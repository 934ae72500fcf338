"""Feeds written to hurt: recurrence bombs, endless rules, huge feeds, conflict storms, syncs
that run long. Every feed comes from a real local HTTP server."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from werkzeug import Response

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.calendars import tasks
from apps.calendars.models import ExternalCalendar
from apps.calendars.services import sync as sync_service
from apps.calendars.services.sync import external_calendar_sync
from apps.webhooks.models import Event
from apps.webhooks.outbox import relay
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.calendars import feeds
from tests.calendars.test_sync import d, nights, serve, sync

pytestmark = pytest.mark.django_db

# 300 bytes that asked for a period every second for five years (110 s and 2.9 GB before).
SECONDLY_BOMB = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//x//EN
BEGIN:VEVENT
UID:bomb@example.com
DTSTART:{d1}T000000Z
DTEND:{d1}T000001Z
RRULE:FREQ=SECONDLY
SUMMARY:bomb
END:VEVENT
END:VCALENDAR
"""

ENDLESS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//x//EN
BEGIN:VEVENT
UID:endless@example.com
DTSTART;VALUE=DATE:{d1}
DTEND;VALUE=DATE:{d2}
RRULE:FREQ=%s
SUMMARY:Closed
END:VEVENT
END:VCALENDAR
"""


def feed_of(count, first=1, length=1, gap=2, uid="e"):
    events = "".join(
        f"BEGIN:VEVENT\nUID:{uid}-{i}@example.com\nDTSTART;VALUE=DATE:{{d{first + i * gap}}}\n"
        f"DTEND;VALUE=DATE:{{d{first + i * gap + length}}}\nSUMMARY:Reserved\nEND:VEVENT\n"
        for i in range(count)
    )
    return feeds.render(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//EN\n{events}END:VCALENDAR\n")


def resync_with(httpserver, calendar, body):
    httpserver.clear()
    serve(httpserver, body)
    return sync(calendar)


def test_a_secondly_bomb_fails_unexpanded_and_keeps_every_period(calendar_for, httpserver):
    assert len(feeds.render(SECONDLY_BOMB)) < 300
    serve(httpserver, feeds.render(feeds.AIRBNB))
    calendar = calendar_for()
    sync(calendar)
    before = nights(calendar)

    outcome = resync_with(httpserver, calendar, feeds.render(SECONDLY_BOMB))

    assert not outcome.ok
    assert "bomb@example.com repeats too often (FREQ=SECONDLY)" in calendar.error
    assert nights(calendar) == before and len(before) == 2


def test_an_endless_daily_event_is_over_the_cap(calendar_for, httpserver):
    serve(httpserver, feeds.render(feeds.AIRBNB))
    calendar = calendar_for()
    sync(calendar)
    before = nights(calendar)

    outcome = resync_with(httpserver, calendar, feeds.render(ENDLESS % "DAILY"))

    assert not outcome.ok
    assert "endless@example.com repeats more than 1000 times in the next" in calendar.error
    assert nights(calendar) == before


def test_an_endless_weekly_event_fits_the_window(calendar_for, httpserver):
    serve(httpserver, feeds.render(ENDLESS % "WEEKLY"))
    calendar = calendar_for()

    outcome = sync(calendar)

    assert outcome.ok, calendar.error
    periods = nights(calendar)
    horizon = timezone.localdate() + dt.timedelta(days=366 * 5)
    assert len(periods) == len(range(1, (horizon - timezone.localdate()).days, 7))
    assert max(end for _, _, end in periods) <= horizon


@override_settings(ICAL_MAX_EVENTS=20)
def test_a_feed_over_the_event_cap_fails(calendar_for, httpserver):
    serve(httpserver, feed_of(21))
    calendar = calendar_for()

    outcome = sync(calendar)

    assert not outcome.ok and "more than 20 events" in calendar.error
    assert nights(calendar) == []


@pytest.fixture
def conflict_events(api, administration, httpserver):
    response = api.post(
        f"/v3/administrations/{administration.pk}/webhook_endpoints",
        {
            "data": {
                "type": "webhook_endpoint",
                "attributes": {
                    "url": httpserver.url_for("/hook"),
                    "events": ["external_calendar.conflict"],
                },
            }
        },
    )
    assert response.status_code == 201, response.doc

    def events():
        relay()
        return [
            event.data["attributes"]
            for event in Event.objects.filter(name="external_calendar.conflict").order_by(
                "occurred_at"
            )
        ]

    return events


def test_one_conflict_event_per_change_of_the_conflict_set(
    calendar_for, httpserver, rentable, conflict_events
):
    booked = [
        AgendaPeriodFactory(
            rentable=rentable, period_type=PeriodType.RESERVATION, start_date=d(s), end_date=d(e)
        )
        for s, e in ((1, 2), (3, 4), (5, 6))
    ]
    serve(httpserver, feed_of(10))  # e-0 … e-9 on days 1, 3, 5, …: three clash
    calendar = calendar_for()

    sync(calendar)
    sync(calendar)  # the same conflicts again: nothing to say
    booked[0].delete()
    sync(calendar)  # e-0 goes in: one resolved

    assert len(calendar.conflicts) == 2
    first, second = conflict_events()
    assert [c["uid"] for c in first["conflicts_added"]] == [f"e-{i}@example.com" for i in range(3)]
    assert first["conflicts_resolved"] == []
    assert second == {
        "conflicts_added": [],
        "conflicts_resolved": [
            {
                "uid": "e-0@example.com",
                "start_date": d(1).isoformat(),
                "end_date": d(2).isoformat(),
                "detail": first["conflicts_added"][0]["detail"],
            }
        ],
    }


def test_a_first_sync_writes_in_bulk(calendar_for, httpserver, rentable):
    booked = AgendaPeriodFactory(
        rentable=rentable, period_type=PeriodType.RESERVATION, start_date=d(41), end_date=d(42)
    )
    overlapping = feeds.render(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:overlap@example.com\n"
        "DTSTART;VALUE=DATE:{d2}\nDTEND;VALUE=DATE:{d4}\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    body = feed_of(300).replace(b"END:VCALENDAR", overlapping.split(b"VERSION:2.0\r\n")[1])
    serve(httpserver, body)
    calendar = calendar_for()

    with CaptureQueriesContext(connection) as queries:
        outcome = sync(calendar)

    assert outcome.ok and outcome.created == 299
    # The event on the booking and the one overlapping an earlier event of the same feed are
    # conflicts, exactly as one at a time.
    assert sorted(c["uid"] for c in calendar.conflicts) == [
        "e-20@example.com",
        "overlap@example.com",
    ]
    assert (
        f"agenda period {booked.pk}"
        in calendar.conflicts[0]["detail"] + calendar.conflicts[1]["detail"]
    )
    assert len(queries) < 60  # 8 per event when created one at a time
    assert (
        AgendaPeriod.objects.filter(
            external_calendar=calendar, period_type=PeriodType.EXTERNAL_BLOCKED
        ).count()
        == 299
    )


def test_a_bulk_sync_still_emits_created_events(calendar_for, httpserver, api, administration):
    response = api.post(
        f"/v3/administrations/{administration.pk}/webhook_endpoints",
        {
            "data": {
                "type": "webhook_endpoint",
                "attributes": {
                    "url": httpserver.url_for("/hook"),
                    "events": ["agenda_period.created"],
                },
            }
        },
    )
    assert response.status_code == 201
    serve(httpserver, feed_of(5))
    calendar = calendar_for()

    sync(calendar)
    relay()

    ids = {event.data["id"] for event in Event.objects.filter(name="agenda_period.created")}
    assert ids == {str(pk) for pk in calendar.periods.values_list("pk", flat=True)}
    assert len(ids) == 5


def test_a_refused_batch_falls_back_to_one_at_a_time(calendar_for, httpserver, rentable):
    # Another feed of this rentable already imported e-3's UID (on other dates): the database
    # refuses the batch; every other event still goes in and e-3 is a conflict, not a failure.
    other = calendar_for(path="/other.ics")
    AgendaPeriodFactory(
        rentable=rentable,
        period_type=PeriodType.EXTERNAL_BLOCKED,
        start_date=d(100),
        end_date=d(101),
        ical_uid="e-3@example.com",
        external_calendar=other,
    )
    serve(httpserver, feed_of(6))
    calendar = calendar_for()

    outcome = sync(calendar)

    assert outcome.ok, calendar.error
    assert outcome.created == 5
    assert [c["uid"] for c in calendar.conflicts] == ["e-3@example.com"]


def test_the_sync_task_has_time_limits_and_the_lease_outlives_them():
    assert tasks.sync.soft_time_limit < tasks.sync.time_limit < sync_service.lease_seconds()


@pytest.mark.django_db(transaction=True)
def test_no_second_sync_while_the_first_runs(administration, rentable, httpserver):
    calendar = ExternalCalendar.objects.create(
        administration=administration, rentable=rentable, ical_url=httpserver.url_for("/feed.ics")
    )
    fetching, release = threading.Event(), threading.Event()

    def slow(request):
        fetching.set()
        release.wait(30)
        return Response(feeds.render(feeds.AIRBNB), content_type="text/calendar")

    httpserver.expect_request("/feed.ics").respond_with_handler(slow)
    outcomes = []

    def first():
        try:
            outcomes.append(external_calendar_sync(calendar_id=calendar.pk))
        finally:
            connection.close()

    with override_settings(ICAL_FETCH_TIMEOUT_SECONDS=30):
        worker = threading.Thread(target=first)
        worker.start()
        try:
            assert fetching.wait(30)
            leased = ExternalCalendar.objects.get(pk=calendar.pk).sync_lease_until
            second = external_calendar_sync(calendar_id=calendar.pk)
        finally:
            release.set()
            worker.join(60)

    assert second is None
    assert leased > timezone.now() + dt.timedelta(seconds=tasks.sync.time_limit)
    assert outcomes[0].ok and len(httpserver.log) == 1


MIXED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//x//EN
BEGIN:VEVENT
UID:single@example.com
DTSTART;VALUE=DATE:{d3}
DTEND;VALUE=DATE:{d4}
END:VEVENT
BEGIN:VEVENT
UID:series@example.com
DTSTART;VALUE=DATE:{d7}
DTEND;VALUE=DATE:{d8}
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:series@example.com
RECURRENCE-ID;VALUE=DATE:{d14}
DTSTART;VALUE=DATE:{d15}
DTEND;VALUE=DATE:{d16}
END:VEVENT
END:VCALENDAR
"""


def test_single_events_and_series_with_a_moved_occurrence(calendar_for, httpserver):
    serve(httpserver, feeds.render(MIXED))
    calendar = calendar_for()

    sync(calendar)

    assert sorted((start, end) for _, start, end in nights(calendar)) == [
        (d(3), d(4)),
        (d(7), d(8)),
        (d(15), d(16)),
        (d(21), d(22)),
    ]


def test_a_sync_stopped_by_its_soft_time_limit_changes_nothing(calendar_for, httpserver):
    # Celery's soft limit is SIGUSR1 to the worker child, whose handler raises
    # SoftTimeLimitExceeded wherever the task is; here it arrives during the bulk insert.
    import os
    import signal

    from celery.exceptions import SoftTimeLimitExceeded

    def soft_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    def signal_on_insert(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("INSERT") and "agenda_periods_agendaperiod" in sql:
            os.kill(os.getpid(), signal.SIGUSR1)
        return result

    serve(httpserver, feeds.render(feeds.AIRBNB))
    calendar = calendar_for()
    sync(calendar)
    before = nights(calendar)
    httpserver.clear()
    serve(httpserver, feed_of(5, first=100))
    previous = signal.signal(signal.SIGUSR1, soft_limit)
    try:
        with connection.execute_wrapper(signal_on_insert):
            outcome = sync(calendar)
    finally:
        signal.signal(signal.SIGUSR1, previous)

    assert not outcome.ok
    assert calendar.error == (
        "The sync took longer than 240 seconds and was stopped; nothing was changed."
    )
    assert nights(calendar) == before
