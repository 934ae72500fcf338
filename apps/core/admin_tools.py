"""What every back-office page shares: staff see only the administrations they belong to."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from apps.core.deletion import instance_delete
from apps.core.exceptions import DomainError


def managed_administration_ids(user) -> list[int] | None:
    """None for superusers (every administration), else the ids of the user's memberships."""
    if user.is_superuser:
        return None
    from apps.core.tenancy import membership_model

    return list(
        membership_model().objects.filter(user=user).values_list("administration_id", flat=True)
    )


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)


class ServiceDeleteMixin:
    """Deletes in the back-office go through the services, like the API's: the delete page and
    "Delete selected" alike, so rows taken by a cascade leave tombstones and events too. A
    model with a domain rule for deleting overrides ``delete_through_service``."""

    def delete_through_service(self, request, obj) -> None:
        instance_delete(instance=obj)

    def delete_model(self, request, obj):
        try:
            self.delete_through_service(request, obj)
        except (DomainError, ValidationError) as exc:
            request._service_delete_refused = True
            self.message_user(request, f"{obj} was not deleted: {_message(exc)}", messages.ERROR)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_service_delete_refused", False):
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            )
        return super().response_delete(request, obj_display, obj_id)


class TenantAdmin(ServiceDeleteMixin, admin.ModelAdmin):
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
            failed.append(f"{obj}: {_message(exc)}")
    if done:
        modeladmin.message_user(request, f"{label}: {done} done.", messages.SUCCESS)
    for line in failed:
        modeladmin.message_user(request, line, messages.ERROR)
