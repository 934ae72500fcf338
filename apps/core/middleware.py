"""Request checks that hold for every URL before any view runs."""

from __future__ import annotations

from apps.core.errors import error_response


class RefuseNulMiddleware:
    """A NUL character in the path or a query parameter is refused here, once for every view.

    PostgreSQL text cannot hold one, so letting it reach a filter or a lookup turns a typo or a
    probe into a 500. A path is 404 (no resource has such a name); a header (an
    ``Idempotency-Key`` is stored) or a query parameter is 400, naming it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return error_response(404, "No resource has a name containing NUL (U+0000).")
        for name, value in request.META.items():
            if name.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                header = name[5:].replace("_", "-").title()
                return error_response(
                    400, f"The {header} header may not contain the NUL character (U+0000)."
                )
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return error_response(
                    400,
                    "Query parameters may not contain the NUL character (U+0000).",
                    parameter=key,
                )
        return self.get_response(request)
