"""A model instance as its JSON:API resource object, outside a request (webhook payloads)."""

from __future__ import annotations

from django.conf import settings

from apps.core.rendering import Renderer, plan_for

_SERIALIZERS: dict = {}


def resource_serializer_register(serializer_class) -> None:
    """The serializer that renders its ``Meta.model`` in webhook payloads; each resource app
    registers its own in ``AppConfig.ready`` (core knows no app)."""
    model = serializer_class.Meta.model
    _SERIALIZERS.setdefault(model, serializer_class)


def _serializers_by_model() -> dict:
    return _SERIALIZERS


class _BaseUrlRequest:
    """Just enough of a request for self links to be absolute."""

    query_params: dict = {}
    headers: dict = {}
    _requested_locales = None  # no Accept-Language: every stored locale

    def build_absolute_uri(self, path: str) -> str:
        return f"{settings.API_BASE_URL.rstrip('/')}{path}"


_REQUEST = _BaseUrlRequest()
# The serializers that answer method fields, made once: their context is always _REQUEST.
_METHOD_OWNERS: dict = {}


def _renderer() -> Renderer:
    return Renderer(_REQUEST, {"request": _REQUEST}, method_owners=_METHOD_OWNERS)


def resource_object(instance) -> dict:
    """``{"type", "id", "attributes", "relationships", "links"}`` as the API would render it
    (every locale, absolute links on ``API_BASE_URL``), from the type's rendering plan."""
    serializer_class = _serializers_by_model()[type(instance)]
    return _renderer().resource(plan_for(serializer_class), instance)


def resource_objects(instances) -> list[dict]:
    """``resource_object`` of each instance, with one renderer shared by all of them."""
    renderer = _renderer()
    by_model = _serializers_by_model()
    return [renderer.resource(plan_for(by_model[type(i)]), i) for i in instances]
