from celery import shared_task


@shared_task(name="core.ping")
def ping() -> str:
    """Round trip through the broker and a worker; used by deploy checks. No side effects."""
    return "pong"


@shared_task(name="core.housekeeping", ignore_result=True)
def housekeeping() -> dict:
    """Hourly: forgets expired idempotency keys and tombstones past their retention."""
    from apps.core import idempotency
    from apps.core.tombstones import tombstones_prune

    return {"idempotency_keys": idempotency.prune(), "tombstones": tombstones_prune()}
