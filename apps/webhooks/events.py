"""Every event a webhook endpoint can subscribe to, in one registry."""

EVENTS: dict[str, str] = {
    "booking.created": "A booking was made (its reservations follow as reservation.created).",
    "booking.updated": "A booking's attributes changed; `changes` lists old and new values.",
    "booking.confirmed": "A booking became confirmed.",
    "booking.cancelled": "A booking was cancelled (its nights are free again).",
    "reservation.created": "A stay was added to a booking.",
    "reservation.updated": "A stay changed (dates, rentable, guests, price).",
    "reservation.cancelled": "A stay was cancelled.",
    "agenda_period.created": "A rentable's calendar got a new period.",
    "agenda_period.updated": "A calendar period moved or changed.",
    "agenda_period.deleted": "A calendar period was removed.",
    "stay_rule.created": "A category got a date-bounded stay rule.",
    "stay_rule.updated": "A stay rule changed; `changes` lists old and new values.",
    "stay_rule.deleted": "A stay rule was removed.",
    "rate.created": "A category got a nightly rate.",
    "rate.updated": "A rate changed; `changes` lists old and new values.",
    "rate.deleted": "A rate was removed.",
    "customer.updated": "A customer's details changed.",
    "external_calendar.synced": "An external iCal calendar was synced successfully.",
    "external_calendar.failed": "A sync of an external iCal calendar failed.",
    "external_calendar.conflict": "An imported event clashes with a booking here.",
}

WILDCARD = "*"


def read_scope(event: str) -> str:
    """The scope that reads the event's resource: ``customer.updated`` → ``customer|read``.

    A subscriber receives an event only while it may read what the event carries.
    """
    return f"{event.split('.', 1)[0]}|read"


def takes(events: list[str], owner_scopes: list[str], event: str) -> bool:
    """Whether an endpoint subscribed to ``events``, owned by a credential holding
    ``owner_scopes``, receives ``event``: subscribed to it, and its owner could read the
    event's resource."""
    subscribed = WILDCARD in events or event in events
    return subscribed and read_scope(event) in owner_scopes
