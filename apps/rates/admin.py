from django.contrib import admin

from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin
from apps.rates import services
from apps.rates.models import Rate


@admin.register(Rate)
class RateAdmin(ServiceSaveMixin, TenantAdmin):
    list_display = (
        "category",
        "start_date",
        "end_date",
        "price_per_night",
        "minimum_number_of_nights",
    )
    list_select_related = ("category",)
    list_filter = ("category",)
    autocomplete_fields = ("administration", "category")
    date_hierarchy = "start_date"
    create_service = services.rate_create
    update_service, update_argument = services.rate_update, "rate"

    def delete_through_service(self, request, obj):
        services.rate_delete(rate=obj)
