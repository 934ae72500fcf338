from celery import shared_task
from django.conf import settings

from apps.webhooks.outbox import relay
from apps.webhooks.services import deliveries_sweep, delivery_attempt


@shared_task(name="webhooks.relay", acks_late=True, ignore_result=True)
def relay_events() -> int:
    """After a write that someone listens to commits: its events (and any others waiting in
    the outbox) become events and numbered deliveries, handed to the broker. Idempotent; a
    lost message is made up for by the next sweep, which relays too. A run relays a bounded
    amount; a backlog left after it (an outage's) goes on in the next message it sends."""
    return relay(hand_on=True)


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
    """Beat: relays what waits in the outbox (a relay message lost to a broker outage), then
    hands due deliveries to the broker once each (retries, lost enqueues, attempts of killed
    workers); runs on the periodic queue with the default time limits."""
    return deliveries_sweep()
