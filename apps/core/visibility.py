"""What a request may see of each model, for every write that names a resource by id.

A relationship in a write (``booking`` on a reservation, a side-posted ``customer``, ``labels``
on a customer …) must only reach what the same credentials could read: otherwise a channel
app that gets 404 on another app's booking could still attach a reservation to it. So ids in
writes are not resolved against a queryset of their own, but against the read queryset of
the viewset that serves that model — the same selector, tenancy and channel rules.

``ResourceViewSet`` registers each viewset that defines ``base_queryset``; a model served by
more than one such viewset (agenda periods, one per subtype) has no single read, and resolving
a relationship to it is a programming error the walk in tests/core/test_relationship_visibility
finds.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

_readers: dict[type, list[type]] = {}


def register(viewset_class, model) -> None:
    readers = _readers.setdefault(model, [])
    if viewset_class not in readers:
        readers.append(viewset_class)


def reader_for(model):
    readers = _readers.get(model, [])
    if len(readers) != 1:
        names = ", ".join(cls.__name__ for cls in readers) or "none"
        raise ImproperlyConfigured(
            f"{model.__name__} needs exactly one reading viewset to resolve ids in writes "
            f"(found: {names})."
        )
    return readers[0]


def readable(view, model):
    """The queryset of ``model`` the credentials of ``view``'s request may read, in the view's
    administration — what a GET of that resource by id would search."""
    reader = reader_for(model)()
    reader.request = view.request
    reader.args = ()
    reader.kwargs = dict(getattr(view, "kwargs", {}))
    reader.format_kwarg = None
    reader.action = "retrieve"
    reader.administration = getattr(view, "administration", None)
    reader.granted_scopes = getattr(view, "granted_scopes", frozenset())
    # A lookup by id needs none of the prefetches a list does.
    return reader.base_queryset().prefetch_related(None)
