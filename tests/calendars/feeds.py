"""Feeds shaped like the platforms' (written from their public descriptions), dated from
today so they never go stale. ``{d10}`` is today + 10 days as YYYYMMDD."""

import datetime as dt
import re


def render(template: str, today: dt.date | None = None) -> bytes:
    today = today or dt.date.today()

    def day(match):
        return (today + dt.timedelta(days=int(match.group(1)))).strftime("%Y%m%d")

    text = re.sub(r"\{d(-?\d+)\}", day, template)
    return text.replace("\n", "\r\n").encode()


AIRBNB = """BEGIN:VCALENDAR
PRODID;X-RICAL-TZSOURCE=TZINFO:-//Airbnb Inc//Hosting Calendar 0.8.8//EN
CALSCALE:GREGORIAN
VERSION:2.0
BEGIN:VEVENT
DTEND;VALUE=DATE:{d14}
DTSTART;VALUE=DATE:{d10}
UID:1418fb94e984-2c5d08ea3a5d3b3c0f2a4c0f1d1e@airbnb.com
DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/de
 tails/HMABCDEF12\\nPhone Number (Last 4 Digits): 1234
SUMMARY:Reserved
END:VEVENT
BEGIN:VEVENT
DTEND;VALUE=DATE:{d25}
DTSTART;VALUE=DATE:{d20}
UID:1418fb94e984-7a1f0c2b9d3e4f5a6b7c8d9e0f1a@airbnb.com
SUMMARY:Airbnb (Not available)
END:VEVENT
BEGIN:VEVENT
DTEND;VALUE=DATE:{d-3}
DTSTART;VALUE=DATE:{d-8}
UID:1418fb94e984-past0000000000000000000000@airbnb.com
SUMMARY:Reserved
END:VEVENT
END:VCALENDAR
"""

BOOKING_COM = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Booking.com//NONSGML Booking.com Calendar//EN
CALSCALE:GREGORIAN
METHOD:PUBLISH
BEGIN:VEVENT
UID:3f9a8b7c6d5e4f30@booking.com
DTSTAMP:20261125T100000Z
DTSTART;VALUE=DATE:{d30}
DTEND;VALUE=DATE:{d33}
SUMMARY:CLOSED - Not available
END:VEVENT
BEGIN:VEVENT
UID:3f9a8b7c6d5e4f31@booking.com
DTSTAMP:20261125T100000Z
DTSTART;VALUE=DATE:{d40}
DTEND;VALUE=DATE:{d47}
SUMMARY:CLOSED - Not available
STATUS:CONFIRMED
END:VEVENT
END:VCALENDAR
"""

VRBO = """BEGIN:VCALENDAR
PRODID:-//HomeAway.com\\, Inc.//HomeAway Calendar//EN
VERSION:2.0
CALSCALE:GREGORIAN
BEGIN:VEVENT
UID:15791203-1bd3-4b8e-9b2b-4c8f1e0a9d55@vrbo.com
DTSTAMP:20261125T083012Z
DTSTART;VALUE=DATE:{d50}
DTEND;VALUE=DATE:{d57}
SUMMARY:Reserved - Jan Janssen
END:VEVENT
BEGIN:VEVENT
UID:cc8a4e2d-0f13-4c61-8a57-3f2d9f0b7e11@vrbo.com
DTSTAMP:20261125T083012Z
DTSTART;VALUE=DATE:{d60}
DTEND;VALUE=DATE:{d62}
SUMMARY:Blocked
STATUS:CANCELLED
END:VEVENT
END:VCALENDAR
"""

TIMEZONES = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example channel manager//EN
X-WR-TIMEZONE:America/New_York
BEGIN:VEVENT
UID:tz-1@example.com
DTSTART;TZID=America/New_York:{d10}T230000
DTEND;TZID=America/New_York:{d12}T090000
SUMMARY:Late arrival from New York
END:VEVENT
BEGIN:VEVENT
UID:tz-2@example.com
DTSTART:{d20}T220000
DTEND:{d22}T080000
SUMMARY:Floating times in the calendar's zone
END:VEVENT
BEGIN:VEVENT
UID:tz-3@example.com
DTSTART:{d30}T120000Z
DURATION:P2D
SUMMARY:UTC with a duration
END:VEVENT
END:VCALENDAR
"""

RECURRING = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//EN
BEGIN:VEVENT
UID:weekly-cleaning@example.com
DTSTART;VALUE=DATE:{d7}
DTEND;VALUE=DATE:{d8}
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;VALUE=DATE:{d14}
SUMMARY:Weekly deep clean
END:VEVENT
END:VCALENDAR
"""

HTML_PAGE = (
    """<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please log in</body></html>"""
)

TRUNCATED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//EN
BEGIN:VEVENT
UID:cut@example.com
DTSTART;VALUE=DATE:{d10}
DTEND;VALUE=DA"""
