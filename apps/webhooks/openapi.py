"""The webhook events, in the OpenAPI document (a drf-spectacular post-processing hook)."""

from apps.webhooks.events import EVENTS


def describe_webhook_events(result, generator, request, public):
    events = "\n".join(f"- `{name}`: {text}" for name, text in EVENTS.items())
    info = result.setdefault("info", {})
    info["description"] = (
        f"{info.get('description', '')}\n\n"
        "Webhook events (subscribe with a webhook_endpoint; `*` for all):\n" + events
    ).strip()
    result["x-webhook-events"] = dict(EVENTS)
    return result
