"""The base viewset every JSON:API resource builds on. Keep resource viewsets thin."""

from __future__ import annotations

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from rest_framework import exceptions, mixins, viewsets
from rest_framework.response import Response
from rest_framework_json_api.utils import get_resource_type_from_serializer

from apps.core import idempotency, query, ratelimit, visibility
from apps.core.credentials import Credential
from apps.core.deletion import instance_delete
from apps.core.errors import bad_query, not_found
from apps.core.filters import Expression, FilterBackend, InvalidValue, parse_datetime_term
from apps.core.includes import include_plan, load_for_computed
from apps.core.rendering import Resources, fast_rendering_enabled
from apps.core.scopes import scopes_for_action
from apps.core.sorting import SortBackend
from apps.core.tenancy import tenant_model
from apps.core.tombstones import deleted_ids


class ResourceViewSet(viewsets.GenericViewSet):
    """Authentication, rate limit, tenancy, scopes and query validation, in that order.

    Subclasses set ``scope_resource`` (``"category"`` → ``category|read`` …), a
    ``filterset_class``, ``sort_fields`` and ``base_queryset()`` (a selector call).
    ``scope_overrides`` maps an action (read/write/delete) to the scopes that grant it.
    The include plan (``apps.core.includes``) prefetches what every include path and the
    serializers' ``render_loads`` need; ``select_for_includes`` / ``prefetch_for_includes``
    may add joins or custom prefetches for a path on top.
    """

    filter_backends = (FilterBackend, SortBackend)
    filterset_class = None
    sort_fields: dict[str, str] | tuple[str, ...] = ()
    scope_resource: str = ""
    scope_overrides: dict[str, tuple[str, ...]] = {}
    extra_query_params: tuple[str, ...] = ()
    select_for_includes: dict[str, list[str]] = {}
    prefetch_for_includes: dict[str, list[str]] = {}
    administration = None
    idempotency_record = None
    granted_scopes: frozenset[str] = frozenset()
    rate_limit_state = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        serializer_class = getattr(cls, "serializer_class", None)
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if "base_queryset" in cls.__dict__ and model is not None:
            visibility.register(cls, model)

    def base_queryset(self):
        raise NotImplementedError

    def _include_paths(self) -> tuple[tuple[str, ...], list[str]]:
        """The requested include paths, and every prefix of them in order: "a.b" needs what
        "a" needs too."""
        requested = query.include_paths(self.request)
        prefixes = set()
        for path in requested:
            segments = path.split(".")
            prefixes.update(".".join(segments[: i + 1]) for i in range(len(segments)))
        return tuple(sorted(set(requested))), sorted(prefixes)

    def get_queryset(self):
        queryset = self.base_queryset()
        requested, prefixes = self._include_paths()
        for path in prefixes:
            if path in self.select_for_includes:
                queryset = queryset.select_related(*self.select_for_includes[path])
            if path in self.prefetch_for_includes:
                queryset = queryset.prefetch_related(*self.prefetch_for_includes[path])
        serializer_class = self.get_serializer_class()
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        # An action may answer with another type (PATCH …/bookings/{id}/customer): the plan
        # belongs to the serializer of the rows this queryset holds.
        if hasattr(queryset, "prefetch_related") and model is queryset.model:
            queryset = queryset.prefetch_related(*include_plan(serializer_class, requested))
        return queryset

    # -- the request pipeline --------------------------------------------------------------

    def perform_authentication(self, request):
        credential = request.auth  # authenticates
        if isinstance(credential, Credential) and settings.RATE_LIMIT_ENABLED:
            self.rate_limit_state = ratelimit.hit(credential.identifier)
            if self.rate_limit_state is not None and not self.rate_limit_state.allowed:
                raise exceptions.Throttled(wait=self.rate_limit_state.retry_after)

    def initial(self, request, *args, **kwargs):
        if request.method.lower() not in self.action_map:
            # Before authentication: the answer does not depend on who asks.
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        self.validate_query(request)
        if isinstance(request.auth, Credential):
            self.idempotency_record = idempotency.begin(request, request.auth.identifier)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.rate_limit_state is not None:
            for header, value in self.rate_limit_state.headers().items():
                response.setdefault(header, value)
        if self.idempotency_record is not None:
            self.response = response  # the JSON:API renderer reads the status from here
            idempotency.finish(self.idempotency_record, response)
        return response

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        deleted = self.deleted_ids_in_window(self.request)
        if deleted is not None:
            response.data.setdefault("meta", {})["deleted_ids"] = deleted
        return response

    def deleted_ids_in_window(self, request) -> list[str] | None:
        """With ``filter[updated_at]=a..b`` a client syncs incrementally; ids of this type
        deleted in that window come along in ``meta.deleted_ids``."""
        raw = request.query_params.get("filter[updated_at]")
        if raw is None or self.administration is None:
            return None
        try:
            expr = Expression.parse(raw)
            if expr.negate or expr.op != "range":
                return None
            since = parse_datetime_term(expr.low) if expr.low else None
            until = parse_datetime_term(expr.high) if expr.high else None
        except InvalidValue:
            return None
        resource_type = get_resource_type_from_serializer(self.get_serializer_class())
        return deleted_ids(
            administration_id=self.administration.pk,
            resource_type=resource_type,
            since=since,
            until=until,
        )

    def validate_query(self, request) -> None:
        is_collection = self.action == "list"
        query.validate_parameter_names(
            request, is_collection=is_collection, extra=self.extra_query_params
        )
        if "sort" in request.query_params and SortBackend not in self.filter_backends:
            raise bad_query("sort", "This collection has a fixed order and cannot be sorted.")
        serializer_class = self.get_serializer_class()
        query.validate_fields(request, serializer_class)
        query.validate_include(request, serializer_class, self.granted_scopes)

    def written_response(
        self, instance, *, status_code: int = 200, headers=None, loaded: bool = False
    ) -> Response:
        """The answer to a write from the planned renderer: the written resource as a read of it
        renders. Unless ``instance`` comes from ``get_queryset()`` (``loaded``), what the read's
        queryset joins and prefetches for the requested includes is loaded onto it (its own
        prefetched rows are dropped: the write changed them). The library's serializers built
        ~240 fields for a booking write's document."""
        serializer_class = self.get_serializer_class()
        if not loaded:
            requested, prefixes = self._include_paths()
            lookups = []
            for path in prefixes:
                lookups += self.select_for_includes.get(path, [])
                lookups += self.prefetch_for_includes.get(path, [])
            lookups += include_plan(serializer_class, requested)
            if getattr(instance, "_prefetched_objects_cache", None):
                instance._prefetched_objects_cache = {}
            prefetch_related_objects([instance], *dict.fromkeys(lookups))
        return Response(
            Resources([instance], serializer_class, many=False),
            status=status_code,
            headers=headers,
        )

    # -- scopes and tenancy (called by ScopePermission) ----------------------------------------

    def required_scopes(self, action: str) -> tuple[str, ...]:
        if action in self.scope_overrides:
            return self.scope_overrides[action]
        return scopes_for_action(self.scope_resource, action)

    def resolve_administration(self, credential: Credential, raw_id: str) -> None:
        """Loads the URL's administration, or 404 when it is not one the credential reaches."""
        missing = not_found("No such administration.")
        administration_id = query.parse_id(raw_id)
        if administration_id is None or not credential.can_access(administration_id):
            raise missing
        administration = credential.loaded.get(administration_id)
        if administration is None:  # not read along with the credential
            administration = tenant_model().objects.filter(pk=administration_id).first()
        if administration is None:
            raise missing
        self.administration = administration

    def expected_document_id(self) -> str | None:
        """The ``id`` a PATCH document must carry: the URL's, unless an action says otherwise."""
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        return None if value is None else str(value)

    def get_sort_fields(self) -> dict[str, str]:
        fields = self.sort_fields
        return dict(fields) if isinstance(fields, dict) else {name: name for name in fields}

    def get_object(self):
        raw = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if query.parse_id(raw) is None:
            raise not_found()
        instance = super().get_object()
        # The URL's administration was read with the credential: a service reading
        # ``instance.administration`` (its events, its rules) gets that row, not a query.
        descriptor = getattr(type(instance), "administration", None)
        if (
            isinstance(descriptor, ForwardManyToOneDescriptor)
            and self.administration is not None
            and getattr(instance, "administration_id", None) == self.administration.pk
            and not descriptor.is_cached(instance)
        ):
            descriptor.field.set_cached_value(instance, self.administration)
        return instance


class ResourceListMixin(mixins.ListModelMixin):
    """Lists hand model instances (or computed objects) to the planned renderer
    (``apps.core.rendering``) instead of serializing each one; with
    ``JSON_API_PLANNED_RENDERING = False`` the library serializes and renders."""

    def list(self, request, *args, **kwargs):
        if not fast_rendering_enabled():
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer_class = self.get_serializer_class()
        if page is not None and not hasattr(queryset, "prefetch_related"):
            load_for_computed(page, serializer_class, query.include_paths(request))
        if page is not None:
            return self.get_paginated_response(Resources(page, serializer_class, many=True))
        return Response(Resources(queryset, serializer_class, many=True))


class ResourceRetrieveMixin(mixins.RetrieveModelMixin):
    def retrieve(self, request, *args, **kwargs):
        if not fast_rendering_enabled():
            return super().retrieve(request, *args, **kwargs)
        instance = self.get_object()
        return Response(Resources([instance], self.get_serializer_class(), many=False))


class ReadOnlyResourceViewSet(ResourceListMixin, ResourceRetrieveMixin, ResourceViewSet):
    http_method_names = ["get", "head"]


class ResourceModelViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ReadOnlyResourceViewSet,
):
    """Create answers 201 with Location; PATCH only (no PUT); delete answers 204."""

    http_method_names = ["get", "post", "patch", "delete", "head"]

    def perform_destroy(self, instance):
        """Hard deletes leave tombstones for incremental syncs (meta.deleted_ids), for the row
        and its cascade; views with a domain rule for deleting override this with their service."""
        instance_delete(instance=instance)
