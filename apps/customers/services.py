"""Writes of customers and labels."""

from __future__ import annotations

from django.db import transaction

from apps.administrations.models import Administration
from apps.administrations.services import sequence_next
from apps.core.services import model_update
from apps.customers.models import Customer, Label
from apps.customers.validators import normalize_iban
from apps.webhooks.outbox import batched
from apps.webhooks.services import before_update, emit_update


def _prepare(attributes: dict) -> dict:
    if attributes.get("iban"):
        attributes["iban"] = normalize_iban(attributes["iban"])
    if attributes.get("bic"):
        attributes["bic"] = attributes["bic"].upper()
    return attributes


@transaction.atomic
def customer_create(*, administration: Administration, labels=None, **attributes) -> Customer:
    """Creates a guest with the administration's next debtor code (D000001, D000002, …)."""
    number = sequence_next(administration=administration, name="debtor_code")
    customer = Customer.objects.create(
        administration=administration, debtor_code=f"D{number:06d}", **_prepare(attributes)
    )
    if labels:
        customer.labels.set(labels)
    return customer


@transaction.atomic
@batched
def customer_update(*, customer: Customer, labels=None, **attributes) -> Customer:
    """Changes a guest's details; emits customer.updated with what changed."""
    before = before_update(customer, customer.administration, "customer.updated")
    attributes = _prepare(attributes)
    if labels is not None:
        attributes["labels"] = labels
    model_update(customer, attributes, attributes)
    emit_update(
        "customer.updated", instance=customer, administration=customer.administration, before=before
    )
    return customer


@transaction.atomic
def label_create(*, administration: Administration, **attributes) -> Label:
    return Label.objects.create(administration=administration, **attributes)


@transaction.atomic
def label_update(*, label: Label, **attributes) -> Label:
    model_update(label, attributes, attributes)
    return label
