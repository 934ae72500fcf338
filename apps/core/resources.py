"""A model instance as its JSON:API resource object, outside a request (webhook payloads)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from rest_framework_json_api.renderers import JSONRenderer
from rest_framework_json_api.utils import get_resource_type_from_serializer, get_serializer_fields


@cache
def _serializers_by_model() -> dict:
    from config.api_router import router

    found = {}
    for _, viewset, _ in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if model is not None:
            found.setdefault(model, serializer_class)
    return found


class _BaseUrlRequest:
    """Just enough of a request for self links to be absolute."""

    query_params: dict = {}
    headers: dict = {}

    def build_absolute_uri(self, path: str) -> str:
        return f"{settings.API_BASE_URL.rstrip('/')}{path}"


def resource_object(instance) -> dict:
    """``{"type", "id", "attributes", "relationships", "links"}`` as the API would render it."""
    serializer_class = _serializers_by_model()[type(instance)]
    serializer = serializer_class(instance, context={"request": _BaseUrlRequest()})
    data = serializer.data
    resource_type = get_resource_type_from_serializer(serializer_class)
    fields = get_serializer_fields(serializer)
    return JSONRenderer.build_json_resource_obj(fields, data, instance, resource_type, serializer)
