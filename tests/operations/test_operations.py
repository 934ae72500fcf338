"""POST …/operations: JSON:API Atomic Operations over stay rules and agenda periods."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.core.operations import registry
from apps.core.operations.registry import OperationHandler
from apps.stays.models import StayRule
from apps.webhooks.models import Event, WebhookEndpoint
from apps.webhooks.outbox import relay
from tests.agenda_periods.factories import AgendaPeriodFactory
from tests.jsonapi import MEDIA_TYPE, assert_valid_document
from tests.rentables.factories import CategoryFactory, RentableFactory

pytestmark = pytest.mark.django_db

ATOMIC = f'{MEDIA_TYPE}; ext="https://jsonapi.org/ext/atomic"'
TODAY = dt.date.today()


def day(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


class AtomicClient(APIClient):
    """Sends operations documents; checks every answer: the extension's media type, each
    result's resource (as a JSON:API document of its own) and error documents."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.defaults.setdefault("HTTP_ACCEPT", ATOMIC)

    def operations(self, administration, operations, content_type=ATOMIC, **extra):
        body = json.dumps({"atomic:operations": operations})
        path = f"/v3/administrations/{administration.pk}/operations"
        return self.generic("POST", path, body, content_type, **extra)

    def request(self, **kwargs):
        response = super().request(**kwargs)
        assert response["Content-Type"] == ATOMIC, response["Content-Type"]
        response.doc = json.loads(response.content)
        if response.status_code >= 400:
            assert_valid_document(response.doc)
            assert all(e["status"] == str(response.status_code) for e in response.doc["errors"])
        else:
            assert set(response.doc) == {"atomic:results"}
            for result in response.doc["atomic:results"]:
                if result:
                    assert_valid_document(result)
        return response


def _client(administration, make_key, scopes):
    client = AtomicClient()
    client.credentials(HTTP_X_API_KEY=make_key(administration, scopes))
    return client


def add_rule(category, start: int, end: int, lid=None, **attributes):
    data = {
        "type": "stay_rule",
        "attributes": {"start_date": day(start), "end_date": day(end), **attributes},
        "relationships": {"category": {"data": {"type": "category", "id": str(category.pk)}}},
    }
    if lid:
        data["lid"] = lid
    return {"op": "add", "data": data}


def add_period(rentable, start: int, end: int, period_type=PeriodType.MAINTENANCE, **attributes):
    return {
        "op": "add",
        "data": {
            "type": "agenda_period",
            "attributes": {
                "period_type": period_type,
                "start_date": day(start),
                "end_date": day(end),
                **attributes,
            },
            "relationships": {"rentable": {"data": {"type": "rentable", "id": str(rentable.pk)}}},
        },
    }


def listen(administration) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        administration=administration,
        url="https://hooks.example.com/x",
        events=["*"],
        owner_scopes=["stay_rule|read", "agenda_period|read"],
    )


def remove(resource_type, resource_id):
    return {"op": "remove", "ref": {"type": resource_type, "id": str(resource_id)}}


def test_adds_updates_and_removes_in_order_with_lids(atomic, administration, category):
    # given: an override that is to go
    old = StayRule.objects.create(
        administration=administration,
        category=category,
        start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=5),
    )

    # when: two new ones, the first changed through its lid, the old one removed
    response = atomic.operations(
        administration,
        [
            add_rule(category, 10, 20, lid="a", minimum_number_of_nights=3),
            add_rule(category, 30, 40, lid="b"),
            {
                "op": "update",
                "data": {
                    "type": "stay_rule",
                    "lid": "a",
                    "attributes": {"minimum_number_of_nights": 7},
                },
            },
            remove("stay_rule", old.pk),
        ],
    )

    # then
    assert response.status_code == 200, response.doc
    first, second, updated, removed = response.doc["atomic:results"]
    assert first["data"]["type"] == "stay_rule"
    assert first["data"]["attributes"]["minimum_number_of_nights"] == 3  # as after its op
    assert updated["data"]["id"] == first["data"]["id"]
    assert updated["data"]["attributes"]["minimum_number_of_nights"] == 7
    assert second["data"]["attributes"]["start_date"] == day(30)
    assert removed == {}
    assert first["data"]["relationships"]["category"]["data"] == {
        "type": "category",
        "id": str(category.pk),
    }
    assert first["data"]["links"]["self"].endswith(f"/stay_rules/{first['data']['id']}")
    rules = StayRule.objects.order_by("start_date")
    assert [(r.start_date.isoformat(), r.minimum_number_of_nights) for r in rules] == [
        (day(10), 7),
        (day(30), None),
    ]


def test_a_result_is_what_the_single_endpoint_renders(atomic, api, administration, category):
    response = atomic.operations(administration, [add_rule(category, 10, 20)])
    data = response.doc["atomic:results"][0]["data"]

    shown = api.get(f"/v3/administrations/{administration.pk}/stay_rules/{data['id']}")

    assert shown.doc["data"] == data


def test_relationship_linkage_may_name_an_added_resource_by_lid(
    atomic, administration, monkeypatch
):
    # given: categories writable through operations too (as any app can register them)
    from apps.rentables import selectors, services
    from apps.rentables.serializers import CategorySerializer

    handlers = dict(registry._HANDLERS)
    handlers["category"] = OperationHandler(
        serializer_class=CategorySerializer,
        queryset=lambda administration: selectors.category_list(administration=administration),
        create=lambda *, administration, data: services.category_create(
            administration=administration, **data
        ),
        update=lambda *, instance, data: services.category_update(category=instance, **data),
        delete=lambda *, instance: services.category_delete(category=instance),
    )
    monkeypatch.setattr(registry, "_HANDLERS", handlers)
    rule = add_rule(CategoryFactory.build(pk=0), 10, 20)
    rule["data"]["relationships"]["category"]["data"] = {"type": "category", "lid": "new"}

    # when
    response = atomic.operations(
        administration,
        [
            {
                "op": "add",
                "data": {
                    "type": "category",
                    "lid": "new",
                    "attributes": {"name": {"en": "Lodge"}, "max_number_of_people": 4},
                },
            },
            rule,
        ],
    )

    # then
    assert response.status_code == 200, response.doc
    category_id = response.doc["atomic:results"][0]["data"]["id"]
    assert StayRule.objects.get().category_id == int(category_id)


def test_one_bad_operation_writes_nothing_and_points_at_itself(
    atomic, administration, category, rentable
):
    listen(administration)
    operations = [
        add_rule(category, 10, 20),
        add_period(rentable, 5, 8),
        add_rule(category, 30, 40),
        add_rule(category, 50, 45),  # ends before it starts
        add_rule(category, 60, 70),
    ]

    response = atomic.operations(administration, operations)

    assert response.status_code == 422, response.doc
    (error,) = response.doc["errors"]
    assert error["code"] == "VALIDATION_FAILED"
    assert error["source"]["pointer"] == "/atomic:operations/3/data/attributes/end_date"
    assert error["detail"].startswith("Operation 3 (add stay_rule): ")
    assert not StayRule.objects.exists()
    assert not AgendaPeriod.objects.exists()
    relay()
    assert not Event.objects.exists()


def test_a_bad_relationship_points_at_the_relationship(atomic, administration, category):
    foreign = CategoryFactory()  # another administration's
    operations = [add_rule(category, 10, 20), add_rule(foreign, 30, 40)]

    response = atomic.operations(administration, operations)

    assert response.status_code == 422
    pointer = response.doc["errors"][0]["source"]["pointer"]
    assert pointer == "/atomic:operations/1/data/relationships/category"
    assert not StayRule.objects.exists()


def test_a_clash_with_the_calendar_is_409_at_its_operation(atomic, administration, rentable):
    taken = AgendaPeriodFactory(
        rentable=rentable,
        start_date=TODAY + dt.timedelta(days=20),
        end_date=TODAY + dt.timedelta(days=25),
    )
    operations = [
        add_period(rentable, 5, 8),
        add_period(rentable, 10, 12, period_type=PeriodType.EXTERNAL_BLOCKED),
        add_period(rentable, 22, 24),
    ]

    response = atomic.operations(administration, operations)

    assert response.status_code == 409, response.doc
    (error,) = response.doc["errors"]
    assert error["code"] == "CONFLICT"
    assert error["source"]["pointer"] == "/atomic:operations/2"
    assert f"agenda period {taken.pk}" in error["detail"]
    assert AgendaPeriod.objects.count() == 1


def test_two_new_periods_clashing_with_each_other_point_at_the_later(
    atomic, administration, rentable
):
    operations = [
        add_period(rentable, 5, 8),
        add_period(rentable, 9, 10),
        add_period(rentable, 7, 9),
    ]

    response = atomic.operations(administration, operations)

    assert response.status_code == 409
    assert response.doc["errors"][0]["source"]["pointer"] == "/atomic:operations/2"
    assert not AgendaPeriod.objects.exists()


def test_periods_are_updated_and_removed_like_their_endpoints_do(atomic, administration, rentable):
    period = AgendaPeriodFactory(rentable=rentable, start_date=TODAY + dt.timedelta(days=20))
    gone = AgendaPeriodFactory(rentable=rentable, start_date=TODAY + dt.timedelta(days=40))
    update = {
        "op": "update",
        "ref": {"type": "agenda_period", "id": str(period.pk)},
        "data": {
            "type": "agenda_period",
            "id": str(period.pk),
            "attributes": {"label": "Painting", "end_date": day(30)},
        },
    }

    response = atomic.operations(administration, [update, remove("agenda_period", gone.pk)])

    assert response.status_code == 200, response.doc
    attributes = response.doc["atomic:results"][0]["data"]["attributes"]
    assert attributes["label"] == "Painting" and attributes["end_date"] == day(30)
    assert attributes["period_type"] == PeriodType.MAINTENANCE
    assert list(AgendaPeriod.objects.values_list("pk", flat=True)) == [period.pk]


@pytest.mark.parametrize(
    "period_type", [PeriodType.RESERVATION, PeriodType.OWNER_MAINTENANCE, None]
)
def test_only_maintenance_and_external_blocked_periods_may_be_added(
    atomic, administration, rentable, period_type
):
    operation = add_period(rentable, 5, 8, period_type=period_type)

    response = atomic.operations(administration, [operation])

    assert response.status_code == 422
    (error,) = response.doc["errors"]
    assert error["source"]["pointer"] == "/atomic:operations/0/data/attributes/period_type"
    assert "MaintenanceAgendaPeriod or ExternalBlockedAgendaPeriod" in error["detail"]
    assert not AgendaPeriod.objects.exists()


def test_other_periods_cannot_be_removed_or_retyped(atomic, administration, rentable):
    owner_period = AgendaPeriodFactory(rentable=rentable, period_type=PeriodType.OWNER_MAINTENANCE)
    maintenance = AgendaPeriodFactory(rentable=rentable, start_date=TODAY + dt.timedelta(days=40))
    retype = {
        "op": "update",
        "data": {
            "type": "agenda_period",
            "id": str(maintenance.pk),
            "attributes": {"period_type": PeriodType.EXTERNAL_BLOCKED},
        },
    }

    removed = atomic.operations(administration, [remove("agenda_period", owner_period.pk)])
    retyped = atomic.operations(administration, [retype])

    assert removed.status_code == 422
    assert removed.doc["errors"][0]["source"]["pointer"] == "/atomic:operations/0"
    assert (
        "MaintenanceAgendaPeriod or ExternalBlockedAgendaPeriod"
        in removed.doc["errors"][0]["detail"]
    )
    assert retyped.status_code == 422
    assert AgendaPeriod.objects.count() == 2
    maintenance.refresh_from_db()
    assert maintenance.period_type == PeriodType.MAINTENANCE


def test_an_operation_the_scopes_do_not_allow_is_403_naming_it(
    administration, make_key, category, rentable
):
    client = _client(administration, make_key, "stay_rule|write agenda_period|write")
    period = AgendaPeriodFactory(rentable=rentable)
    operations = [add_rule(category, 10, 20), remove("agenda_period", period.pk)]

    response = client.operations(administration, operations)

    assert response.status_code == 403
    (error,) = response.doc["errors"]
    assert error["code"] == "NO_VALID_SCOPE"
    assert error["source"]["pointer"] == "/atomic:operations/1"
    assert error["detail"].startswith("Operation 1 (remove agenda_period)")
    assert error["detail"].endswith(
        "One of the following scopes is required: agenda_period|delete."
    )
    assert not StayRule.objects.exists()
    assert AgendaPeriod.objects.filter(pk=period.pk).exists()


def test_a_target_elsewhere_is_404_at_its_operation(atomic, administration, category):
    foreign = StayRule.objects.create(
        administration=CategoryFactory().administration,
        category=CategoryFactory(),
        start_date=TODAY,
        end_date=TODAY + dt.timedelta(days=3),
    )

    response = atomic.operations(
        administration, [add_rule(category, 10, 20), remove("stay_rule", foreign.pk)]
    )

    assert response.status_code == 404
    assert response.doc["errors"][0]["source"]["pointer"] == "/atomic:operations/1"
    assert StayRule.objects.count() == 1


@pytest.mark.parametrize(
    "operation, status, pointer",
    [
        ({"op": "move"}, 400, "/atomic:operations/1/op"),
        ({"op": "remove", "href": "/v3/x"}, 400, "/atomic:operations/1/href"),
        (
            {"op": "add", "ref": {"type": "stay_rule", "id": "1", "relationship": "category"}},
            400,
            "/atomic:operations/1/ref/relationship",
        ),
        (
            {"op": "remove", "ref": {"type": "stay_rule", "lid": "later"}},
            400,
            "/atomic:operations/1/ref/lid",
        ),
        (
            {"op": "remove", "ref": {"type": "booking", "id": "1"}},
            422,
            "/atomic:operations/1/ref/type",
        ),
        (
            {"op": "add", "data": {"type": "stay_rule", "id": "9"}},
            403,
            "/atomic:operations/1/data/id",
        ),
        (
            {"op": "remove", "ref": {"type": "agenda_period", "lid": "a"}},
            409,
            "/atomic:operations/1/ref/lid",
        ),
    ],
)
def test_malformed_operations_are_refused_before_anything_runs(
    atomic, administration, category, operation, status, pointer
):
    response = atomic.operations(administration, [add_rule(category, 10, 20, lid="a"), operation])

    assert response.status_code == status, response.doc
    assert response.doc["errors"][0]["source"]["pointer"] == pointer
    assert not StayRule.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    [MEDIA_TYPE, f'{MEDIA_TYPE}; ext="https://example.com/ext/other"', "application/json"],
)
def test_operations_need_the_atomic_media_type(atomic, administration, category, content_type):
    response = atomic.operations(administration, [add_rule(category, 10, 20)], content_type)

    assert response.status_code == 415
    assert response.doc["errors"][0]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert ATOMIC in response.doc["errors"][0]["detail"]
    assert not StayRule.objects.exists()


def test_accept_without_the_extension_still_gets_the_results(atomic, administration, category):
    response = atomic.operations(
        administration, [add_rule(category, 10, 20)], HTTP_ACCEPT=MEDIA_TYPE
    )

    assert response.status_code == 200


def test_accept_with_only_another_extension_is_406(atomic, administration, category):
    other = f'{MEDIA_TYPE}; ext="https://example.com/ext/other"'

    response = atomic.operations(administration, [add_rule(category, 10, 20)], HTTP_ACCEPT=other)

    assert response.status_code == 406
    assert not StayRule.objects.exists()


def test_resource_endpoints_refuse_the_atomic_extension(api, administration, category):
    url = f"/v3/administrations/{administration.pk}/stay_rules"
    document = {"data": add_rule(category, 10, 20)["data"]}

    sent = api.post(url, json.dumps(document), content_type=ATOMIC)
    asked = api.get(url, HTTP_ACCEPT=ATOMIC)

    assert sent.status_code == 415
    assert asked.status_code == 406


def test_more_operations_than_the_cap_is_413_with_the_limit(
    atomic, administration, category, settings
):
    settings.OPERATIONS_MAX_OPERATIONS = 3

    response = atomic.operations(administration, [add_rule(category, i, i + 1) for i in range(4)])

    assert response.status_code == 413
    (error,) = response.doc["errors"]
    assert error["meta"] == {"max_operations": 3, "operations": 4}
    assert "at most 3 operations" in error["detail"]
    assert not StayRule.objects.exists()


def test_the_cap_is_25000_operations_by_default(settings):
    assert settings.OPERATIONS_MAX_OPERATIONS == 25_000


def test_the_body_limit_is_this_endpoints_own(atomic, administration, category, settings):
    # given: the general upload limit far below this body, which carries an Idempotency-Key
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    operations = [add_rule(category, i, i + 1) for i in range(20)]

    accepted = atomic.operations(administration, operations, HTTP_IDEMPOTENCY_KEY="big")
    settings.OPERATIONS_MAX_BODY_BYTES = 1000
    refused = atomic.operations(administration, operations)

    assert accepted.status_code == 200, accepted.doc
    assert refused.status_code == 413
    assert refused.doc["errors"][0]["meta"] == {"max_body_bytes": 1000}
    assert StayRule.objects.count() == 20


def test_an_idempotent_retry_replays_the_results_and_writes_nothing(
    atomic, administration, category
):
    operations = [add_rule(category, 10, 20), add_rule(category, 30, 40)]

    first = atomic.operations(administration, operations, HTTP_IDEMPOTENCY_KEY="prices-2027")
    again = atomic.operations(administration, operations, HTTP_IDEMPOTENCY_KEY="prices-2027")

    assert first.status_code == again.status_code == 200
    assert again.doc == first.doc
    assert again["Idempotent-Replayed"] == "true"
    assert StayRule.objects.count() == 2


def test_one_event_per_resource_and_none_on_rollback(
    atomic, administration, category, rentable, django_capture_on_commit_callbacks
):
    listen(administration)
    old = AgendaPeriodFactory(rentable=rentable, start_date=TODAY + dt.timedelta(days=50))
    operations = [
        add_rule(category, 10, 20, lid="a"),
        add_rule(category, 30, 40),
        add_period(rentable, 5, 8),
        add_period(rentable, 8, 9, period_type=PeriodType.EXTERNAL_BLOCKED),
        {
            "op": "update",
            "data": {"type": "stay_rule", "lid": "a", "attributes": {"closed_to_arrival": True}},
        },
        remove("agenda_period", old.pk),
    ]

    failed = atomic.operations(administration, [*operations, add_period(rentable, 5, 6)])
    assert failed.status_code == 409
    relay()
    assert not Event.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        response = atomic.operations(administration, operations)

    assert response.status_code == 200, response.doc
    relay()
    names = sorted(Event.objects.values_list("name", flat=True))
    assert names == [
        "agenda_period.created",
        "agenda_period.created",
        "agenda_period.deleted",
        "stay_rule.created",
        "stay_rule.created",
        "stay_rule.updated",
    ]
    ids = {e.data["id"] for e in Event.objects.filter(name="agenda_period.created")}
    results = response.doc["atomic:results"]
    assert ids == {results[2]["data"]["id"], results[3]["data"]["id"]}


def _queries_for(client, administration, operations) -> tuple[int, int]:
    """(statements other than INSERT, INSERT statements) the request costs."""
    with CaptureQueriesContext(connection) as captured:
        response = client.operations(administration, operations)
    assert response.status_code == 200, response.doc
    inserts = sum(q["sql"].startswith("INSERT") for q in captured.captured_queries)
    return len(captured) - inserts, inserts


def test_many_adds_of_one_type_cost_a_fixed_number_of_queries(atomic, administration, category):
    # given: a webhook endpoint listening (its events are stored in bulk too)
    listen(administration)
    other = CategoryFactory(administration=administration)
    _queries_for(atomic, administration, [add_rule(category, 300, 301)])  # the key's first use

    # when: 10 and then 200 adds, over two categories
    few = _queries_for(
        atomic, administration, [add_rule((category, other)[i % 2], i, i + 1) for i in range(10)]
    )
    many = _queries_for(
        atomic,
        administration,
        [add_rule((category, other)[i % 2], i, i + 1) for i in range(10, 210)],
    )

    # then: the same statements; inserts of many rows each (SQLite's parameter limit may
    # split 200 rows over a few)
    assert many[0] == few[0]
    assert few[1] <= 2  # the rules, and their events as one outbox row
    assert many[1] <= 2 * 4
    assert StayRule.objects.count() == 211
    relay()
    assert Event.objects.filter(name="stay_rule.created").count() == 211


def test_many_period_adds_cost_a_fixed_number_of_queries(atomic, administration, category):
    rentables = [RentableFactory(category=category) for _ in range(5)]

    def nights(first: int, count: int):
        return [add_period(rentables[i % 5], first + i, first + i + 1) for i in range(count)]

    _queries_for(atomic, administration, nights(300, 1))  # the key's first use
    few = _queries_for(atomic, administration, nights(0, 10))
    many = _queries_for(atomic, administration, nights(100, 200))

    assert many[0] == few[0]
    assert few[1] == 1 and many[1] <= 4
    assert AgendaPeriod.objects.count() == 211
