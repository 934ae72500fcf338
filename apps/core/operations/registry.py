"""What each resource type may do through ``POST …/operations`` (JSON:API Atomic Operations).

Core knows no resource: the app that owns one registers a handler in its ``AppConfig.ready``,
as it registers its webhook serializer and its deletion rule. A handler names the serializer
(its ``Meta.resource_name`` is the operation's ``type``, and it validates ``data`` exactly as the
single-resource endpoint does), the read selector that finds targets of ``update`` / ``remove``
in the administration, and the services that write; ``apps/rates/apps.py`` registers
``rate`` that way, with a one-line lambda per service.

``bulk_create`` is optional but is what makes thousands of ``add`` operations cheap: consecutive
adds of one type are validated one by one with the serializer, then handed over together. It
takes the validated dicts in order, writes them in one transaction with bulk inserts, emits one
``<type>.created`` event per row, returns the rows in the same order, and on a refusal raises
the domain error with ``item_index`` set to the failing item (``apps.core.services.for_item``).

``prepare`` (optional) sees each operation before the serializer: its ``op``, the raw
``attributes`` and, for update/remove, the target; it may refuse (a Django ``ValidationError``
keyed by attribute, or a domain error) or return extra keyword arguments for the service (the
agenda periods take their subtype from ``attributes.period_type`` there).

``scope_resource`` names the scopes (``<resource>|write``, and ``|delete`` for remove where
that scope exists) when they differ from the type.

The request runs inside every registered ``batch_scope`` (the webhooks app registers its outbox
buffer, so all events of the request are stored in one go before commit).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from functools import cached_property

from rest_framework_json_api.utils import get_resource_type_from_serializer


@dataclass(frozen=True)
class OperationHandler:
    serializer_class: type
    queryset: Callable
    create: Callable
    update: Callable
    delete: Callable
    bulk_create: Callable | None = None
    prepare: Callable | None = None
    scope_resource: str | None = None

    @cached_property
    def resource_type(self) -> str:
        return get_resource_type_from_serializer(self.serializer_class)

    @property
    def model(self):
        return self.serializer_class.Meta.model


_HANDLERS: dict[str, OperationHandler] = {}
_BATCH_SCOPES: list[Callable[[], AbstractContextManager]] = []


def operation_handler_register(handler: OperationHandler) -> None:
    """Makes ``handler.resource_type`` writable through operations (called in ``ready``)."""
    _HANDLERS[handler.resource_type] = handler


def operation_handler(resource_type: str) -> OperationHandler | None:
    return _HANDLERS.get(resource_type)


def operation_handlers() -> dict[str, OperationHandler]:
    return dict(sorted(_HANDLERS.items()))


def batch_scope_register(factory: Callable[[], AbstractContextManager]) -> None:
    """A context manager every operations request runs inside, within its transaction."""
    if factory not in _BATCH_SCOPES:
        _BATCH_SCOPES.append(factory)


def batch_scopes() -> ExitStack:
    stack = ExitStack()
    for factory in _BATCH_SCOPES:
        stack.enter_context(factory())
    return stack
