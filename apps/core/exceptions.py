"""Errors of the domain, raised by services.

They say what went wrong in the product's own terms and carry no HTTP status and no JSON
pointer: the API's exception handler (``apps.core.errors``) decides how each kind is shown to
a client, the back-office shows the message, the calendar sync records it. ``field`` names the
input the error is about (a model field name, not a pointer) when there is one.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule a service refuses to break."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class Conflict(DomainError):
    """The request contradicts the current state of things (dates taken, rows still in use)."""


class PeriodClash(Conflict):
    """The dates overlap a blocking period on the same rentable; ``clash`` is that period."""

    def __init__(self, message: str, *, clash=None, field: str | None = None):
        super().__init__(message, field=field)
        self.clash = clash


class StillInUse(Conflict):
    """A row cannot go while others depend on it (a category with rentables, …)."""


class InvalidTransition(DomainError):
    """A state change the life cycle does not allow."""


class NotPermitted(DomainError):
    """The caller may not do this under the rules of the domain (an owner's agreement, …)."""
