"""A park with a few of every resource, each row pointing at different related rows, so that a
list rendered one per related row (an N+1) costs more queries on a bigger page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agreements.models import Agreement, Owner
from apps.bookings.models import Booking, Reservation
from apps.calendars.models import ExternalCalendar
from apps.customers.models import Label
from apps.rates.models import Rate
from apps.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from tests.factories import CustomerFactory
from tests.rentables.factories import (
    AdministrationAmenityFactory,
    AmenityFactory,
    AmenityOptionFactory,
    CategoryFactory,
)

ROWS = 3
TODAY = dt.date.today()


def populate(administration) -> None:
    """``ROWS`` rows of every type in ``administration``, plus the amenities catalogue."""
    amenities = [AmenityFactory() for _ in range(ROWS)]
    for amenity in amenities:
        AmenityOptionFactory(amenity=amenity)
        AdministrationAmenityFactory(administration=administration, amenity=amenity)
    categories = []
    for i in range(ROWS):
        category = CategoryFactory(administration=administration, max_number_of_people=2 + i)
        category.optional_amenities.set([amenities[i]])
        categories.append(category)
    for i, category in enumerate(categories):
        Rate.objects.create(
            administration=administration,
            category=category,
            start_date=TODAY,
            end_date=TODAY + dt.timedelta(days=90),
            price_per_night=Decimal(80 + i),
            minimum_number_of_nights=None if i else 7,
        )
    rentables = []
    for i, category in enumerate(categories):
        rentables.append(
            category.rentables.create(
                administration=administration,
                name=f"Unit {i}",
                reference=f"U{i}",
                # the first has its own capacity; the others fall back to their category's
                max_number_of_people=6 if i == 0 else None,
            )
        )
    labels = [
        Label.objects.create(administration=administration, name=f"Label {i}") for i in range(ROWS)
    ]
    owners = []
    for i, rentable in enumerate(rentables):
        owner = Owner.objects.create(administration=administration, name=f"Owner {i}")
        Agreement.objects.create(
            administration=administration,
            owner=owner,
            rentable=rentable,
            active_from=TODAY - dt.timedelta(days=30),
        )
        owners.append(owner)
    for i, rentable in enumerate(rentables):
        customer = CustomerFactory(administration=administration)
        customer.labels.set([labels[i]])
        booking = Booking.objects.create(
            administration=administration,
            customer=customer,
            owner=owners[i],
            booking_nr=f"T{i:05d}",
            token=f"token-{administration.pk}-{i}",
            state="confirmed",
            currency=administration.currency,
            total=Decimal("100.00"),
            rent_total=Decimal("90.00"),
        )
        for n in range(2):
            arrival = TODAY + dt.timedelta(days=20 + 10 * n)
            period = AgendaPeriod.objects.create(
                administration=administration,
                rentable=rentables[(i + n) % ROWS],
                period_type=PeriodType.RESERVATION,
                start_date=arrival,
                end_date=arrival + dt.timedelta(days=3),
            )
            Reservation.objects.create(
                administration=administration,
                booking=booking,
                rentable=period.rentable,
                category=period.rentable.category,
                agenda_period=period,
                arrival_date=period.start_date,
                departure_date=period.end_date,
                state="confirmed",
            )
        for k, period_type in enumerate(
            (PeriodType.MAINTENANCE, PeriodType.OWNER_MAINTENANCE, PeriodType.EXTERNAL_BLOCKED)
        ):
            start = TODAY + dt.timedelta(days=60 + 5 * k)
            AgendaPeriod.objects.create(
                administration=administration,
                rentable=rentable,
                period_type=period_type,
                start_date=start,
                end_date=start + dt.timedelta(days=2),
            )
        ExternalCalendar.objects.create(
            administration=administration,
            rentable=rentable,
            name=f"Feed {i}",
            ical_url=f"https://example.com/feed-{i}.ics",
        )
    for i in range(ROWS):
        endpoint = WebhookEndpoint.objects.create(
            administration=administration,
            url=f"https://example.com/hook-{i}",
            secret=f"secret-{i}",
            events=["*"],
        )
        event = Event.objects.create(
            administration=administration,
            name="booking.created",
            occurred_at=dt.datetime.now(dt.UTC),
            document="{}",
        )
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, sequence=1)


def extra_query(basename: str) -> str:
    """Filters a collection needs before it answers."""
    arrival = TODAY + dt.timedelta(days=20)
    return {
        "availability": (
            f"filter[arrival_date]={arrival}"
            f"&filter[departure_date]={arrival + dt.timedelta(days=3)}"
        ),
        # from the first night of the reservations on: every cell of the page has a period
        "calendar_day": f"filter[date]={arrival}..{arrival + dt.timedelta(days=1)}",
    }.get(basename, "")


def include_paths(serializer_class, depth: int = 2) -> list[str]:
    """Every include path of up to ``depth`` relationships from a resource."""
    paths = []

    def walk(current, prefix, level):
        if level == depth:
            return
        included = getattr(current, "included_serializers", None) or {}
        for name, child in included.items():
            path = f"{prefix}{name}"
            paths.append(path)
            walk(child, f"{path}.", level + 1)

    walk(serializer_class, "", 0)
    return paths


def list_routes(administration):
    """(basename, collection path, serializer class) of every /v3 collection."""
    from config.api_router import router

    for prefix, viewset, basename in router.registry:
        if "list" not in {m for m in ("list",) if hasattr(viewset, "list")}:
            continue
        path = "/v3/" + prefix.replace("(?P<administration_id>[^/]+)", str(administration.pk))
        yield basename, path, viewset.serializer_class
