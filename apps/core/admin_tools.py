"""What every back-office page shares: staff see only the administrations they belong to."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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


def _add_refusal(form, exc: Exception) -> None:
    """A service's refusal as form errors: on the field it names when the form shows that
    field, else above the form."""
    if isinstance(exc, DomainError):
        errors = {exc.field: [exc.message]}
    elif hasattr(exc, "error_dict"):
        errors = exc.error_dict
    else:
        errors = {None: exc.error_list}
    for name, found in errors.items():
        field = name if name in form.fields and name != NON_FIELD_ERRORS else None
        form.add_error(field, ValidationError(list(found)))


class _ServiceSavedForm:
    """Put in front of an admin's model form by ``ServiceSaveMixin``: once the form's own
    checks pass, the service writes, and whatever it refuses becomes a form error."""

    _save_through_service = None  # set on the class ``ServiceSaveMixin.get_form`` makes

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance = self._save_through_service(self)
        except (DomainError, ValidationError) as exc:
            _add_refusal(self, exc)


class ServiceSaveMixin:
    """Adds and changes in the back-office go through the services, like the API's.

    The service runs while the form is validated, not in ``save_model``: by then Django has
    decided the form is valid, and a refusal (dates taken, a stay rule, a price missing) could
    only be a 500 or a message over a page that says "changed successfully". Run here, the
    refusal is a form error on the field it names, and the service's own savepoint has undone
    its writes; the admin's transaction (``changeform_view`` is atomic) holds the rest.

    Most admins only name their services: ``create_service(administration=…, **values)``
    and ``update_service(<update_argument>=the row as stored, **values)``, given
    ``form_values``. A change passes the service the row as stored, not ``form.instance``
    (which already carries the form's values), so the service sees what changed (and emits
    it). An admin whose rows are written otherwise overrides ``save_through_service``, which
    returns the saved row."""

    create_service = None
    update_service = None
    update_argument = ""

    def save_through_service(self, request, form, change: bool):
        services = type(self)  # the services as plain functions, not bound to the admin
        if services.create_service is None or services.update_service is None:
            raise NotImplementedError(f"{services.__name__} names no create/update service")
        values = self.form_values(form, change)
        if change:
            stored = self.model.objects.get(pk=form.instance.pk)
            return services.update_service(**{self.update_argument: stored}, **values)
        return services.create_service(administration=form.cleaned_data["administration"], **values)

    @staticmethod
    def form_values(form, change: bool) -> dict:
        """The form's values for a create or update service: on a change only those that
        changed; never the administration (a row stays in its own; a create takes it apart);
        on an add no many-to-many values (the admin sets them once the row exists)."""
        data, meta = form.cleaned_data, form._meta.model._meta
        names = form.changed_data if change else list(data)
        return {
            name: data[name]
            for name in names
            if name in data
            and name != "administration"
            and (change or not meta.get_field(name).many_to_many)
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        def save(form):
            return self.save_through_service(request, form, change)

        return type(
            form_class.__name__,
            (_ServiceSavedForm, form_class),
            {"_save_through_service": staticmethod(save)},
        )

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        tenant = any(field.name == "administration" for field in self.model._meta.fields)
        if obj is not None and tenant and "administration" not in fields:
            return (*fields, "administration")  # no service moves a row to another park
        return fields

    def save_model(self, request, obj, form, change):
        """Nothing left to do: the service saved while the form was validated."""


class WrittenByTheSystem:
    """Rows the system keeps (tombstones, sequences, grants, idempotency records): staff read
    them (and delete them where that is allowed), but add or change none, since no service
    would check or announce it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
