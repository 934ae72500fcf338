"""Every /v3 resource, in one router (the OpenAPI document is generated from it)."""

from rest_framework.routers import SimpleRouter

from apps.administrations.views import AdministrationViewSet
from apps.rentables.views import (
    AdministrationAmenityViewSet,
    AmenityViewSet,
    CategoryViewSet,
    RentableViewSet,
)

TENANT = r"administrations/(?P<administration_id>[^/]+)"

router = SimpleRouter(trailing_slash=False)
router.register("administrations", AdministrationViewSet, basename="administration")
router.register("amenities", AmenityViewSet, basename="amenity")
router.register(f"{TENANT}/categories", CategoryViewSet, basename="category")
router.register(f"{TENANT}/rentables", RentableViewSet, basename="rentable")
router.register(
    f"{TENANT}/administration_amenities",
    AdministrationAmenityViewSet,
    basename="administration_amenity",
)

app_name = "v3"
urlpatterns = router.urls
