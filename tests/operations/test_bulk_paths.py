"""The fast paths of bulk adds (validation through a field plan, rows cleaned per distinct
value, array inserts, events stored together) keep the single-resource contract."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.agenda_periods.models import AgendaPeriod
from apps.core.services import instances_clean
from apps.stays.models import StayRule
from apps.webhooks.models import Event, WebhookDelivery
from apps.webhooks.outbox import relay
from tests.operations.test_operations import TODAY, add_period, add_rule, day, listen

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"minimum_number_of_nights": -1}, "minimum_number_of_nights"),
        ({"minimum_number_of_nights": "x"}, "minimum_number_of_nights"),
        ({"arrival_weekdays": ["friday", "friday"]}, "arrival_weekdays"),
        ({"arrival_weekdays": ["funday"]}, "arrival_weekdays"),
        ({"closed_to_arrival": "sometimes"}, "closed_to_arrival"),
        ({"colour": "red"}, "colour"),
        ({"minimum_number_of_nights": 5, "maximum_number_of_nights": 2}, None),
    ],
)
def test_a_bad_document_among_good_ones_gets_the_single_endpoints_errors(
    atomic, api, administration, category, attributes, pointer
):
    # given: many adds with the same good values before and after the bad one
    good = {"minimum_number_of_nights": 2, "arrival_weekdays": ["friday"]}
    operations = [add_rule(category, i, i + 1, **good) for i in range(30)]
    operations.insert(17, add_rule(category, 100, 101, **attributes))
    single = api.post(
        f"/v3/administrations/{administration.pk}/stay_rules",
        json.dumps({"data": operations[17]["data"]}),
        content_type="application/vnd.api+json",
    )

    # when
    response = atomic.operations(administration, operations)

    # then: the same errors, each aimed at operation 17
    assert single.status_code == response.status_code == 422
    expected = [
        (
            f"Operation 17 (add stay_rule): {e['detail']}",
            "/atomic:operations/17" + e["source"]["pointer"],
        )
        for e in single.json()["errors"]
    ]
    assert [(e["detail"], e["source"]["pointer"]) for e in response.doc["errors"]] == expected
    if pointer is not None:
        assert expected[0][1].startswith(f"/atomic:operations/17/data/attributes/{pointer}")
    assert not StayRule.objects.exists()


def test_documents_with_the_same_values_get_values_of_their_own(atomic, administration, category):
    # given: two hundred adds sharing their weekdays, and one differing
    operations = [
        add_rule(category, i, i + 1, arrival_weekdays=["friday", "saturday"]) for i in range(200)
    ]
    operations.append(add_rule(category, 300, 301, arrival_weekdays=["monday"]))

    response = atomic.operations(administration, operations)

    assert response.status_code == 200, response.doc
    rules = list(StayRule.objects.order_by("pk"))
    assert len(rules) == 201
    assert [r.arrival_weekdays for r in rules[:200]] == [["friday", "saturday"]] * 200
    assert rules[200].arrival_weekdays == ["monday"]
    assert rules[0].start_date.isoformat() == day(0) and rules[199].end_date.isoformat() == day(200)
    results = response.doc["atomic:results"]
    assert [r["data"]["id"] for r in results] == [str(r.pk) for r in rules]
    # each result is its own object: changing one changes no other
    first, second = (StayRule.objects.get(pk=r.pk) for r in rules[:2])
    assert first.arrival_weekdays is not second.arrival_weekdays


def test_instances_clean_names_the_first_bad_row_with_full_cleans_errors(category):
    rules = [
        StayRule(
            administration=category.administration,
            category=category,
            start_date=TODAY,
            end_date=TODAY,
            arrival_weekdays=days,
        )
        for days in (["friday"], ["friday"], ["friday", "someday"], ["moonday"])
    ]
    expected = None
    try:
        rules[2].full_clean(exclude=["administration", "category"], validate_constraints=False)
    except ValidationError as exc:
        expected = exc.message_dict

    with pytest.raises(ValidationError) as caught:
        instances_clean(rules, exclude=["administration", "category"])

    assert expected is not None and caught.value.message_dict == expected
    assert caught.value.item_index == 2


TRICKY = [
    'a "quoted" label',
    "back\\slash and \\\\ two",
    "{braces}, commas, (parens)",
    "NULL",
    "",
    "ünïcødé — ✓",
    "line\nbreak\ttab",
]


def test_text_of_every_kind_goes_in_and_out_unchanged(
    atomic, administration, rentable, django_capture_on_commit_callbacks
):
    # given: periods whose labels hold what array literals and JSON escape, with a listener
    listen(administration)
    operations = [add_period(rentable, i, i + 1, label=label) for i, label in enumerate(TRICKY)]

    with django_capture_on_commit_callbacks(execute=False):
        response = atomic.operations(administration, operations)

    # then: the rows, the results, the events and the delivery bodies hold the labels as sent
    assert response.status_code == 200, response.doc
    periods = list(AgendaPeriod.objects.order_by("start_date"))
    assert [p.label for p in periods] == TRICKY
    assert [r["data"]["attributes"]["label"] for r in response.doc["atomic:results"]] == TRICKY
    relay()
    events = {e.data["id"]: e for e in Event.objects.all()}
    assert [events[str(p.pk)].data["attributes"]["label"] for p in periods] == TRICKY
    bodies = {
        d.event_id: json.loads(d.body) for d in WebhookDelivery.objects.select_related("event")
    }
    for period, label in zip(periods, TRICKY, strict=True):
        event = events[str(period.pk)]
        body = bodies[event.id]
        assert body["data"] == event.data
        assert body["data"]["attributes"]["label"] == label
        assert body["id"] == str(event.id) and body["event"] == "agenda_period.created"
    assert sorted(b["sequence"] for b in bodies.values()) == list(range(1, len(TRICKY) + 1))


def test_a_nul_character_or_deep_nesting_is_refused_with_its_pointer(
    atomic, administration, category
):
    nul = add_rule(category, 3, 4)
    nul["data"]["attributes"]["arrival_weekdays"] = ["fri\x00day"]
    deep = add_rule(category, 5, 6)
    nested: list = []
    deep["data"]["meta"] = {"x": nested}
    for _ in range(40):
        nested.append([])
        nested = nested[0]

    with_nul = atomic.operations(administration, [add_rule(category, 1, 2), nul])
    too_deep = atomic.operations(administration, [add_rule(category, 1, 2), deep])

    assert with_nul.status_code == too_deep.status_code == 400
    pointer = with_nul.doc["errors"][0]["source"]["pointer"]
    assert pointer == "/atomic:operations/1/data/attributes/arrival_weekdays/0"
    assert "deeper" in too_deep.doc["errors"][0]["detail"]
    assert not StayRule.objects.exists()


def test_an_escaped_backslash_before_u0000_is_no_nul(atomic, administration, category):
    operation = add_rule(category, 1, 2)
    operation["data"]["meta"] = {"note": "\\u0000 is how JSON writes NUL"}

    response = atomic.operations(administration, [operation])

    assert response.status_code == 200, response.doc


def test_the_outbox_keeps_every_event_of_a_rolled_back_savepoint_out(
    administration, category, django_capture_on_commit_callbacks
):
    from apps.stays.services import stay_rule_bulk_create
    from apps.webhooks.outbox import collecting

    listen(administration)
    items = [
        {"category": category, "start_date": TODAY, "end_date": TODAY.replace(year=TODAY.year + 1)}
    ]
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic(), collecting():
        stay_rule_bulk_create(administration=administration, items=items)
        try:
            with transaction.atomic():
                stay_rule_bulk_create(administration=administration, items=items * 3)
                raise RuntimeError("undone")
        except RuntimeError:
            pass

    assert StayRule.objects.count() == 1
    relay()
    assert Event.objects.count() == 1
