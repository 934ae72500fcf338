from celery import shared_task

from apps.calendars.services.sync import calendars_sync_due, external_calendar_sync


@shared_task(name="calendars.sync", acks_late=True, ignore_result=True)
def sync(calendar_id: int) -> None:
    """Syncs one external calendar. Idempotent (the same feed twice changes nothing) and
    exclusive per calendar (a lease row); a failure is recorded on the calendar."""
    external_calendar_sync(calendar_id=calendar_id)


@shared_task(name="calendars.sync_due", acks_late=True, ignore_result=True)
def sync_due() -> int:
    """Beat: starts the syncs whose interval has passed."""
    return calendars_sync_due()
