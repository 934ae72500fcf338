"""Building booking documents the way a booking site sends them."""

import datetime as dt

TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def stay(rentable, arrival: int, departure: int, temp_id: str, **attributes) -> dict:
    return {
        "type": "reservation",
        "meta": {"temp_id": temp_id},
        "attributes": {
            "arrival_date": day(arrival),
            "departure_date": day(departure),
            "adults": 2,
            "rent_price": {"currency": "EUR", "value": "500.00"},
            **attributes,
        },
        "relationships": {"rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}}},
    }


def guest(temp_id: str = "guest", **attributes) -> dict:
    return {
        "type": "customer",
        "meta": {"temp_id": temp_id},
        "attributes": {
            "first_name": "Anna",
            "last_name": "de Vries",
            "email": "anna@example.com",
            "country_code": "NL",
            **attributes,
        },
    }


def booking_document(*, customer=None, stays=(), **attributes) -> dict:
    relationships = {}
    included = []
    if customer is not None:
        relationships["customer"] = {
            "data": {
                "type": "customer",
                "meta": {"temp_id": customer["meta"]["temp_id"], "method": "create"},
            }
        }
        included.append(customer)
    if stays:
        relationships["reservations"] = {
            "data": [
                {
                    "type": "reservation",
                    "meta": {"temp_id": s["meta"]["temp_id"], "method": "create"},
                }
                for s in stays
            ]
        }
        included.extend(stays)
    document = {
        "data": {"type": "booking", "attributes": attributes, "relationships": relationships}
    }
    if included:
        document["included"] = included
    return document
