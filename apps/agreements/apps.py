from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "apps.agreements"
    label = "agreements"
    verbose_name = "Owners and agreements"

    def ready(self) -> None:
        from apps.agreements.models import Agreement, Owner
        from apps.core.deletion import deletion_register

        # Deletes, cascades included, leave tombstones (apps.core.deletion).
        deletion_register(Owner, resource_type="owner")
        deletion_register(Agreement, resource_type="agreement")
        from apps.agreements.serializers import AgreementSerializer, OwnerSerializer
        from apps.core.resources import resource_serializer_register

        # Webhook payloads render these models with these serializers (apps.core.resources).
        resource_serializer_register(OwnerSerializer)
        resource_serializer_register(AgreementSerializer)
