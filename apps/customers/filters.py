from apps.core.filters import FilterSet
from apps.customers.models import Customer, Label


class CustomerFilter(FilterSet):
    model = Customer
    attributes = (
        "title", "first_name", "last_name", "phone", "email", "is_company", "company", "vat_nr",
        "date_of_birth", "receive_newsletter", "address", "number", "postalcode", "city",
        "country_code", "locale", "debtor_code", "created_at", "updated_at",
    )  # fmt: skip
    relationships = {"labels": "labels__id", "administration": "administration_id"}


class LabelFilter(FilterSet):
    model = Label
    attributes = ("name", "color", "created_at", "updated_at")
