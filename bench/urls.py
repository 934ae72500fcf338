"""The product's URLs plus plain Django views: the ceiling the API is compared with."""

import json
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q
from django.http import HttpResponse
from django.urls import path

from apps.administrations.models import Administration
from apps.bookings.models import Booking, Reservation
from apps.customers.models import Customer
from config.urls import urlpatterns as product_urls


def plain_administrations(request):
    """The same rows as the benchmarked API call, serialized with json.dumps and nothing else."""
    currencies = request.GET.get("currency", "").split(",")
    size = int(request.GET.get("size", 30))
    rows = Administration.objects.filter(currency__in=currencies).order_by("pk")[:size]
    data = [
        {"id": str(a.pk), "name": a.name, "currency": a.currency, "utc_offset": a.utc_offset}
        for a in rows
    ]
    return HttpResponse(json.dumps({"data": data}), content_type="application/json")


def _stamp(value):
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _money(amount, currency="EUR"):
    return {"currency": currency, "value": f"{Decimal(amount):.2f}"}


def _without_vat(amount):
    rate = Decimal(str(settings.BOOKING_VAT_PERCENTAGE))
    return (amount * 100 / (100 + rate)).quantize(Decimal("0.01"))


def _one(kind, pk):
    return {"data": None if pk is None else {"type": kind, "id": str(pk)}}


def _many(kind, pks):
    return {"meta": {"count": len(pks)}, "data": [{"type": kind, "id": str(pk)} for pk in pks]}


def plain_bookings(request):
    """``…/bookings?include=customer,reservations.rentable`` written out by hand: four queries
    (count, bookings, reservations with rentable and category, customers with their label ids)
    and json.dumps. The ceiling bench/bookings_list.py compares the API with."""
    admin_id = int(request.GET["administration"])
    size = int(request.GET.get("size", 30))
    base = request.build_absolute_uri("/v3/administrations/")[:-1]
    bookings_qs = Booking.objects.filter(administration_id=admin_id)
    total = bookings_qs.count()
    bookings = list(bookings_qs.order_by("pk")[:size])
    reservations = list(
        Reservation.objects.filter(booking__in=[b.pk for b in bookings])
        .select_related("rentable__category")
        .order_by("pk")
    )
    customers = (
        Customer.objects.filter(pk__in={b.customer_id for b in bookings if b.customer_id})
        .annotate(label_ids=ArrayAgg("labels__id", filter=Q(labels__isnull=False), default=[]))
        .order_by("pk")
    )
    by_booking = {}
    for r in reservations:
        by_booking.setdefault(r.booking_id, []).append(r)

    def link(kind, pk):
        return {"self": f"{base}/{admin_id}/{kind}/{pk}"}

    data = []
    for b in bookings:
        c = b.currency
        data.append(
            {
                "type": "booking",
                "id": str(b.pk),
                "attributes": {
                    "customer_desires_downpayment": b.customer_desires_downpayment,
                    "after_payment_return_url": b.after_payment_return_url,
                    "redeemable_codes": b.redeemable_codes,
                    "option_validity": b.option_validity,
                    "option_expires_at": _stamp(b.option_expires_at),
                    "remote_booking_nr": b.remote_booking_nr,
                    "reference_nr": b.reference_nr,
                    "locale": b.locale,
                    "memo": b.memo,
                    "currency": c,
                    "cancel_date": b.cancel_date and b.cancel_date.isoformat(),
                    "cancel_reason": b.cancel_reason,
                    "state": b.state,
                    "token": b.token,
                    "confirmed_at": _stamp(b.confirmed_at),
                    "paid_by_customer": b.paid_by_customer,
                    "deposit_completed": b.deposit_completed,
                    "booking_nr": b.booking_nr,
                    "owner_reservation": b.owner_reservation,
                    "total": _money(b.total, c),
                    "total_without_vat": _money(_without_vat(b.total), c),
                    "guest_payment_due": _money(b.total, c),
                    "guest_total_paid": _money(0, c),
                    "deposit": _money(b.downpayment or 0, c),
                    "rent_turnover": _money(b.rent_total, c),
                    "rent_turnover_without_vat": _money(_without_vat(b.rent_total), c),
                    "provision": _money(0, c),
                    "payment_deadlines": [],
                    "pending_vouchers": [],
                    "discount": b.discount,
                    "notes": b.notes,
                    "downpayment": None if b.downpayment is None else _money(b.downpayment, c),
                    "damage_deposit": _money(b.damage_deposit, c),
                    "expected_checkin_time": b.expected_checkin_time,
                    "expected_checkout_time": b.expected_checkout_time,
                    "created_at": _stamp(b.created_at),
                    "updated_at": _stamp(b.updated_at),
                },
                "relationships": {
                    "customer": _one("customer", b.customer_id),
                    "owner": _one("owner", b.owner_id),
                    "traffic_source": _one("traffic_source", None),
                    "administration": _one("administration", b.administration_id),
                    "channel": _one("channel", None),
                    "guest_invoice": _one("invoice", None),
                    "customer_invoice": _one("invoice", None),
                    "channel_invoice": _one("invoice", None),
                    "reservations": _many("reservation", [r.pk for r in by_booking.get(b.pk, [])]),
                    "payments": _many("payment", []),
                },
                "links": link("bookings", b.pk),
            }
        )
    included = []
    for cu in customers:
        included.append(
            {
                "type": "customer",
                "id": str(cu.pk),
                "attributes": {
                    "title": cu.title,
                    "first_name": cu.first_name,
                    "last_name": cu.last_name,
                    "phone": cu.phone,
                    "email": cu.email,
                    "is_company": cu.is_company,
                    "company": cu.company,
                    "vat_nr": cu.vat_nr,
                    "date_of_birth": cu.date_of_birth and cu.date_of_birth.isoformat(),
                    "receive_newsletter": cu.receive_newsletter,
                    "address": cu.address,
                    "number": cu.number,
                    "postalcode": cu.postalcode,
                    "city": cu.city,
                    "country_code": cu.country_code,
                    "locale": cu.locale,
                    "debtor_code": cu.debtor_code,
                    "created_at": _stamp(cu.created_at),
                    "updated_at": _stamp(cu.updated_at),
                },
                "relationships": {"labels": _many("label", sorted(cu.label_ids))},
                "links": link("customers", cu.pk),
            }
        )
    rentables = {}
    for r in reservations:
        rentables.setdefault(r.rentable_id, r.rentable)
        included.append(
            {
                "type": "reservation",
                "id": str(r.pk),
                "attributes": {
                    "arrival_date": r.arrival_date.isoformat(),
                    "departure_date": r.departure_date.isoformat(),
                    "adults": r.adults,
                    "children": r.children,
                    "babies": r.babies,
                    "pets": r.pets,
                    "rent_price": _money(r.rent_price),
                    "list_price": None if r.list_price is None else _money(r.list_price),
                    "state": r.state,
                    "remote_reservation_nr": r.remote_reservation_nr,
                    "cancel_date": r.cancel_date and r.cancel_date.isoformat(),
                    "cancel_reason": r.cancel_reason,
                    "created_at": _stamp(r.created_at),
                    "updated_at": _stamp(r.updated_at),
                },
                "relationships": {
                    "booking": _one("booking", r.booking_id),
                    "rentable": _one("rentable", r.rentable_id),
                    "category": _one("category", r.category_id),
                    "agenda_period": _one("agenda_period", r.agenda_period_id),
                },
                "links": link("reservations", r.pk),
            }
        )
    export_base = request.build_absolute_uri("/").rstrip("/")  # as the API builds it in a request
    for rentable in rentables.values():
        people = rentable.max_number_of_people
        included.append(
            {
                "type": "rentable",
                "id": str(rentable.pk),
                "attributes": {
                    "name": rentable.name,
                    "reference": rentable.reference,
                    "active": rentable.active,
                    "max_number_of_people": rentable.category.max_number_of_people
                    if people is None
                    else people,
                    "available_from": rentable.available_from
                    and rentable.available_from.isoformat(),
                    "available_until": rentable.available_until
                    and rentable.available_until.isoformat(),
                    "ical_export_url": f"{export_base}/ical/{rentable.ical_export_token}.ics",
                    "created_at": _stamp(rentable.created_at),
                    "updated_at": _stamp(rentable.updated_at),
                },
                "relationships": {
                    "administration": _one("administration", rentable.administration_id),
                    "category": _one("category", rentable.category_id),
                },
                "links": link("rentables", rentable.pk),
            }
        )
    pages = max(1, -(-total // size))
    document = {
        "links": {"self": request.build_absolute_uri(), "last": str(pages)},
        "data": data,
        "included": included,
        "meta": {"pagination": {"total_records": total, "page": 1, "size": size}},
    }
    return HttpResponse(json.dumps(document), content_type="application/vnd.api+json")


urlpatterns = [
    path("bench/plain-administrations", plain_administrations),
    path("bench/plain-bookings", plain_bookings),
    *product_urls,
]
