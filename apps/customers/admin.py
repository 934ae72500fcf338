from django.contrib import admin

from apps.core.admin_tools import TenantAdmin
from apps.customers.models import Customer, Label


@admin.register(Customer)
class CustomerAdmin(TenantAdmin):
    list_display = (
        "debtor_code",
        "first_name",
        "last_name",
        "email",
        "city",
        "country_code",
        "administration",
    )
    list_filter = ("country_code", "receive_newsletter", "is_company", "labels")
    search_fields = ("first_name", "last_name", "email", "company", "debtor_code", "phone")
    list_select_related = ("administration",)
    autocomplete_fields = ("administration",)
    filter_horizontal = ("labels",)
    readonly_fields = ("debtor_code", "created_at", "updated_at")
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        from apps.customers.services import customer_create, customer_update

        fields = {
            f: form.cleaned_data[f]
            for f in form.changed_data
            if f not in ("labels", "administration")
        }
        if change:
            customer_update(customer=obj, **fields)
        else:
            created = customer_create(administration=obj.administration, **fields)
            obj.pk, obj.debtor_code = created.pk, created.debtor_code


@admin.register(Label)
class LabelAdmin(TenantAdmin):
    list_display = ("name", "color", "administration")
    search_fields = ("name",)
    list_select_related = ("administration",)
