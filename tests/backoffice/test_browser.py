"""One real browser: headless Chromium signs in as the demo park staff and reads the calendar.

Without Chromium the test skips and says why; with BROWSER_TESTS_REQUIRED=1 (set by .ci/run)
a missing browser fails instead, so CI cannot pass without having run it.
"""

import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.administrations.models import Administration
from apps.administrations.seed_users import DEMO_PASSWORD, DEMO_USERNAME
from apps.bookings.models import Booking

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_BROWSER = "no Chromium on this machine: apt-get install chromium to run the browser test"


def _need_chromium() -> None:
    if CHROMIUM:
        return
    if os.environ.get("BROWSER_TESTS_REQUIRED") == "1":
        pytest.fail(f"BROWSER_TESTS_REQUIRED=1 but {NO_BROWSER}")
    pytest.skip(NO_BROWSER)


@pytest.mark.django_db(transaction=True)
def test_demo_staff_sign_in_and_read_the_occupancy_calendar_in_headless_chromium(live_server):
    _need_chromium()
    from playwright.sync_api import sync_playwright

    # given: the demo park and its demo sign-in (all database work before the browser runs)
    call_command("seed_demo", stdout=StringIO())
    administration = Administration.objects.get(name__startswith="Demo")
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
        page.fill("#id_username", DEMO_USERNAME)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        index_text = page.text_content("#content-main")
        model_links = page.locator("#content-main a[href$='/booking/']").count()
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

    # then: the index lists the park's models, and the calendar draws its bookings
    assert "permission to view or edit anything" not in index_text
    for model in ("Bookings", "Rentables", "Agenda periods", "Customers"):
        assert model in index_text
    assert model_links >= 1
    assert arrival.strftime("%B %Y") in title
    assert rows == administration.rentables.count()
    assert reservation_bars >= expected_bars >= 1
    assert all_bars >= reservation_bars
    assert first_link.startswith("/admin/bookings/booking/")
    assert (ARTIFACTS / "occupancy.png").stat().st_size > 10_000
