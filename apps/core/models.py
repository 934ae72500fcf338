"""Base model and the model fields the JSON:API layer understands."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class LocalizedField(models.JSONField):
    """A text per locale, stored as ``{"en": "…", "nl": "…"}``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)


#: Weekday names as the API writes them (``arrival_weekdays``…), Monday first like
#: ``date.weekday()``.
EXCLUSIVE_END_ORDER = "end_date must be after start_date (it is exclusive)."

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class StringListField(models.JSONField):
    """A list of short strings (locale codes, tags), stored as a JSON array."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)


class Tombstone(models.Model):
    """A hard-deleted resource, so incremental syncs learn what vanished (meta.deleted_ids)."""

    resource_type = models.CharField(max_length=50)
    resource_id = models.CharField(max_length=64)
    administration = models.ForeignKey(
        "administrations.Administration", on_delete=models.CASCADE, related_name="+"
    )
    deleted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["administration", "resource_type", "deleted_at"])]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.resource_id} deleted {self.deleted_at:%Y-%m-%d}"


class IdempotencyRecord(models.Model):
    """A POST made with an Idempotency-Key, and the answer to replay for a retry of it."""

    credential = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    completed = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    locked_until = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({'done' if self.completed else 'running'})"
