"""Events and their delivery: an outbox written with the change, delivered after commit,
retried from rows on a schedule, never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.administrations.models import Administration
from apps.core import outbound
from apps.core.resources import resource_object
from apps.core.services import model_update
from apps.core.tasks_on_commit import enqueue_many_on_commit, send_now
from apps.webhooks import outbox
from apps.webhooks.events import EVENTS, read_scope, takes
from apps.webhooks.models import OwnerKind, WebhookDelivery, WebhookEndpoint
from apps.webhooks.signing import be_signature, new_secret, standard_signature

logger = logging.getLogger(__name__)
RESPONSE_LOG_BYTES = 4096


# -- emitting ---------------------------------------------------------------------------------


def snapshot(instance) -> dict:
    """The resource's attributes now, to compare with after a change (``changes``)."""
    return dict(resource_object(instance).get("attributes", {}))


def event_emit(
    name: str,
    *,
    instance,
    administration: Administration,
    before: dict | None = None,
    data: dict | None = None,
) -> None:
    """Records the event in the outbox, in the caller's transaction, for each subscribed
    endpoint; after commit the relay makes its event row and numbered deliveries and hands
    them to the broker. A rollback therefore emits nothing, and a broker outage only delays
    them (the sweeper relays and re-enqueues what waits).

    Inside a write service (``outbox.batched``) the event is buffered and stored with the
    write's other events just before the service returns (see ``apps.webhooks.outbox``);
    elsewhere it is stored at once.

    ``before`` (a ``snapshot``) makes ``*.updated`` events carry ``changes``:
    ``{attribute: [old, new]}``; an update that changed nothing emits nothing. With no
    endpoint subscribed to ``name`` nothing is written at all.
    """
    endpoints = subscribers(name, administration.pk)
    if not endpoints:
        return
    pending = outbox.Pending(name, instance, administration.pk, endpoints, before, data)
    if not outbox.add(pending):
        outbox.flush([pending])


class Subscriber(NamedTuple):
    """What the outbox needs of an active endpoint: which it is and what it takes (read on
    every write someone may listen to, so three columns rather than a model instance)."""

    pk: int
    events: list[str]
    owner_scopes: list[str]

    def wants(self, event: str) -> bool:
        return takes(self.events, self.owner_scopes, event)


def subscribers(name: str, administration_id: int) -> list[Subscriber]:
    """The administration's active endpoints that take the event ``name``."""
    assert name in EVENTS, f"unregistered event {name}"
    return [e for e in _active_endpoints(administration_id) if e.wants(name)]


def _active_endpoints(administration_id: int) -> list[Subscriber]:
    """The administration's active endpoints, read once per transaction: a write that emits
    several events asks once. (The cache lives on the connection beside an on-commit hook
    that drops it; a rollback discards the hook, and a missing hook means a fresh read.)"""
    connection = transaction.get_connection()

    def read() -> list[Subscriber]:
        query = WebhookEndpoint.objects.filter(administration_id=administration_id, active=True)
        rows = query.order_by("pk").values_list("pk", "events", "owner_scopes")
        return [Subscriber(*row) for row in rows]

    if not connection.in_atomic_block:
        return read()
    cache = getattr(connection, "_webhook_endpoints", None)
    if cache is None or not any(hook[1] is cache["forget"] for hook in connection.run_on_commit):

        def forget():
            connection._webhook_endpoints = None

        cache = connection._webhook_endpoints = {"forget": forget, "by_administration": {}}
        transaction.on_commit(forget)
    found = cache["by_administration"]
    if administration_id not in found:
        found[administration_id] = read()
    return found[administration_id]


def forget_endpoints(**_signal) -> None:
    """Drops the transaction's endpoint cache (an endpoint was saved or deleted)."""
    transaction.get_connection()._webhook_endpoints = None


def listened(administration: Administration, name: str) -> bool:
    """Whether any active endpoint of the administration subscribes to ``name``."""
    return bool(subscribers(name, administration.pk))


def before_update(instance, administration: Administration, name: str) -> dict | None:
    """A snapshot for ``changes``, taken only when someone listens to ``name``."""
    return snapshot(instance) if listened(administration, name) else None


def emit_update(
    name: str, *, instance, administration: Administration, before: dict | None
) -> None:
    if before is not None:
        event_emit(name, instance=instance, administration=administration, before=before)


# -- delivering -------------------------------------------------------------------------------


def signed_headers(endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes) -> dict:
    timestamp = int(time.time())
    message_id = str(delivery.event_id)
    signatures = [standard_signature(endpoint.secret, message_id, timestamp, body)]
    old_valid = (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at
        and (endpoint.previous_secret_expires_at > timezone.now())
    )
    if old_valid:
        signatures.append(standard_signature(endpoint.previous_secret, message_id, timestamp, body))
    return {
        "Content-Type": "application/json",
        "X-BE-Env": settings.WEBHOOK_ENV,
        "X-BE-Signature": be_signature(endpoint.secret, body),
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _entry(now: dt.datetime, **fields) -> dict:
    return {
        "at": _stamp(now),
        "response_code": None,
        "duration_ms": None,
        "response": "",
        "error": "",
        **fields,
    }


def _this_process() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


def _claimant(claimed_by: str) -> tuple[str, int | None, dt.datetime | None]:
    """``host:pid:epoch:token`` → host, pid, when the claim was made."""
    host, _, rest = claimed_by.partition(":")
    pid, _, rest = rest.partition(":")
    epoch, _, _ = rest.partition(":")
    started = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else None
    return host, int(pid) if pid.isdigit() else None, started


def _runs_here(claimed_by: str) -> bool | None:
    """Whether the claiming process is alive: True/False when it ran on this machine (the
    process table says), None when it ran elsewhere (only its lease can tell)."""
    host, pid, _ = _claimant(claimed_by)
    here, _ = _this_process()
    if host != here or pid is None:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandon(delivery_id: int, claimed_by: str, now: dt.datetime) -> bool:
    """Records an attempt whose process stopped before finishing (killed worker, crash, the
    hard time limit) and makes the delivery due now. Only if the claim is still that one."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id, claimed_by=claimed_by).first()
    if delivery is None:
        return False
    _, _, started = _claimant(claimed_by)
    entry = _entry(
        started or now,
        error="The attempt did not finish: the worker sending it stopped (killed, crashed or "
        "over its time limit). The receiver may or may not have received it; it is sent again.",
    )
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, claimed_by=claimed_by).update(
            attempt_log=[*delivery.attempt_log, entry],
            attempts=delivery.attempts + 1,
            claimed_by="",
            next_attempt_at=now,
            enqueued_at=None,
        )
    )


def _claim(delivery_id: int, now: dt.datetime) -> str | None:
    """Claims a pending, due delivery for this process; the claim token, or None.

    The claim is one conditional UPDATE (on the values just read), so two workers never both
    win, and no lock is held while the receiver takes its time. A delivery whose attempt is
    still in flight is not claimed: when its sender ran on this machine, not while that
    process lives (however slow the receiver, however long past the lease); when it ran
    elsewhere, not before the lease ends, which outlives the deliver task's hard time limit.
    A sender known to be dead (a killed worker here) is recorded and retried at once.
    """
    row = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .values("next_attempt_at", "claimed_by")
        .first()
    )
    if row is None or row["next_attempt_at"] is None:
        return None
    due = row["next_attempt_at"] <= now
    if row["claimed_by"]:
        alive = _runs_here(row["claimed_by"])
        _, _, started = _claimant(row["claimed_by"])
        # A process id can be reused: past several leases a live pid is not taken as proof.
        overdue = started is not None and now - started > dt.timedelta(
            seconds=5 * settings.WEBHOOK_CLAIM_LEASE_SECONDS
        )
        if (alive and not overdue) or (alive is None and not due):
            return None
        if not _abandon(delivery_id, row["claimed_by"], now):
            return None
        row = {"next_attempt_at": now, "claimed_by": ""}
    elif not due:
        return None
    host, pid = _this_process()
    token = f"{host}:{pid}:{int(time.time())}:{uuid.uuid4().hex[:8]}"
    lease = now + dt.timedelta(seconds=settings.WEBHOOK_CLAIM_LEASE_SECONDS)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at=row["next_attempt_at"],
        claimed_by=row["claimed_by"],
    ).update(next_attempt_at=lease, claimed_by=token, enqueued_at=None)
    return token if claimed else None


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Sends one due delivery and records the attempt.

    Idempotent: a delivery that is not pending, not due or in flight elsewhere is left alone
    (see ``_claim``). 2xx succeeds; 410 disables the endpoint; anything else, a redirect
    included (redirects are never followed), is retried on the schedule until it fails for good.
    """
    now = timezone.now()
    token = _claim(delivery_id, now)
    if token is None:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    try:
        return _attempt(delivery, token, now)
    except BaseException as exc:  # the soft time limit, a database error: never keep the claim
        logger.exception("Webhook delivery %s: the attempt failed inside", delivery_id)
        if WebhookDelivery.objects.filter(pk=delivery_id, claimed_by=token).exists():
            delivery.refresh_from_db()
            entry = _entry(now, error=f"Internal error: {type(exc).__name__}.")
            _failed_attempt(delivery, token, entry, code=None)
        if not isinstance(exc, Exception):
            raise
        return delivery


def _attempt(delivery: WebhookDelivery, token: str, now: dt.datetime) -> WebhookDelivery:
    endpoint = delivery.endpoint
    if not endpoint.active:
        _finish(delivery, token, WebhookDelivery.Status.FAILED, None)
        return delivery
    scope = read_scope(delivery.event.name)
    if scope not in owner_scopes_now(endpoint):
        # Rendered when the event happened, but its owner may no longer read it: not sent,
        # and never retried (a scope granted again later does not resend old events).
        reason = f"Not sent: the endpoint's owner no longer holds {scope}."
        logger.info("Webhook delivery %s skipped: %s", delivery.pk, reason)
        delivery.attempt_log = [*delivery.attempt_log, _entry(now, error=reason)]
        _finish(delivery, token, WebhookDelivery.Status.SKIPPED, None)
        return delivery
    body = delivery.body.encode()
    entry = _entry(now)
    try:
        response = outbound.request(
            "POST",
            endpoint.url,
            headers=signed_headers(endpoint, delivery, body),
            content=body,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            max_bytes=256 * 1024,
            max_redirects=0,
        )
    except (outbound.OutboundRefused, outbound.OutboundFailed) as exc:
        entry["error"] = str(exc)
        entry["duration_ms"] = int((timezone.now() - now).total_seconds() * 1000)
        _failed_attempt(delivery, token, entry, code=None)
        return delivery
    entry.update(
        response_code=response.status_code,
        duration_ms=response.elapsed_ms,
        response=response.text[:RESPONSE_LOG_BYTES],
    )
    if 200 <= response.status_code < 300:
        delivery.attempt_log = [*delivery.attempt_log, entry]
        delivery.attempts += 1
        _finish(delivery, token, WebhookDelivery.Status.SUCCEEDED, response.status_code)
        if endpoint.failing_since:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    elif response.status_code == 410:
        entry["error"] = "410 Gone: the receiver asked to stop; the endpoint is disabled."
        delivery.attempt_log = [*delivery.attempt_log, entry]
        delivery.attempts += 1
        _finish(delivery, token, WebhookDelivery.Status.FAILED, 410)
        endpoint_disable(endpoint=endpoint, reason="The receiver answered 410 Gone.")
    else:
        if 300 <= response.status_code < 400:
            entry["error"] = (
                "Redirects are not followed: point the endpoint at the final address "
                f"(Location: {response.headers.get('Location', '')[:300]})."
            )
        _failed_attempt(delivery, token, entry, code=response.status_code)
    return delivery


def _store(delivery: WebhookDelivery, token: str) -> None:
    """Writes the attempt's outcome and ends the claim, if the claim is still ours."""
    delivery.claimed_by = ""
    stored = WebhookDelivery.objects.filter(pk=delivery.pk, claimed_by=token).update(
        status=delivery.status,
        attempts=delivery.attempts,
        attempt_log=delivery.attempt_log,
        last_response_code=delivery.last_response_code,
        next_attempt_at=delivery.next_attempt_at,
        claimed_by="",
        enqueued_at=None,
    )
    if not stored:
        logger.warning("Delivery %s: the claim ended before its attempt was stored", delivery.pk)


def _finish(delivery: WebhookDelivery, token: str, status: str, code: int | None) -> None:
    delivery.status = status
    delivery.last_response_code = code if code is not None else delivery.last_response_code
    delivery.next_attempt_at = None
    _store(delivery, token)


def _failed_attempt(
    delivery: WebhookDelivery, token: str, entry: dict, *, code: int | None
) -> None:
    """Schedules the next attempt (or gives up), and disables an endpoint that has failed
    everything for WEBHOOK_DISABLE_AFTER_FAILING_DAYS."""
    now = timezone.now()
    delivery.attempt_log = [*delivery.attempt_log, entry]
    delivery.attempts += 1
    delivery.last_response_code = code
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if delivery.attempts > len(schedule):
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + dt.timedelta(seconds=schedule[delivery.attempts - 1])
    _store(delivery, token)
    endpoint = delivery.endpoint
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
    elif now - endpoint.failing_since >= dt.timedelta(
        days=settings.WEBHOOK_DISABLE_AFTER_FAILING_DAYS
    ):
        endpoint_disable(
            endpoint=endpoint,
            reason=f"Every delivery failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC "
            f"(last: {entry['error'] or entry['response_code']}).",
        )


def _release_abandoned(now: dt.datetime) -> int:
    """Attempts in flight whose sender on this machine is gone: recorded and made due now,
    without waiting out their lease."""
    in_flight = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__gt=now
    ).exclude(claimed_by="")
    released = 0
    for delivery_id, claimed_by in in_flight.values_list("pk", "claimed_by")[:500]:
        if _runs_here(claimed_by) is False:
            released += _abandon(delivery_id, claimed_by, now)
    return released


SWEEP_RELAY_ROUNDS = 4  # a sweep relays at most this many relay transactions' worth


def deliveries_sweep(*, limit: int = 500) -> int:
    """Relays the events waiting in the outbox (a relay message lost to a broker outage: the
    relay hands their deliveries over as it commits), then hands each due delivery to the
    broker once: retries, deliveries whose first enqueue was lost to a broker outage, and
    attempts of a worker that died. A row handed over is marked
    (``enqueued_at``) and skipped by later sweeps until an attempt runs, or until
    WEBHOOK_REENQUEUE_AFTER_SECONDS pass (a message lost inside the broker). Overlapping
    sweeps are harmless: the rows are taken with SKIP LOCKED and sending claims each one.
    Returns how many were handed over."""
    from apps.webhooks.tasks import deliver

    try:  # a backlog goes on in relay tasks, not in the sweep
        outbox.relay(rounds=SWEEP_RELAY_ROUNDS, hand_on=True)
    except Exception:  # retries and abandoned attempts must not wait for the relay
        logger.exception("The sweep could not relay the outbox; it goes on with the deliveries")
    now = timezone.now()
    _release_abandoned(now)
    stale = now - dt.timedelta(seconds=settings.WEBHOOK_REENQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=due).update(enqueued_at=now)
    unsent = send_now(deliver, [(pk,) for pk in due])
    _not_enqueued(unsent)
    return len(due) - len(unsent)


def _not_enqueued(calls: list[tuple]) -> None:
    """The broker did not take these: the next sweep hands them over again."""
    if calls:
        WebhookDelivery.objects.filter(pk__in=[args[0] for args in calls]).update(enqueued_at=None)


# -- owners -----------------------------------------------------------------------------------


def owner_fields(credential, administration_id: int) -> dict:
    """The endpoint columns naming ``credential`` as owner, with its scopes there now."""
    if credential.api_key_id is not None:
        kind = OwnerKind.API_KEY
    elif credential.user_id is not None:
        kind = OwnerKind.USER
    else:
        kind = OwnerKind.APP
    return {
        "owner_kind": kind,
        "owner_api_key_id": credential.api_key_id,
        "owner_user_id": credential.user_id,
        "owner_scopes": sorted(credential.scopes_for(administration_id)),
    }


def staff_owner() -> dict:
    from apps.core.scopes import SCOPES

    return {"owner_kind": OwnerKind.STAFF, "owner_scopes": sorted(SCOPES)}


def owner_scopes_now(endpoint: WebhookEndpoint) -> frozenset[str]:
    """What the endpoint's owner may read now, never more than when it subscribed.

    A halted app, a revoked or deleted key, an uninstalled app (no subscription), a user who no longer
    manages the administration and an app whose tokens from that user were revoked or ran out
    hold nothing; a narrowed key or subscription holds less.
    """
    from apps.administrations.models import Membership
    from apps.oauth.models import ApiKey, Application, Subscription
    from apps.oauth.selectors import consented_scopes

    then = frozenset(endpoint.owner_scopes)
    if endpoint.owner_kind == OwnerKind.STAFF:
        return then
    if Application.objects.filter(pk=endpoint.application_id, halted_at__isnull=False).exists():
        return frozenset()  # a halted app reads nothing, through the API or through its hooks
    if endpoint.owner_kind == OwnerKind.API_KEY:
        key = (
            ApiKey.objects.select_related("subscription")
            .filter(pk=endpoint.owner_api_key_id, revoked_at__isnull=True)
            .first()
        )
        if key is None:
            return frozenset()
        return then & frozenset(key.scopes) & frozenset(key.subscription.scopes)
    if endpoint.owner_kind == OwnerKind.USER:
        user = endpoint.owner_user
        if user is None or not user.is_active:
            return frozenset()
        manages = (
            user.is_superuser
            or Membership.objects.filter(
                user=user, administration_id=endpoint.administration_id
            ).exists()
        )
        if not manages:
            return frozenset()
        # The app subscribed through this user's consent: it reads only while that lasts.
        return then & consented_scopes(user, endpoint.application_id, endpoint.administration_id)
    subscription = Subscription.objects.filter(
        administration_id=endpoint.administration_id, application_id=endpoint.application_id
    ).first()
    return then & frozenset(subscription.scopes) if subscription else frozenset()


# -- endpoints --------------------------------------------------------------------------------


@transaction.atomic
def endpoint_create(
    *,
    administration: Administration,
    application_id: int | None,
    owner: dict | None = None,
    **attributes,
) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (shown to the caller once). ``owner`` is
    ``owner_fields(credential, …)`` of an API caller, whose serializer has checked that it
    may read every event subscribed; without one the endpoint is staff's, reading all."""
    owner = owner or staff_owner()
    return WebhookEndpoint.objects.create(
        administration=administration,
        application_id=application_id,
        secret=new_secret(),
        **owner,
        **attributes,
    )


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, owner: dict | None = None, **attributes
) -> WebhookEndpoint:
    """Changes the endpoint; a change of ``url`` or ``events`` makes the caller (``owner``)
    its owner, so what is sent where is always what that caller may read."""
    if owner is not None and ({"url", "events"} & set(attributes)):
        attributes = {**attributes, **owner}
    model_update(endpoint, attributes, attributes, save=False)
    if attributes.get("active"):
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing alongside for WEBHOOK_OLD_SECRET_HOURS."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + dt.timedelta(
        hours=settings.WEBHOOK_OLD_SECRET_HOURS
    )
    endpoint.secret = new_secret()
    endpoint.save()
    return endpoint


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_reason=reason)
    forget_endpoints()
    endpoint.active = False
    endpoint.disabled_reason = reason


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Sends the same body again (same event id), now, whatever happened before; an attempt
    in flight is left to finish (it is being sent already)."""
    from apps.webhooks.tasks import deliver

    now = timezone.now()
    updated = WebhookDelivery.objects.filter(pk=delivery.pk, claimed_by="").update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=now, enqueued_at=now
    )
    delivery.refresh_from_db()
    if updated:
        enqueue_many_on_commit(deliver, [(delivery.pk,)], on_failure=_not_enqueued)
    return delivery
