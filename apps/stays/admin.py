from django.contrib import admin

from apps.core.admin_tools import ServiceSaveMixin, TenantAdmin
from apps.stays import services
from apps.stays.models import StayRule


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
    create_service = services.stay_rule_create
    update_service, update_argument = services.stay_rule_update, "rule"

    def delete_through_service(self, request, obj):
        services.stay_rule_delete(rule=obj)
