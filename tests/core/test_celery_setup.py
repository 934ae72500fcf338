"""Celery as production runs it: two queues, time limits on every task, a beat safe to run twice."""

import re
from pathlib import Path

import pytest

from apps.core.beat import BeatLock
from config.celery_app import app

PERIODIC = ["webhooks.sweep", "calendars.sync_due", "bookings.expire_options", "core.housekeeping"]


def queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_deliveries_and_periodic_work_have_separate_queues(settings):
    assert queue_of("webhooks.deliver") == "deliveries"
    assert queue_of("webhooks.relay") == "deliveries"  # a write's events on their way out
    assert {queue_of(name) for name in PERIODIC} == {"periodic"}
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} == set(PERIODIC)


@pytest.mark.parametrize("path", ["docker-compose.yml", "README.md"])
def test_the_documented_worker_consumes_both_queues(path):
    text = Path(path).read_text()
    commands = re.findall(r"celery.*?worker[^\n]*", text)
    assert commands, f"no worker command in {path}"
    for command in commands:
        queues = re.search(r"""-Q["', ]+([\w,]+)""", command)
        assert queues and set(queues.group(1).split(",")) == {"periodic", "deliveries"}, command


def test_every_task_has_time_limits():
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name


@pytest.mark.django_db(transaction=True)
def test_one_beat_holds_the_lock_and_a_standby_takes_over():
    active, standby = BeatLock(), BeatLock()
    try:
        assert active.acquire() is True
        assert standby.acquire() is False
        assert active.acquire() is True  # still ours, checked again
        active.release()  # the active beat stops (or its process dies)
        assert standby.acquire() is True
        assert active.acquire() is False
    finally:
        active.release()
        standby.release()
