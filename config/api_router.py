"""Every /v3 resource, in one router (the OpenAPI document is generated from it)."""

from rest_framework.routers import SimpleRouter

from apps.administrations.views import AdministrationViewSet

TENANT = r"administrations/(?P<administration_id>[^/]+)"

router = SimpleRouter(trailing_slash=False)
router.register("administrations", AdministrationViewSet, basename="administration")

app_name = "v3"
urlpatterns = router.urls
