from apps.core.views import ResourceModelViewSet
from apps.customers import selectors, services
from apps.customers.filters import CustomerFilter, LabelFilter
from apps.customers.serializers import CustomerSerializer, LabelSerializer


class CustomerViewSet(ResourceModelViewSet):
    """Guests. Apps with only ``channel::customer|read`` see the customers of their own
    bookings."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    scope_resource = "customer"
    scope_overrides = {"read": ("customer|read", "channel::customer|read")}
    sort_fields = (
        "first_name",
        "last_name",
        "email",
        "city",
        "country_code",
        "debtor_code",
        "created_at",
        "updated_at",
    )
    http_method_names = ["get", "post", "patch", "head"]
    prefetch_for_includes = {"labels": []}

    def base_queryset(self):
        own = "customer|read" not in self.granted_scopes
        return selectors.customer_list(
            administration=self.administration,
            own_bookings_of_app=self.request.auth.application_id if own else None,
        )

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, **serializer.validated_data
        )


class LabelViewSet(ResourceModelViewSet):
    serializer_class = LabelSerializer
    filterset_class = LabelFilter
    scope_resource = "label"
    sort_fields = ("name", "color", "created_at", "updated_at")

    def base_queryset(self):
        return selectors.label_list(administration=self.administration)

    def perform_create(self, serializer):
        serializer.instance = services.label_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.label_update(
            label=serializer.instance, **serializer.validated_data
        )
