"""What every back-office page shares: staff see only the administrations they belong to."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.core.exceptions import DomainError


def managed_administration_ids(user) -> list[int] | None:
    """None for superusers (every administration), else the ids of the user's memberships."""
    if user.is_superuser:
        return None
    from apps.administrations.models import Membership

    return list(Membership.objects.filter(user=user).values_list("administration_id", flat=True))


class TenantAdmin(admin.ModelAdmin):
    """Rows are confined to the staff member's administrations; so are the choices offered."""

    administration_path = "administration"
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over big tables on every page

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        allowed = managed_administration_ids(request.user)
        if allowed is None:
            return queryset
        return queryset.filter(**{f"{self.administration_path}__in": allowed})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        allowed = managed_administration_ids(request.user)
        if allowed is not None and field is not None and hasattr(field, "queryset"):
            model = field.queryset.model
            if model._meta.label == "administrations.Administration":
                field.queryset = field.queryset.filter(pk__in=allowed)
            elif any(f.name == "administration" for f in model._meta.get_fields()):
                field.queryset = field.queryset.filter(administration__in=allowed)
        return field


def run_service(modeladmin, request, queryset, label: str, call) -> None:
    """Applies ``call`` to each selected row through the services; reports per row."""
    done, failed = 0, []
    for obj in queryset:
        try:
            call(obj)
            done += 1
        except (DomainError, ValidationError) as exc:
            detail = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
            failed.append(f"{obj}: {detail}")
    if done:
        modeladmin.message_user(request, f"{label}: {done} done.", messages.SUCCESS)
    for line in failed:
        modeladmin.message_user(request, line, messages.ERROR)
