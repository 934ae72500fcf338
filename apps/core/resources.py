"""A model instance as its JSON:API resource object, outside a request (webhook payloads)."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from apps.core.rendering import Renderer, plan_for


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
    _requested_locales = None  # no Accept-Language: every stored locale

    def build_absolute_uri(self, path: str) -> str:
        return f"{settings.API_BASE_URL.rstrip('/')}{path}"


def resource_object(instance) -> dict:
    """``{"type", "id", "attributes", "relationships", "links"}`` as the API would render it
    (every locale, absolute links on ``API_BASE_URL``), from the type's rendering plan."""
    serializer_class = _serializers_by_model()[type(instance)]
    request = _BaseUrlRequest()
    return Renderer(request, {"request": request}).resource(plan_for(serializer_class), instance)
