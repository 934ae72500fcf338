from celery import shared_task
from django.conf import settings

from apps.webhooks.services import deliveries_sweep, delivery_attempt


@shared_task(
    name="webhooks.deliver",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.WEBHOOK_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.WEBHOOK_TASK_TIME_LIMIT,
)
def deliver(delivery_id: int) -> None:
    """Attempts one webhook delivery if it is pending and due. Idempotent; a retry is a new
    row time (next_attempt_at), not a Celery countdown. Its hard time limit ends before the
    claim's lease (WEBHOOK_CLAIM_LEASE_SECONDS), so an attempt never outlives its claim."""
    delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Beat: hands due deliveries to the broker once each (retries, lost enqueues, attempts
    of killed workers); runs on the periodic queue with the default time limits."""
    return deliveries_sweep()
