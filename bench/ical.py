"""iCal import and export at size.

- Import a 10,000-event feed served by a local HTTP server: the first sync (bulk path), then a
  re-sync with 1% of the events moved; time and queries of each, and their ratio to the bare
  parse of the same feed (the ceiling: no database at all). The goal for the first sync is
  at most 3× the bare parse.
- Export a rentable with 5,000 periods: time and queries of one feed request.

Usage: python bench/ical.py [--events 10000] [--export 5000] [--profile]
(BENCH_DATABASE_URL picks the DB; --profile prints the first sync's top cProfile lines)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FEED: dict[str, bytes] = {}


class FeedServer(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = FEED["body"]
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def make_feed(count: int, moved_every: int | None = None) -> bytes:
    today = dt.date.today()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for i in range(count):
        start = today + dt.timedelta(days=1 + i * 2)
        shift = 1 if moved_every and i % moved_every == 0 else 0
        end = start + dt.timedelta(days=1 + shift)
        lines += [  # compact (≈ 95 bytes an event): 50,000 events stay under the 5 MB cap
            "BEGIN:VEVENT",
            f"UID:b{i}@x",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(fn):
    """Result, seconds and number of SQL statements (counted, not logged: there are many)."""
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, elapsed, count[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--export", type=int, default=5_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from bench.harness import setup_django

    database = setup_django()
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from apps.administrations.models import Administration
    from apps.agenda_periods.models import AgendaPeriod, PeriodType
    from apps.calendars.models import ExternalCalendar
    from apps.calendars.services.feeds import parse_feed
    from apps.calendars.services.sync import external_calendar_sync
    from apps.rentables.models import Category, Rentable

    settings.AGENDA_HORIZON_DAYS = args.events * 2 + 30  # the bench feed reaches far ahead
    settings.ICAL_MAX_EVENTS = max(settings.ICAL_MAX_EVENTS, args.events)
    administration = Administration.objects.create(name="iCal bench", available_locales=["en"])
    category = Category.objects.create(administration=administration, name={"en": "Chalet"})
    rentable = Rentable.objects.create(
        administration=administration, category=category, name="Imported"
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    calendar = ExternalCalendar.objects.create(
        administration=administration,
        rentable=rentable,
        ical_url=f"http://127.0.0.1:{server.server_port}/feed.ics",
    )

    today = timezone.localdate()

    def bare_parse():
        return parse_feed(
            FEED["body"],
            park_tz="Europe/Amsterdam",
            time_offset=0,
            today=today,
            horizon=today + dt.timedelta(days=settings.AGENDA_HORIZON_DAYS),
            max_events=settings.ICAL_MAX_EVENTS,
        )

    FEED["body"] = make_feed(args.events)
    _, first_parse_s, _ = timed(bare_parse)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    first, first_s, first_q = timed(lambda: external_calendar_sync(calendar_id=calendar.pk))
    first_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
    FEED["body"] = make_feed(args.events, moved_every=100)
    _, parse_s, _ = timed(bare_parse)
    second, second_s, second_q = timed(lambda: external_calendar_sync(calendar_id=calendar.pk))
    server.shutdown()

    exporter = Rentable.objects.create(
        administration=administration, category=category, name="Exported"
    )
    AgendaPeriod.objects.bulk_create(
        AgendaPeriod(
            administration=administration,
            rentable=exporter,
            period_type=PeriodType.MAINTENANCE,
            start_date=today + dt.timedelta(days=i * 2),
            end_date=today + dt.timedelta(days=i * 2 + 1),
            ical_uid=f"export-{i}@bench",
        )
        for i in range(args.export)
    )
    client = Client()
    response, export_s, export_q = timed(
        lambda: client.get(f"/ical/{exporter.ical_export_token}.ics")
    )

    print(
        f"database: {database.split(':')[0]}; feed of {args.events} events ({len(FEED['body']) // 1024} KB)"
    )
    print(
        f"first sync:  {first_s:7.2f} s, {first_q} queries, {first.created} periods created, "
        f"ok={first.ok} {first.error}"
    )
    print(f"bare parse:  {first_parse_s:7.2f} s (no database, the first feed)")
    print(f"peak RSS after the first sync: {first_rss // 1024} MB")
    print(f"ratio first sync / bare parse: {first_s / first_parse_s:.2f} (goal ≤ 3)")
    print(
        f"re-sync 1%:  {second_s:7.2f} s, {second_q} queries, {second.moved} moved, {second.created} created"
    )
    print(f"bare parse:  {parse_s:7.2f} s (no database, the moved feed)")
    print(f"ratio re-sync / bare parse: {second_s / parse_s:.2f}")
    print(
        f"export of {args.export} periods: {export_s * 1000:7.1f} ms, {export_q} queries, "
        f"{len(response.content) // 1024} KB, status {response.status_code}"
    )


if __name__ == "__main__":
    main()
