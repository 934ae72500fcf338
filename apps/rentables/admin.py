from django.contrib import admin, messages

from apps.core.admin_tools import ServiceDeleteMixin, ServiceSaveMixin, TenantAdmin, run_service
from apps.rentables import services
from apps.rentables.models import AdministrationAmenity, Amenity, AmenityOption, Category, Rentable


def _en(value: dict) -> str:
    return (value or {}).get("en") or next(iter((value or {}).values()), "")


class AmenityOptionInline(admin.TabularInline):
    model = AmenityOption
    extra = 0


@admin.register(Amenity)
class AmenityAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    list_display = ("__str__", "amenity_type", "created_at")
    list_filter = ("amenity_type",)
    search_fields = ("name",)
    inlines = (AmenityOptionInline,)


@admin.register(AdministrationAmenity)
class AdministrationAmenityAdmin(TenantAdmin):
    list_display = ("administration", "amenity", "value")
    list_select_related = ("administration", "amenity")
    list_filter = ("amenity__amenity_type",)
    autocomplete_fields = ("administration", "amenity")


@admin.register(Category)
class CategoryAdmin(ServiceSaveMixin, TenantAdmin):
    list_display = (
        "name_en",
        "reference",
        "administration",
        "max_number_of_people",
        "archived",
        "highlighted",
    )
    list_filter = ("archived", "highlighted", "pets_allowed")
    search_fields = ("reference", "name")
    list_select_related = ("administration",)
    autocomplete_fields = ("administration",)
    filter_horizontal = ("optional_amenities",)
    date_hierarchy = "created_at"
    create_service = services.category_create
    update_service, update_argument = services.category_update, "category"

    def delete_through_service(self, request, obj):
        services.category_delete(category=obj)

    @admin.display(description="name")
    def name_en(self, category):
        return _en(category.name)


@admin.register(Rentable)
class RentableAdmin(ServiceSaveMixin, TenantAdmin):
    list_display = (
        "name",
        "reference",
        "category",
        "administration",
        "active",
        "max_number_of_people",
    )
    list_filter = ("active", "category__archived")
    search_fields = ("name", "reference")
    list_select_related = ("category", "administration")
    autocomplete_fields = ("administration", "category")
    readonly_fields = ("ical_export_token",)
    actions = ("rotate_ical_token",)
    create_service = services.rentable_create
    update_service, update_argument = services.rentable_update, "rentable"

    def delete_through_service(self, request, obj):
        if not services.rentable_delete(rentable=obj):
            self.message_user(
                request,
                f"{obj} has past reservations, so it was deactivated instead of deleted.",
                messages.WARNING,
            )

    @admin.action(description="Rotate the iCal export link (old links stop working)")
    def rotate_ical_token(self, request, queryset):
        run_service(
            self,
            request,
            queryset,
            "New iCal links",
            lambda rentable: services.rentable_rotate_ical_token(rentable=rentable),
        )
