"""``sort=a,-b`` over the attributes a resource declares sortable; ties broken by id.

Empty values sort as the greatest (last ascending, first descending) on every database, as
PostgreSQL's indexes order them, so page numbers and cursors agree everywhere.
"""

from __future__ import annotations

from django.db.models import F

from apps.core.errors import bad_query


class SortBackend:
    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get("sort")
        if raw is None:
            return queryset.order_by("pk")
        allowed = view.get_sort_fields()
        ordering = []
        for term in raw.split(","):
            name = term.strip()
            descending = name.startswith("-")
            name = name.lstrip("-")
            if name == "id":
                path = "pk"
            elif name in allowed:
                path = allowed[name]
            else:
                choices = ", ".join(["id", *sorted(allowed)])
                raise bad_query("sort", f"Cannot sort on '{term}'. Sortable: {choices}.")
            ordering.append((path, descending))
        if not any(path == "pk" for path, _ in ordering):
            ordering.append(("pk", False))
        return queryset.order_by(*(order_term(path, desc) for path, desc in ordering))


def order_term(path: str, descending: bool):
    """One ``ORDER BY`` term; NULL counts as the greatest value."""
    if path == "pk":
        return "-pk" if descending else "pk"
    field = F(path)
    return field.desc(nulls_first=True) if descending else field.asc(nulls_last=True)
