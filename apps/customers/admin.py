from django.contrib import admin

from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin
from apps.customers import services
from apps.customers.models import Customer, Label


@admin.register(Customer)
class CustomerAdmin(ServiceSaveMixin, TenantAdmin):
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

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        fields = {f: data[f] for f in form.changed_data if f != "administration"}
        if change:
            customer = Customer.objects.get(pk=form.instance.pk)
            return services.customer_update(customer=customer, **fields)
        return services.customer_create(administration=data["administration"], **fields)


@admin.register(Label)
class LabelAdmin(ServiceSaveMixin, TenantAdmin):
    list_display = ("name", "color", "administration")
    search_fields = ("name",)
    list_select_related = ("administration",)
    create_service = services.label_create
    update_service, update_argument = services.label_update, "label"
