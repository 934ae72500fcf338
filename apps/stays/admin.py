from django.contrib import admin

from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin
from apps.stays import services
from apps.stays.models import StayRule

EDITABLE = (
    "start_date", "end_date", "minimum_number_of_nights", "maximum_number_of_nights",
    "arrival_weekdays", "departure_weekdays", "closed_to_arrival", "closed_to_departure",
)  # fmt: skip


@admin.register(StayRule)
class StayRuleAdmin(ServiceSaveMixin, TenantAdmin):
    list_display = (
        "category",
        "start_date",
        "end_date",
        "minimum_number_of_nights",
        "maximum_number_of_nights",
        "closed_to_arrival",
        "closed_to_departure",
    )
    list_filter = ("closed_to_arrival", "closed_to_departure")
    list_select_related = ("category",)
    autocomplete_fields = ("administration", "category")
    date_hierarchy = "start_date"

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        values = {name: data[name] for name in EDITABLE}
        if change:
            rule = StayRule.objects.get(pk=form.instance.pk)
            return services.stay_rule_update(rule=rule, category=data["category"], **values)
        return services.stay_rule_create(
            administration=data["administration"], category=data["category"], **values
        )

    def delete_through_service(self, request, obj):
        services.stay_rule_delete(rule=obj)
