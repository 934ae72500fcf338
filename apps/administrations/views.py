from apps.administrations.filters import AdministrationFilter
from apps.administrations.selectors import administration_list
from apps.administrations.serializers import AdministrationSerializer
from apps.core.views import ReadOnlyResourceViewSet


class AdministrationViewSet(ReadOnlyResourceViewSet):
    """The administrations the credentials may see (``administration|read`` there)."""

    serializer_class = AdministrationSerializer
    filterset_class = AdministrationFilter
    scope_resource = "administration"
    sort_fields = ("name", "phone", "website", "timezone", "currency", "created_at", "updated_at")

    def base_queryset(self):
        return administration_list(credential=self.request.auth)
