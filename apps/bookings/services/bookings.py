"""Writes of bookings and reservations: the booking flow.

Every function here is all-or-nothing (``@transaction.atomic``): a clash on any reservation
(409) or an invalid value (422) leaves no booking, customer or agenda period behind.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from apps.administrations.models import Administration
from apps.administrations.services import sequence_next
from apps.agenda_periods.models import PeriodType
from apps.agenda_periods.services import (
    agenda_period_create,
    agenda_period_update,
    period_claim,
)
from apps.bookings.models import Booking, Reservation, State
from apps.bookings.services.states import (
    EXPIRING_STATES,
    INITIAL_STATES,
    RELEASED_STATES,
    check_transition,
    hold_until,
)
from apps.core.exceptions import DomainError, InvalidTransition
from apps.core.services import model_update
from apps.customers.models import Customer
from apps.customers.services import customer_create, customer_update
from apps.rates.exceptions import StayNotPriced
from apps.rates.selectors import category_has_rates, first_unpriced_night, stay_prices
from apps.rentables.models import Rentable
from apps.stays.services import rentables_lock, stay_check
from apps.webhooks.outbox import batched
from apps.webhooks.services import before_update, emit_update, event_emit

CENT = Decimal("0.01")
RESERVATION_FIELDS = {
    "rentable", "arrival_date", "departure_date", "adults", "children", "babies", "pets",
    "rent_price", "remote_reservation_nr",
}  # fmt: skip


# -- totals -----------------------------------------------------------------------------------


def apply_discount(amount: Decimal, discount: str) -> Decimal:
    """``"10%"`` takes a percentage off, ``"25"`` an amount; never below zero."""
    if not discount:
        return amount
    if discount.endswith("%"):
        reduced = amount * (Decimal(100) - Decimal(discount[:-1])) / Decimal(100)
    else:
        reduced = amount - Decimal(discount)
    return max(reduced, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def booking_recalculate(*, booking: Booking) -> Booking:
    """Derives the rent and the total from the active reservations; checks the downpayment."""
    active = [r for r in _load_reservations(booking) if r.state not in RELEASED_STATES]
    booking.rent_total = sum((r.rent_price for r in active), Decimal(0)).quantize(CENT)
    booking.total = apply_discount(booking.rent_total, booking.discount)
    if booking.downpayment is not None:
        if booking.total <= 0:
            raise ValidationError(
                {"downpayment": "A downpayment needs a final price: the booking's total is 0."}
            )
        if booking.downpayment > booking.total:
            raise ValidationError(
                {"downpayment": f"The downpayment exceeds the total ({booking.total})."}
            )
    booking.save()
    return booking


def _load_reservations(booking: Booking) -> list[Reservation]:
    """Every stay of the booking, read now and kept as its prefetched ``reservations``, so
    the next rendering of the booking (its webhook payload as the write ends) reads none."""
    booking.__dict__.setdefault("_prefetched_objects_cache", {}).pop("reservations", None)
    prefetch_related_objects([booking], "reservations")
    return _sharing_administration(booking, list(booking.reservations.all()))


def _sharing_administration(booking: Booking, reservations: list[Reservation]) -> list:
    """The stays given the booking's administration row when it has it loaded: their events
    read it, one query per stay otherwise."""
    if Booking.administration.is_cached(booking):
        for reservation in reservations:
            if reservation.administration_id == booking.administration_id:
                Reservation.administration.field.set_cached_value(
                    reservation, booking.administration
                )
    return reservations


# -- reservations -----------------------------------------------------------------------------


def _is_guest_stay(booking: Booking) -> bool:
    """An owner's reservation is not a guest's stay: the park's stay rules do not apply."""
    return booking.owner_id is None and not booking.owner_reservation


def _check_stay(booking: Booking, rentable: Rentable, adults: int, children: int) -> None:
    if rentable.administration_id != booking.administration_id:
        raise ValidationError({"rentable": "The rentable belongs to another administration."})
    if not rentable.active:
        raise ValidationError({"rentable": f"Rentable {rentable.pk} is not active."})
    if adults < 1:
        raise ValidationError({"adults": "A stay needs at least one adult."})
    capacity = rentable.effective_max_number_of_people
    if capacity is not None and adults + children > capacity:
        raise ValidationError(
            {
                "adults": f"{adults + children} guests (adults and children) do not fit rentable "
                f"{rentable.pk}, which sleeps at most {capacity}."
            }
        )


def _list_price(category_id: int, arrival_date: dt.date, departure_date: dt.date):
    return stay_prices(
        category_ids=[category_id], arrival_date=arrival_date, departure_date=departure_date
    )[category_id]


def _computed_rent(
    category_id: int, arrival_date: dt.date, departure_date: dt.date, list_price
) -> Decimal | None:
    """The rent of a stay whose client sent none: its list price; None when the category
    keeps no rates (the rent stays as it was: 0 for a new stay). A category that keeps rates
    but lacks one for a night of the stay refuses it (``StayNotPriced``)."""
    if list_price is not None:
        return list_price
    if not category_has_rates(category_id=category_id):
        return None
    night = first_unpriced_night(
        category_id=category_id, arrival_date=arrival_date, departure_date=departure_date
    )
    raise StayNotPriced(night or arrival_date, category_id=category_id)


@transaction.atomic
@batched
def reservation_add(
    *,
    booking: Booking,
    rentable: Rentable,
    arrival_date: dt.date,
    departure_date: dt.date,
    adults: int = 1,
    children: int = 0,
    babies: int = 0,
    pets: int = 0,
    rent_price: Decimal | None = None,
    remote_reservation_nr: str = "",
    recalculate: bool = True,
) -> Reservation:
    """Adds a stay to the booking and claims its nights on the rentable's calendar (409 when
    they are taken). The period holds until the booking's hold ends (options, concepts).

    ``list_price`` is what the category's rates ask for the stay. Without a ``rent_price``
    a guest's stay is charged that price (422 when a night has no rate, unless the category
    keeps no rates at all: then the rent is 0); a given ``rent_price`` is kept as it is."""
    if booking.state in RELEASED_STATES:
        raise ValidationError({"booking": f"Booking {booking.booking_nr} is {booking.state}."})
    _check_stay(booking, rentable, adults, children)
    if _is_guest_stay(booking):
        stay_check(rentable=rentable, arrival_date=arrival_date, departure_date=departure_date)
    list_price = _list_price(rentable.category_id, arrival_date, departure_date)
    if rent_price is None and _is_guest_stay(booking):
        rent_price = _computed_rent(rentable.category_id, arrival_date, departure_date, list_price)
    if rent_price is None:
        rent_price = Decimal(0)
    period = agenda_period_create(
        administration=booking.administration,
        rentable=rentable,
        period_type=PeriodType.RESERVATION,
        start_date=arrival_date,
        end_date=departure_date,
        label=f"Booking {booking.booking_nr}",
        expires_at=booking.option_expires_at if booking.state in EXPIRING_STATES else None,
    )
    reservation = Reservation.objects.create(
        administration=booking.administration,
        booking=booking,
        rentable=rentable,
        category_id=rentable.category_id,
        agenda_period=period,
        arrival_date=arrival_date,
        departure_date=departure_date,
        adults=adults,
        children=children,
        babies=babies,
        pets=pets,
        rent_price=rent_price,
        list_price=list_price,
        state=booking.state,
        remote_reservation_nr=remote_reservation_nr,
    )
    if recalculate:
        booking_recalculate(booking=booking)
    event_emit("reservation.created", instance=reservation, administration=booking.administration)
    return reservation


@transaction.atomic
@batched
def reservation_update(*, reservation: Reservation, **changes) -> Reservation:
    """Changes a stay: new dates or another rentable re-claim the calendar (409 if taken)."""
    before = before_update(reservation, reservation.administration, "reservation.updated")
    # A rent that was the list price follows the list price when the stay moves.
    follows_list = "rent_price" not in changes and reservation.rent_price == reservation.list_price
    state = changes.pop("state", None)
    reason = changes.pop("cancel_reason", "")
    cancel_date = changes.pop("cancel_date", None)
    model_update(reservation, changes, changes, save=False)  # saved below, after the checks
    if changes:
        if reservation.state in RELEASED_STATES:
            raise ValidationError({"state": "A cancelled reservation cannot be changed."})
        _check_stay(
            reservation.booking, reservation.rentable, reservation.adults, reservation.children
        )
        reservation.category_id = reservation.rentable.category_id
        moved = {"rentable", "arrival_date", "departure_date"} & set(changes)
        if moved and _is_guest_stay(reservation.booking):
            stay_check(
                rentable=reservation.rentable,
                arrival_date=reservation.arrival_date,
                departure_date=reservation.departure_date,
                exclude_period_id=reservation.agenda_period_id,
            )
        if moved:
            _reprice(reservation, follows_list=follows_list)
        if reservation.agenda_period_id and moved:
            agenda_period_update(
                period=reservation.agenda_period,
                rentable=reservation.rentable,
                start_date=reservation.arrival_date,
                end_date=reservation.departure_date,
            )
        reservation.save()
    if state is not None and state != reservation.state:
        if state != State.CANCELLED:
            raise InvalidTransition(
                "A single reservation can only be cancelled; change the booking's state otherwise.",
                field="state",
            )
        reservation_cancel(reservation=reservation, reason=reason, cancel_date=cancel_date)
    booking_recalculate(booking=reservation.booking)
    emit_update(
        "reservation.updated",
        instance=reservation,
        administration=reservation.administration,
        before=before,
    )
    return reservation


def _reprice(reservation: Reservation, *, follows_list: bool) -> None:
    """A moved stay's new list price; its rent too when it was the list price."""
    arrival, departure = reservation.arrival_date, reservation.departure_date
    reservation.list_price = _list_price(reservation.category_id, arrival, departure)
    if follows_list and _is_guest_stay(reservation.booking):
        rent = _computed_rent(reservation.category_id, arrival, departure, reservation.list_price)
        if rent is not None:
            reservation.rent_price = rent


@transaction.atomic
@batched
def reservation_cancel(
    *, reservation: Reservation, reason: str = "", cancel_date: dt.date | None = None
) -> Reservation:
    """Frees the nights at once. Cancelling a booking's last active stay cancels the booking."""
    if reservation.state in RELEASED_STATES:
        return reservation
    _release(reservation, reason, cancel_date)
    booking = reservation.booking
    last_one = not booking.reservations.exclude(state__in=RELEASED_STATES).exists()
    if last_one:
        booking.state = State.CANCELLED
        booking.cancel_reason = reason
        booking.cancel_date = cancel_date or timezone.localdate()
        booking.option_expires_at = None
    booking_recalculate(booking=booking)
    if last_one:
        event_emit("booking.cancelled", instance=booking, administration=booking.administration)
    return reservation


def _release(reservation: Reservation, reason: str, cancel_date: dt.date | None) -> None:
    reservation.state = State.CANCELLED
    reservation.cancel_reason = reason
    reservation.cancel_date = cancel_date or timezone.localdate()
    reservation.save()
    period = reservation.agenda_period
    if period is not None and period.blocking:
        period.blocking = False
        period.save(update_fields=["blocking", "updated_at"])
    event_emit(
        "reservation.cancelled", instance=reservation, administration=reservation.administration
    )


# -- bookings ---------------------------------------------------------------------------------


def _new_booking_nr(administration: Administration) -> str:
    return str(sequence_next(administration=administration, name="booking_nr", start=100001))


@transaction.atomic
@batched
def booking_place(
    *,
    administration: Administration,
    customer: Customer | None = None,
    customer_attributes: dict | None = None,
    reservations: list[dict] | tuple = (),
    owned_by_app_id: int | None = None,
    **attributes,
) -> Booking:
    """A booking as the API's side-posting sends it: its customer is created (no ``customer``
    but ``customer_attributes``), updated (both) or taken as is, then the booking and its stays
    are created, all in one transaction."""
    if customer_attributes is not None:
        if customer is None:
            customer = customer_create(administration=administration, **customer_attributes)
        else:
            customer = customer_update(customer=customer, **customer_attributes)
    return booking_create(
        administration=administration,
        customer=customer,
        reservations=reservations,
        owned_by_app_id=owned_by_app_id,
        **attributes,
    )


@transaction.atomic
@batched
def booking_customer_save(*, booking: Booking, **attributes) -> Customer:
    """Updates the booking's customer, or creates one and links it when it has none."""
    if booking.customer is not None:
        return customer_update(customer=booking.customer, **attributes)
    customer = customer_create(administration=booking.administration, **attributes)
    model_update(booking, ["customer"], {"customer": customer})
    return customer


@transaction.atomic
@batched
def booking_create(
    *,
    administration: Administration,
    customer: Customer | None = None,
    reservations: list[dict] | tuple = (),
    state: str | None = None,
    owned_by_app_id: int | None = None,
    **attributes,
) -> Booking:
    """Creates the booking and all its stays in one transaction.

    ``state`` defaults to ``option`` when an option validity or expiry is given and to
    ``confirmed`` otherwise. ``reservations`` are dicts of ``reservation_add`` arguments; a
    clash on the n-th is a 409 whose pointer names it (``/included/<n>`` is set by the view).
    """
    if state is None:
        wants_option = attributes.get("option_validity") or attributes.get("option_expires_at")
        state = State.OPTION if wants_option else State.CONFIRMED
    if state not in INITIAL_STATES:
        raise InvalidTransition(
            f"A booking starts as one of {', '.join(sorted(INITIAL_STATES))}, not '{state}'.",
            field="state",
        )
    option_expires_at = hold_until(
        state,
        option_validity=attributes.get("option_validity"),
        option_expires_at=attributes.pop("option_expires_at", None),
    )
    booking = Booking.objects.create(
        administration=administration,
        customer=customer,
        booking_nr=_new_booking_nr(administration),
        token=secrets.token_urlsafe(32),
        state=state,
        option_expires_at=option_expires_at,
        confirmed_at=timezone.now() if state == State.CONFIRMED else None,
        currency=administration.currency,
        owned_by_app_id=owned_by_app_id,
        **attributes,
    )
    if _is_guest_stay(booking):  # the stays are judged one by one: their rows locked first
        rentables_lock(rentable_ids=[spec["rentable"].pk for spec in reservations])
    for index, spec in enumerate(reservations):
        try:
            reservation_add(booking=booking, recalculate=False, **spec)
        except (DomainError, ValidationError) as exc:
            exc.reservation_index = index  # the view points the error at that stay
            raise
    if booking.owner_id is not None:
        _mark_owner_reservation(booking)
    booking_recalculate(booking=booking)
    event_emit("booking.created", instance=booking, administration=administration)
    return booking


def _mark_owner_reservation(booking: Booking) -> None:
    """A booking for an owner is an owner reservation when every stay is on a rentable whose
    agreement, active at arrival, belongs to that owner and lets them reserve."""
    from apps.agreements.services import owner_may_reserve

    for reservation in booking.reservations.select_related("rentable"):
        if not owner_may_reserve(
            owner=booking.owner,
            rentable=reservation.rentable,
            arrival_date=reservation.arrival_date,
        ):
            raise ValidationError(
                {
                    "owner": f"Owner {booking.owner_id} has no agreement letting them reserve rentable "
                    f"{reservation.rentable_id} on {reservation.arrival_date.isoformat()}."
                }
            )
    booking.owner_reservation = True


@transaction.atomic
@batched
def booking_update(*, booking: Booking, **attributes) -> Booking:
    """Changes attributes; a new ``state`` goes through ``booking_transition``. Emits
    booking.updated with the changes."""
    before = before_update(booking, booking.administration, "booking.updated")
    state = attributes.pop("state", None)
    reason = attributes.pop("cancel_reason", None)
    cancel_date = attributes.pop("cancel_date", None)
    model_update(booking, attributes, attributes, save=False)  # the recalculation saves
    if state is not None and state != booking.state:
        booking = booking_transition(
            booking=booking, state=state, cancel_reason=reason or "", cancel_date=cancel_date
        )
    else:
        if reason is not None:
            booking.cancel_reason = reason
        if cancel_date is not None:
            booking.cancel_date = cancel_date
        booking = booking_recalculate(booking=booking)
    emit_update(
        "booking.updated", instance=booking, administration=booking.administration, before=before
    )
    return booking


@transaction.atomic
@batched
def booking_transition(
    *, booking: Booking, state: str, cancel_reason: str = "", cancel_date: dt.date | None = None
) -> Booking:
    """Moves the booking (and its stays) to ``state``.

    Cancelling frees every night at once. Restoring (cancelled → confirmed/option), or moving
    on an option or concept whose hold has lapsed, claims the nights again: a 409 when any of
    them were taken meanwhile, a 422 (``StayNotAllowed``) when the stay rules now forbid a
    stay (a guest arrived too close for the turnover gap). Illegal moves are 422
    ``INVALID_STATE_TRANSITION``.
    """
    check_transition(booking.state, state)
    previous = booking.state
    lapsed = previous in EXPIRING_STATES and _hold_lapsed(booking)
    if state == State.CANCELLED:
        held = booking.reservations.exclude(state__in=RELEASED_STATES)
        for reservation in _sharing_administration(booking, list(held)):
            _release(reservation, cancel_reason, cancel_date)
        booking.cancel_reason = cancel_reason
        booking.cancel_date = cancel_date or timezone.localdate()
        booking.option_expires_at = None
    else:
        booking.option_expires_at = (
            hold_until(state, option_validity=booking.option_validity, option_expires_at=None)
            if state in EXPIRING_STATES
            else None
        )
        restoring = previous in RELEASED_STATES
        stays = list(
            booking.reservations.select_related(
                "agenda_period", "rentable__category", "rentable__administration"
            )
        )
        # a restore, or an option whose hold lapsed, claims its nights anew: judged as new
        judged = (restoring or lapsed) and _is_guest_stay(booking)
        if judged:
            rentables_lock(rentable_ids=[r.rentable_id for r in stays])
        for reservation in stays:
            if reservation.state in RELEASED_STATES:
                cancelled_with_booking = (reservation.cancel_reason, reservation.cancel_date) == (
                    booking.cancel_reason,
                    booking.cancel_date,
                )
                if not (restoring and cancelled_with_booking):
                    continue  # a stay cancelled on its own stays cancelled
            period = reservation.agenda_period
            if judged:
                stay_check(
                    rentable=reservation.rentable,
                    arrival_date=reservation.arrival_date,
                    departure_date=reservation.departure_date,
                    exclude_period_id=reservation.agenda_period_id,
                )
            if period is not None:
                period.blocking = True
                period.expires_at = booking.option_expires_at
                period_claim(period)
            reservation.state = state
            reservation.cancel_reason = ""
            reservation.cancel_date = None
            reservation.save()
        if restoring:
            booking.cancel_reason = ""
            booking.cancel_date = None
        if state == State.CONFIRMED:
            booking.confirmed_at = timezone.now()
    booking.state = state
    booking_recalculate(booking=booking)  # the total follows the stays that are left; saves
    if state in (State.CONFIRMED, State.CANCELLED):
        event_emit(f"booking.{state}", instance=booking, administration=booking.administration)
    return booking


def _hold_lapsed(booking: Booking) -> bool:
    """The booking's hold on its nights has ended (the beat has not cancelled it yet)."""
    return booking.option_expires_at is not None and booking.option_expires_at <= timezone.now()


def booking_expire_options(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Cancels options (and concepts) whose hold has ended, with cancel_reason "option
    expired". Idempotent and safe to run in several workers at once (rows are claimed with
    ``SKIP LOCKED`` where the database has it). Returns how many it cancelled."""
    now = now or timezone.now()
    done = 0
    while done < limit:
        with transaction.atomic():
            queryset = Booking.objects.filter(
                state__in=EXPIRING_STATES, option_expires_at__lte=now
            ).order_by("option_expires_at", "pk")
            booking = queryset.select_for_update(skip_locked=True).first()
            if booking is None:
                return done
            reason = "option expired" if booking.state == State.OPTION else "concept expired"
            booking_transition(booking=booking, state=State.CANCELLED, cancel_reason=reason)
            done += 1
    return done
