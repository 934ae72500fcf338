from apps.core.views import ResourceModelViewSet
from apps.customers import services
from apps.customers.filters import CustomerFilter, LabelFilter
from apps.customers.models import Customer, Label
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
        queryset = Customer.objects.filter(administration=self.administration).prefetch_related(
            "labels"
        )
        if "customer|read" not in self.granted_scopes:
            queryset = queryset.filter(
                bookings__owned_by_app_id=self.request.auth.application_id
            ).distinct()
        return queryset

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
        return Label.objects.filter(administration=self.administration)

    def perform_create(self, serializer):
        serializer.instance = services.label_create(
            administration=self.administration, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.label_update(
            label=serializer.instance, **serializer.validated_data
        )
