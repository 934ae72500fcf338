"""Guests, and the labels a park puts on them."""

from __future__ import annotations

from django.db import models

from apps.core.localization import LOCALES
from apps.core.models import TimeStampedModel
from apps.customers.validators import validate_bic, validate_country_code, validate_iban


class Label(TimeStampedModel):
    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="labels"
    )
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=7, default="#607d8b", help_text="Hex colour, e.g. #e91e63")

    class JSONAPIMeta:
        resource_name = "label"

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["administration", "name"], name="unique_label_name")
        ]

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel):
    """A guest. ``iban``, ``bic`` and the custom invoice details are never sent back out."""

    class Title(models.TextChoices):
        MR = "mr"
        MS = "ms"
        FAMILY = "family"

    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="customers"
    )
    title = models.CharField(max_length=10, choices=Title.choices, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True, db_index=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    is_company = models.BooleanField(default=False)
    company = models.CharField(max_length=200, blank=True)
    vat_nr = models.CharField(max_length=50, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    receive_newsletter = models.BooleanField(default=False)
    address = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=20, blank=True)
    postalcode = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=2, blank=True, validators=[validate_country_code])
    locale = models.CharField(max_length=5, blank=True, choices=[(loc, loc) for loc in LOCALES])
    iban = models.CharField(max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(max_length=11, blank=True, validators=[validate_bic])
    has_custom_invoice_details = models.BooleanField(default=False)
    custom_invoice_details = models.JSONField(default=dict, blank=True)
    debtor_code = models.CharField(max_length=20, editable=False)
    labels = models.ManyToManyField(Label, blank=True, related_name="customers")

    class JSONAPIMeta:
        resource_name = "customer"

    class Meta:
        ordering = ["pk"]
        # The list's default order (id) within a tenant, for page numbers and cursors alike.
        indexes = [models.Index(fields=["administration", "id"], name="customer_list_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "debtor_code"], name="unique_debtor_code"
            )
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company or self.email or f"Customer {self.pk}"
