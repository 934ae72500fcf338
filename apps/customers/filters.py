from apps.core.filters import FilterSet
from apps.customers.models import Customer, Label


class CustomerFilter(FilterSet):
    class Meta:
        model = Customer
        fields = (
            "title", "first_name", "last_name", "phone", "email", "is_company", "company",
            "vat_nr", "date_of_birth", "receive_newsletter", "address", "number", "postalcode",
            "city", "country_code", "locale", "debtor_code", "created_at", "updated_at", "labels",
            "administration",
        )  # fmt: skip


class LabelFilter(FilterSet):
    class Meta:
        model = Label
        fields = ("name", "color", "created_at", "updated_at")
