from celery import shared_task

from apps.bookings.services.bookings import booking_expire_options


@shared_task(name="bookings.expire_options", acks_late=True, ignore_result=True)
def expire_options() -> int:
    """Cancels options and concepts whose hold has ended (cancel_reason "option expired").

    Run by beat every OPTION_EXPIRY_INTERVAL_SECONDS; idempotent, and safe to overlap with
    itself (bookings are claimed with SKIP LOCKED). Availability ignores expired holds even
    before this runs.
    """
    return booking_expire_options()
