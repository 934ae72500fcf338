"""One real browser: headless Chromium signs in and reads the occupancy calendar."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.administrations.models import Administration
from apps.bookings.models import Booking
from tests.factories import UserFactory

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.django_db(transaction=True)
def test_occupancy_calendar_in_headless_chromium(live_server):
    assert CHROMIUM, "Chromium is needed for this test: apt-get install chromium (.ci/run does)"
    from playwright.sync_api import sync_playwright

    # given: the demo park and a signed-up manager (all database work before the browser runs)
    call_command("seed_demo", stdout=StringIO())
    administration = Administration.objects.get(name__startswith="Demo")
    UserFactory(username="frontdesk", is_staff=True, is_superuser=True)
    booking = Booking.objects.filter(state="confirmed").order_by("pk").first()
    arrival = booking.reservations.first().arrival_date
    month = arrival.strftime("%Y-%m")
    expected_bars = sum(
        1
        for b in Booking.objects.filter(
            reservations__arrival_date__year=arrival.year,
            reservations__arrival_date__month=arrival.month,
        ).exclude(state="cancelled")
    )
    url = f"{live_server.url}/admin/agenda_periods/agendaperiod/occupancy/?administration={administration.pk}&month={month}"
    ARTIFACTS.mkdir(exist_ok=True)

    # when: a person signs in and opens the calendar
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", "frontdesk")
        page.fill("#id_password", "correct horse battery")
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        page.goto(url)
        title = page.text_content("#occupancy thead th.rentable")
        reservation_bars = page.locator(
            "#occupancy a.period[data-kind=reservation], #occupancy a.period[data-kind=option]"
        ).count()
        all_bars = page.locator("#occupancy a.period").count()
        rows = page.locator("#occupancy tbody tr").count()
        first_link = page.locator("#occupancy a.period[data-kind=reservation]").first.get_attribute(
            "href"
        )
        page.screenshot(path=str(ARTIFACTS / "occupancy.png"), full_page=True)
        browser.close()

    # then
    assert arrival.strftime("%B %Y") in title
    assert rows == administration.rentables.count()
    assert reservation_bars >= expected_bars >= 1
    assert all_bars >= reservation_bars
    assert first_link.startswith("/admin/bookings/booking/")
    assert (ARTIFACTS / "occupancy.png").stat().st_size > 10_000
