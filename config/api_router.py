"""Every /v3 resource, in one router (the OpenAPI document is generated from it)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from apps.administrations.views import AdministrationViewSet
from apps.agenda_periods.views import (
    AgendaPeriodViewSet,
    AvailabilityViewSet,
    CalendarDayViewSet,
    ExternalBlockedAgendaPeriodViewSet,
    MaintenanceAgendaPeriodViewSet,
    OwnerMaintenanceAgendaPeriodViewSet,
)
from apps.agreements.views import AgreementViewSet, OwnerViewSet
from apps.bookings.views import BookingViewSet, ReservationViewSet
from apps.calendars.views import ExternalCalendarViewSet
from apps.core.operations.views import OperationsViewSet
from apps.customers.views import CustomerViewSet, LabelViewSet
from apps.oauth.api import SubscriptionViewSet
from apps.rates.views import RateViewSet
from apps.rentables.views import (
    AdministrationAmenityViewSet,
    AmenityViewSet,
    CategoryViewSet,
    RentableViewSet,
)
from apps.stays.views import StayRuleViewSet
from apps.webhooks.views import WebhookDeliveryViewSet, WebhookEndpointViewSet

TENANT = r"administrations/(?P<administration_id>[^/]+)"

router = SimpleRouter(trailing_slash=False)
router.register("administrations", AdministrationViewSet, basename="administration")
router.register("amenities", AmenityViewSet, basename="amenity")
router.register(f"{TENANT}/categories", CategoryViewSet, basename="category")
router.register(f"{TENANT}/rentables", RentableViewSet, basename="rentable")
router.register(f"{TENANT}/agenda_periods", AgendaPeriodViewSet, basename="agenda_period")
router.register(
    f"{TENANT}/maintenance_agenda_periods",
    MaintenanceAgendaPeriodViewSet,
    basename="maintenance_agenda_period",
)
router.register(
    f"{TENANT}/owner_maintenance_agenda_periods",
    OwnerMaintenanceAgendaPeriodViewSet,
    basename="owner_maintenance_agenda_period",
)
router.register(
    f"{TENANT}/external_blocked_agenda_periods",
    ExternalBlockedAgendaPeriodViewSet,
    basename="external_blocked_agenda_period",
)
router.register(f"{TENANT}/availabilities", AvailabilityViewSet, basename="availability")
router.register(f"{TENANT}/bookings", BookingViewSet, basename="booking")
router.register(f"{TENANT}/reservations", ReservationViewSet, basename="reservation")
router.register(f"{TENANT}/customers", CustomerViewSet, basename="customer")
router.register(f"{TENANT}/labels", LabelViewSet, basename="label")
router.register(f"{TENANT}/owners", OwnerViewSet, basename="owner")
router.register(f"{TENANT}/agreements", AgreementViewSet, basename="agreement")
router.register(
    f"{TENANT}/external_calendars", ExternalCalendarViewSet, basename="external_calendar"
)
router.register(f"{TENANT}/webhook_endpoints", WebhookEndpointViewSet, basename="webhook_endpoint")
router.register(f"{TENANT}/webhook_deliveries", WebhookDeliveryViewSet, basename="webhook_delivery")
router.register(f"{TENANT}/stay_rules", StayRuleViewSet, basename="stay_rule")
router.register(f"{TENANT}/rates", RateViewSet, basename="rate")
router.register(f"{TENANT}/calendar_days", CalendarDayViewSet, basename="calendar_day")
router.register(
    f"{TENANT}/administration_amenities",
    AdministrationAmenityViewSet,
    basename="administration_amenity",
)

app_name = "v3"
urlpatterns = [
    path("subscription", SubscriptionViewSet.as_view({"get": "current"}), name="subscription"),
    # Atomic Operations: not a collection, so not in the router (whose walks expect one).
    re_path(
        rf"^{TENANT}/operations$",
        OperationsViewSet.as_view({"post": "create"}, basename="operations"),
        name="operations",
    ),
    *router.urls,
]
