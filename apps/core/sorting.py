"""``sort=a,-b`` over the attributes a resource declares sortable; ties broken by id."""

from __future__ import annotations

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
            ordering.append(f"-{path}" if descending else path)
        if "pk" not in ordering and "-pk" not in ordering:
            ordering.append("pk")
        return queryset.order_by(*ordering)
