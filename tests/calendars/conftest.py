import pytest

from apps.calendars.models import ExternalCalendar
from tests.rentables.factories import RentableFactory


@pytest.fixture
def rentable(administration):
    return RentableFactory(category__administration=administration)


@pytest.fixture
def calendar_for(administration, rentable, httpserver):
    """An external calendar of ``rentable`` reading ``path`` on the test's HTTP server."""

    def make(path="/feed.ics", **extra):
        return ExternalCalendar.objects.create(
            administration=administration,
            rentable=rentable,
            name="Airbnb",
            ical_url=httpserver.url_for(path),
            **extra,
        )

    return make
