from django.contrib import admin

from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin
from apps.rates import services
from apps.rates.models import Rate

EDITABLE = ("start_date", "end_date", "price_per_night", "minimum_number_of_nights")


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

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        values = {name: data[name] for name in EDITABLE}
        if change:
            rate = Rate.objects.get(pk=form.instance.pk)
            return services.rate_update(rate=rate, category=data["category"], **values)
        return services.rate_create(
            administration=data["administration"], category=data["category"], **values
        )

    def delete_through_service(self, request, obj):
        services.rate_delete(rate=obj)
