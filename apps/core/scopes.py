"""Every scope string (``resource|action``) and its words, in one table.

The first block is the vendor's list verbatim (conventions.md §4.3); the second holds the
scopes this product adds. The consent page, the OpenAPI document and the permission checks
all read from here.
"""

from __future__ import annotations

VENDOR_SCOPES = [
    "administration|read",
    "agenda_period|delete",
    "agenda_period|read",
    "agenda_period|write",
    "agreement|read",
    "amenity|read",
    "area_type|read",
    "availability|read",
    "billing/bill|read",
    "billing/entry|read",
    "booking|read",
    "category_group|read",
    "category|read",
    "category|write",
    "channel::booking|read",
    "channel::customer|read",
    "channel::order|read",
    "channel::reservation|read",
    "channel|delete",
    "channel|read",
    "channel|write",
    "chargeback|write",
    "checkout_portal|manage",
    "city|read",
    "contact|read",
    "cost|read",
    "currency_conversion|read",
    "customer|read",
    "customer|write",
    "debtor|read",
    "discount_action|read",
    "discount_card|read",
    "domain|read",
    "executor|read",
    "extra_order_item|read",
    "extra_order_item|write",
    "extra|read",
    "facility|read",
    "guest|delete",
    "guest|read",
    "guest|write",
    "internal_message|write",
    "invoice|read",
    "journal_transaction|read",
    "label|read",
    "label|write",
    "ledger_account|read",
    "main_order_item|read",
    "master_price_list|read",
    "master_price_list|write",
    "memo|write",
    "message|write",
    "meter_type|read",
    "order|read",
    "organization|read",
    "owner|read",
    "package_entry|read",
    "package|read",
    "payment_handler|delete",
    "payment_handler|read",
    "payment_handler|write",
    "payment_method|read",
    "payment_method|write",
    "payment_request|read",
    "payment_result|write",
    "payment|read",
    "payment|write",
    "period|read",
    "question_answer|read",
    "receipt|read",
    "refund_request|read",
    "refund_result|write",
    "region|read",
    "register|read",
    "rentable_identity|delete",
    "rentable_identity|read",
    "rentable_identity|write",
    "rentable_segment|read",
    "rentable_type_group|read",
    "rentable_type|read",
    "rentable_type|write",
    "rentable|delete",
    "rentable|read",
    "rentable|write",
    "reservation|read",
    "reservation|write",
    "review_form|read",
    "review|read",
    "review|write",
    "room_type|read",
    "room|read",
    "signature|read",
    "signature|write",
    "subdomain|read",
    "terms|read",
    "timesheet|delete",
    "timesheet|read",
    "timesheet|write",
    "todo_image|delete",
    "todo_image|read",
    "todo_image|write",
    "todo_list|read",
    "todo|delete",
    "todo|read",
    "todo|write",
    "user|read",
    "vat_code|read",
    "vat_tariff|read",
]

PRODUCT_SCOPES = [
    "external_calendar|read",
    "external_calendar|write",
    "webhook_endpoint|read",
    "webhook_endpoint|write",
    "owner|write",
    "stay_rule|read",
    "stay_rule|write",
    "rate|read",
    "rate|write",
]

_VERBS = {
    "read": "Read",
    "write": "Create and change",
    "delete": "Delete",
    "manage": "Manage",
}
_NOUNS = {
    "administration": "administrations (parks)",
    "agenda_period": "calendar periods",
    "availability": "availability",
    "category": "accommodation categories",
    "channel::booking": "bookings made through your own channel",
    "channel::customer": "customers of your own channel",
    "channel::order": "orders of your own channel",
    "channel::reservation": "reservations made through your own channel",
    "checkout_portal": "the checkout portal",
    "external_calendar": "external (iCal) calendars",
    "rate": "nightly rates (the price list of each category)",
    "rentable": "rentables (bookable units)",
    "stay_rule": "stay rules (minimum stays, arrival and departure days)",
    "terms": "terms and conditions",
    "webhook_endpoint": "webhook endpoints and their deliveries",
}


def _describe(scope: str) -> str:
    resource, action = scope.split("|")
    noun = _NOUNS.get(resource)
    if noun is None:
        words = resource.replace("billing/", "billing ").replace("_", " ")
        noun = words if words.endswith("s") else f"{words}s"
    return f"{_VERBS[action]} {noun}"


#: scope → plain words, e.g. ``"reservation|read": "Read reservations"``.
SCOPES: dict[str, str] = {scope: _describe(scope) for scope in VENDOR_SCOPES + PRODUCT_SCOPES}

#: The read scope for resource types whose name differs from their scope resource.
READ_SCOPE_FOR_TYPE = {
    "administration_amenity": "amenity|read",
    "amenity_option": "amenity|read",
    "calendar_day": "availability|read",
    "webhook_delivery": "webhook_endpoint|read",
    "rentable_identity": "rentable|read",
}


def read_scope_for_type(resource_type: str) -> str:
    return READ_SCOPE_FOR_TYPE.get(resource_type, f"{resource_type}|read")


def scopes_for_action(resource: str, action: str) -> tuple[str, ...]:
    """The scope a request needs; DELETE falls back to ``|write`` where no ``|delete`` exists."""
    if action == "delete" and f"{resource}|delete" not in SCOPES:
        action = "write"
    return (f"{resource}|{action}",)


def parse_scopes(text: str | list | tuple | set) -> list[str]:
    """``"a|read b|write"`` or a list → the known scopes, in table order. Unknown → ValueError."""
    items = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    if items == ["all"]:
        return list(SCOPES)
    unknown = [s for s in items if s not in SCOPES]
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(unknown)}")
    return [s for s in SCOPES if s in set(items)]
