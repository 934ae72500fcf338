"""Demo guests and a season of bookings in the states of the lifecycle, for ``seed_demo``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from apps.administrations.models import Administration
from apps.agenda_periods.models import AgendaPeriod
from apps.bookings.models import Booking, State
from apps.bookings.services.bookings import booking_create, booking_transition
from apps.customers.models import Customer, Label
from apps.customers.services import customer_create

GUESTS = [
    ("ms", "Sanne", "Bakker", "sanne.bakker@example.nl", "NL", "nl", "Utrecht"),
    ("mr", "Jonas", "Müller", "jonas.mueller@example.de", "DE", "de", "Köln"),
    ("family", "Claes", "Peeters", "peeters@example.be", "BE", "nl-BE", "Gent"),
    ("ms", "Emma", "Thompson", "emma.t@example.co.uk", "GB", "en", "York"),
    ("mr", "Lukas", "Novák", "lukas.novak@example.cz", "CZ", "cs", "Brno"),
    ("ms", "Léa", "Dubois", "lea.dubois@example.fr", "FR", "fr", "Lille"),
]

# (state, rentable index, arrival offset, nights, guests)
SEASON = [
    (State.CONFIRMED, 6, 5, 7, 3), (State.CONFIRMED, 7, 12, 4, 2), (State.OPTION, 8, 14, 7, 4),
    (State.CONCEPT, 9, 20, 3, 2), (State.CONFIRMED, 10, 25, 10, 5), (State.CANCELLED, 11, 30, 7, 2),
    (State.IMPORTED, 12, 8, 5, 2), (State.CONFIRMED, 13, 40, 14, 6), (State.OPTION, 14, 45, 7, 3),
    (State.CONFIRMED, 15, 60, 7, 4), (State.CANCELLED, 16, 70, 3, 2), (State.CONFIRMED, 17, 80, 7, 2),
]  # fmt: skip


def seed_guests(administration: Administration) -> list[Customer]:
    vip, _ = Label.objects.get_or_create(
        administration=administration, name="VIP", defaults={"color": "#e91e63"}
    )
    Label.objects.get_or_create(
        administration=administration, name="Returning guest", defaults={"color": "#3f51b5"}
    )
    guests = []
    for title, first, last, email, country, locale, city in GUESTS:
        customer = Customer.objects.filter(administration=administration, email=email).first()
        if customer is None:
            customer = customer_create(
                administration=administration,
                title=title,
                first_name=first,
                last_name=last,
                email=email,
                country_code=country,
                locale=locale,
                city=city,
                receive_newsletter=country in {"NL", "BE"},
            )
        guests.append(customer)
    guests[0].labels.add(vip)
    return guests


def seed_bookings(administration: Administration) -> None:
    """Idempotent: each demo booking is keyed by its reference number."""
    guests = seed_guests(administration)
    rentables = list(administration.rentables.filter(active=True).order_by("pk"))
    today = timezone.localdate()
    for index, (state, rentable_index, offset, nights, people) in enumerate(SEASON):
        reference = f"DEMO-{index + 1:03d}"
        if Booking.objects.filter(administration=administration, reference_nr=reference).exists():
            continue
        rentable = rentables[rentable_index % len(rentables)]
        capacity = rentable.effective_max_number_of_people or people
        arrival = today + dt.timedelta(days=offset)
        stay = {
            "rentable": rentable,
            "arrival_date": arrival,
            "departure_date": arrival + dt.timedelta(days=nights),
            "adults": min(2, capacity),
            "children": max(0, min(people, capacity) - 2),
            "rent_price": Decimal(95 + 15 * capacity) * nights,
        }
        if AgendaPeriod.objects.filter(
            rentable=rentable,
            blocking=True,
            start_date__lt=stay["departure_date"],
            end_date__gt=arrival,
        ).exists():
            continue  # an earlier run's season still holds these nights
        initial = (
            state if state in {State.CONCEPT, State.OPTION, State.CONFIRMED} else State.CONFIRMED
        )
        booking = booking_create(
            administration=administration,
            customer=guests[index % len(guests)],
            state=initial,
            reservations=[stay],
            reference_nr=reference,
            locale=guests[index % len(guests)].locale or "en",
            option_validity=5 if initial == State.OPTION else None,
        )
        if state == State.CANCELLED:
            booking_transition(
                booking=booking, state=State.CANCELLED, cancel_reason="Plans changed"
            )
        elif state == State.IMPORTED:
            Booking.objects.filter(pk=booking.pk).update(state=State.IMPORTED)
            booking.reservations.update(state=State.IMPORTED)
