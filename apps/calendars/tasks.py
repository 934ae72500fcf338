from celery import shared_task
from django.conf import settings

from apps.calendars.services.sync import calendars_sync_due, external_calendar_sync


@shared_task(
    name="calendars.sync",
    acks_late=True,
    ignore_result=True,
    # Soft: the sync stops, rolls back and records why; hard: the worker child is killed. The
    # calendar's lease (services.sync.lease_seconds) outlives the hard limit.
    soft_time_limit=settings.ICAL_SYNC_SOFT_TIME_LIMIT_SECONDS,
    time_limit=settings.ICAL_SYNC_TIME_LIMIT_SECONDS,
)
def sync(calendar_id: int) -> None:
    """Syncs one external calendar. Idempotent (the same feed twice changes nothing) and
    exclusive per calendar (a lease row); a failure is recorded on the calendar."""
    external_calendar_sync(calendar_id=calendar_id)


@shared_task(
    name="calendars.sync_due", acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=60
)
def sync_due() -> int:
    """Beat: starts the syncs whose interval has passed."""
    return calendars_sync_due()
