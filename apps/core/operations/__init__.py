"""JSON:API Atomic Operations on ``POST /v3/administrations/{id}/operations``; apps register
what may be written through it (see ``registry``)."""

from apps.core.operations.registry import (
    OperationHandler,
    batch_scope_register,
    operation_handler_register,
)

__all__ = ["OperationHandler", "batch_scope_register", "operation_handler_register"]
