from celery import shared_task

from apps.webhooks.services import deliveries_sweep, delivery_attempt


@shared_task(name="webhooks.deliver", acks_late=True, ignore_result=True)
def deliver(delivery_id: int) -> None:
    """Attempts one webhook delivery if it is pending and due. Idempotent; a retry is a new
    row time (next_attempt_at), not a Celery countdown."""
    delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Beat: enqueues due deliveries (retries, and any whose first enqueue was lost)."""
    return deliveries_sweep()
