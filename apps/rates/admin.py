from django.contrib import admin

from apps.core.admin_tools import TenantAdmin
from apps.rates import services
from apps.rates.models import Rate

EDITABLE = ("start_date", "end_date", "price_per_night", "minimum_number_of_nights")


@admin.register(Rate)
class RateAdmin(TenantAdmin):
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

    def save_model(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in EDITABLE}
        if change:
            services.rate_update(rate=Rate.objects.get(pk=obj.pk), category=obj.category, **values)
        else:
            created = services.rate_create(
                administration=obj.administration, category=obj.category, **values
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.rate_delete(rate=obj)

    def delete_queryset(self, request, queryset):
        for rate in queryset:
            services.rate_delete(rate=rate)
