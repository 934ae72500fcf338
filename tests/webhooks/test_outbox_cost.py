"""The outbox's share of a write: endpoints read once, rows written in bulk, sequences intact."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.bookings.services.bookings import booking_create
from apps.webhooks import services
from apps.webhooks.models import WebhookDelivery
from tests.rentables.factories import RentableFactory

pytestmark = pytest.mark.django_db


def test_a_write_reads_endpoints_once_and_numbers_each_endpoint_gap_free(administration):
    rentable = RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )
    endpoints = [
        services.endpoint_create(
            administration=administration,
            application_id=None,
            url=f"https://hooks{i}.example.com/in",
            events=["*"],
        )
        for i in range(3)
    ]
    arrival = dt.date.today() + dt.timedelta(days=5)

    def book(days):
        booking_create(
            administration=administration,
            reservations=[
                {
                    "rentable": rentable,
                    "arrival_date": arrival + dt.timedelta(days=days),
                    "departure_date": arrival + dt.timedelta(days=days + 2),
                    "adults": 2,
                }
            ],
        )

    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        book(0)
    book(10)

    sql = [query["sql"] for query in captured.captured_queries]
    endpoint_reads = [q for q in sql if q.startswith("SELECT") and "webhooks_webhookendpoint" in q]
    delivery_inserts = [q for q in sql if q.startswith("INSERT") and "webhookdelivery" in q]
    assert len(endpoint_reads) == 1  # three events, one read
    assert len(delivery_inserts) == 3  # one bulk insert per event, not one per endpoint
    assert not [q for q in sql if "FOR UPDATE" in q and "webhooks_" in q]
    for endpoint in endpoints:
        sequences = list(
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .order_by("event__occurred_at", "pk")
            .values_list("sequence", flat=True)
        )
        assert sequences == [1, 2, 3, 4, 5, 6]


def test_an_endpoint_made_in_the_same_transaction_receives_what_follows(administration):
    rentable = RentableFactory(
        category__administration=administration, category__max_number_of_people=4
    )
    arrival = dt.date.today() + dt.timedelta(days=5)
    with transaction.atomic():
        assert services.listened(administration, "booking.created") is False  # cached: none
        services.endpoint_create(
            administration=administration,
            application_id=None,
            url="https://hooks.example.com/in",
            events=["booking.created"],
        )
        booking_create(
            administration=administration,
            reservations=[
                {
                    "rentable": rentable,
                    "arrival_date": arrival,
                    "departure_date": arrival + dt.timedelta(days=2),
                    "adults": 2,
                }
            ],
        )

    assert list(WebhookDelivery.objects.values_list("event__name", flat=True)) == [
        "booking.created"
    ]
