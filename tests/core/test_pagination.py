"""Page numbers and cursors (the JSON:API cursor pagination profile) on every list route."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.utils import timezone

from apps.administrations.seed import seed_administration
from apps.agenda_periods.models import AgendaPeriod, PeriodType
from apps.agenda_periods.seed import seed_calendar
from apps.agreements.seed import seed_owners
from apps.bookings.seed import seed_bookings
from apps.calendars.models import ExternalCalendar
from apps.core import pagination
from apps.core.sorting import SortBackend
from apps.customers.models import Label
from apps.oauth.services import api_key_create
from apps.rates.seed import seed_rates
from apps.rentables.seed import seed_catalogue
from apps.stays.seed import seed_stay_rules
from apps.webhooks.models import Event, WebhookDelivery
from config.api_router import router
from tests.jsonapi import JsonApiClient

pytestmark = pytest.mark.django_db

PROFILE = "https://jsonapi.org/profiles/ethanresnick/cursor-pagination/"
SIZE = 2


def _extra_params(basename: str) -> str:
    today = timezone.localdate()
    if basename == "availability":
        arrival, departure = today + dt.timedelta(days=30), today + dt.timedelta(days=33)
        return f"filter[arrival_date]={arrival}&filter[departure_date]={departure}"
    if basename == "calendar_day":
        return f"filter[date]={today}..{today + dt.timedelta(days=3)}"
    return ""


def list_routes():
    routes = []
    for prefix, viewset, basename in router.registry:
        if not hasattr(viewset, "list"):
            continue
        routes.append(pytest.param(prefix, viewset, basename, id=basename))
    return routes


@pytest.fixture
def park(db, settings):
    """The demo park (every domain filled) plus rows for the lists it leaves thin."""
    settings.RATE_LIMIT_ENABLED = False  # the walks make thousands of requests
    administration = seed_administration()
    seed_catalogue(administration)
    seed_calendar(administration)
    seed_bookings(administration)
    seed_owners(administration)
    seed_stay_rules(administration)
    seed_rates(administration)
    _, key = api_key_create(administration=administration, scopes="all")
    api = JsonApiClient().authorize(key)
    base = f"/v3/administrations/{administration.pk}"
    for index in range(4):
        Label.objects.create(administration=administration, name=f"Label {index}")
        created = api.post(
            f"{base}/webhook_endpoints",
            {
                "data": {
                    "type": "webhook_endpoint",
                    "attributes": {"url": f"https://hooks{index}.example.com/in", "events": ["*"]},
                }
            },
        )
        assert created.status_code == 201, created.content
        event = Event.objects.create(
            administration=administration,
            name="booking.created",
            occurred_at=timezone.now(),
            document="{}",
        )
        WebhookDelivery.objects.create(
            endpoint_id=created.doc["data"]["id"],
            event=event,
            sequence=index + 1,
            next_attempt_at=None if index % 2 else timezone.now(),
        )
    rentables = list(administration.rentables.order_by("pk"))
    far = timezone.localdate() + dt.timedelta(days=1000)
    calendar, *_ = (
        ExternalCalendar.objects.create(
            administration=administration,
            rentable=rentables[index],
            name=f"Feed {index % 2}",
            ical_url=f"https://feeds.example.com/{index}.ics",
        )
        for index in range(3)
    )
    for index in range(4):
        start = far + dt.timedelta(days=10 * index)
        for offset, kind in enumerate((PeriodType.OWNER_MAINTENANCE, PeriodType.EXTERNAL_BLOCKED)):
            AgendaPeriod.objects.create(
                administration=administration,
                rentable=rentables[index % 2 + 2 * offset],
                period_type=kind,
                label="same label",
                start_date=start,
                end_date=start + dt.timedelta(days=3),
                external_calendar=calendar if kind == PeriodType.EXTERNAL_BLOCKED else None,
            )
    return administration, api


def _url(prefix: str, administration, basename: str, query: str = "") -> str:
    path = "/v3/" + prefix.replace("(?P<administration_id>[^/]+)", str(administration.pk))
    params = "&".join(p for p in (_extra_params(basename), query) if p)
    return f"{path}?{params}"


def _ids(document) -> list[tuple[str, str]]:
    return [(item["type"], item["id"]) for item in document["data"]]


def _numbered(api, url: str) -> list[tuple[str, str]]:
    """Every row through page numbers (the reference order)."""
    seen, number = [], 1
    while True:
        response = api.get(f"{url}&page[size]=100&page[number]={number}")
        assert response.status_code == 200, response.content
        seen += _ids(response.doc)
        if "next" not in response.doc["links"]:
            return seen
        number += 1


def _walk(api, url: str, backwards: bool, size: int = SIZE) -> list[tuple[str, str]]:
    """Every row by following ``links.next`` from the start (``links.prev`` from the end)."""
    start = "page[before]=" if backwards else "page[after]="
    response = api.get(f"{url}&{start}&page[size]={size}")
    seen: list[tuple[str, str]] = []
    for _ in range(500):
        assert response.status_code == 200, response.content
        page = _ids(response.doc)
        assert len(page) <= size
        assert response.doc["meta"]["page"]["size"] == size
        seen = page + seen if backwards else seen + page
        link = response.doc["links"]["prev" if backwards else "next"]
        if link is None:
            return seen
        assert page, "a link to a further page came with an empty page"
        response = api.get(link)
    raise AssertionError("the walk did not end")


def _sorts(viewset) -> list[str]:
    return ["id", *sorted(viewset().get_sort_fields())]


@pytest.mark.parametrize(("prefix", "viewset", "basename"), list_routes())
def test_cursor_walk_returns_every_row_once_in_order(park, prefix, viewset, basename):
    administration, api = park
    orders = [""]
    if SortBackend in viewset.filter_backends:
        # both directions of id, then every sortable attribute, alternating the direction
        for index, name in enumerate(_sorts(viewset)):
            orders += [f"sort=-{name}"] if index % 2 else [f"sort={name}"]
        orders.append("sort=-id")
    probe = api.get(_url(prefix, administration, basename, "page[size]=1")).doc["data"][0]
    # one attribute only: the order is what is under test, and rendering is the slow part
    fields = f"fields[{probe['type']}]={next(iter(probe['attributes']))}"
    for order in orders:
        url = _url(prefix, administration, basename, "&".join(filter(None, [order, fields])))
        expected = _numbered(api, url)
        assert len(set(expected)) == len(expected)
        # the default order in pages of two; sorts in three or four pages (crossing ties)
        size = SIZE if not order else max(SIZE, len(expected) // 3)
        forward = _walk(api, url, backwards=False, size=size)
        assert forward == expected, order
        backward = _walk(api, url, backwards=True, size=size)
        assert backward == expected, order


def test_the_demo_park_fills_the_lists_the_walk_covers(park):
    """The walk above is only worth something when the lists span several pages."""
    administration, api = park
    thin = []
    for param in list_routes():
        prefix, _, basename = param.values
        response = api.get(_url(prefix, administration, basename, "page[size]=100"))
        if basename not in ("administration", "amenity") and len(response.doc["data"]) <= SIZE:
            thin.append((basename, len(response.doc["data"])))
    assert thin == [], str(thin)


def _bookings(administration, query: str = "") -> str:
    return f"/v3/administrations/{administration.pk}/bookings?{query}"


def test_next_and_prev_follow_the_profile(park):
    administration, api = park
    first = api.get(_bookings(administration, "page[after]=&page[size]=2"))
    assert first.doc["links"]["prev"] is None
    assert "meta" not in first.doc["data"][0] or "page" not in first.doc["data"][0]["meta"]
    assert first.doc["meta"] == {"page": {"size": 2}}
    second = api.get(first.doc["links"]["next"])
    back = api.get(second.doc["links"]["prev"])
    assert _ids(back.doc) == _ids(first.doc)
    assert "page%5Bafter%5D=" in first.doc["links"]["first"]
    last = api.get(first.doc["links"]["last"])
    assert last.doc["links"]["next"] is None
    everything = _numbered(api, _bookings(administration, "sort=id"))
    assert _ids(last.doc) == everything[-2:]


def test_the_profile_in_accept_starts_a_cursor_walk(park):
    administration, api = park
    response = api.get(
        _bookings(administration, "page[size]=3"),
        HTTP_ACCEPT=f'application/vnd.api+json; profile="{PROFILE}"',
    )
    assert response.status_code == 200
    assert response.doc["meta"]["page"] == {"size": 3}
    assert "page%5Bafter%5D=" in response.doc["links"]["next"]
    assert response.doc["links"]["prev"] is None


def test_a_range_between_two_cursors(park):
    administration, api = park
    everything = _numbered(api, _bookings(administration, "sort=-created_at"))
    pages = api.get(_bookings(administration, "sort=-created_at&page[after]=&page[size]=1"))
    after = parse_qs(urlsplit(pages.doc["links"]["next"]).query)["page[after]"][0]
    further = api.get(pages.doc["links"]["next"])
    for _ in range(3):
        further = api.get(further.doc["links"]["next"])
    before = parse_qs(urlsplit(further.doc["links"]["next"]).query)["page[after]"][0]
    ranged = api.get(
        _bookings(administration, f"sort=-created_at&page[after]={after}&page[before]={before}")
    )
    assert _ids(ranged.doc) == everything[1:4]
    assert "rangeTruncated" not in ranged.doc["meta"]["page"]
    assert ranged.doc["meta"]["page"]["size"] == 100  # the max page size, as the profile says
    cut = api.get(
        _bookings(
            administration,
            f"sort=-created_at&page[after]={after}&page[before]={before}&page[size]=2",
        )
    )
    assert _ids(cut.doc) == everything[1:3]
    assert cut.doc["meta"]["page"]["rangeTruncated"] is True


def _cursor_of(api, url: str) -> str:
    response = api.get(url)
    return parse_qs(urlsplit(response.doc["links"]["next"]).query)["page[after]"][0]


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "eyJvIjoicGsifQ", "!!!", "a" * 300],
    ids=["word", "unsigned-json", "symbols", "long"],
)
def test_a_bad_cursor_is_400_naming_the_parameter(park, cursor):
    administration, api = park
    for param in ("page[after]", "page[before]"):
        response = api.get(_bookings(administration, f"{param}={cursor}"))
        assert response.status_code == 400
        error = response.doc["errors"][0]
        assert error["code"] == "FORBIDDEN_INPUT"
        assert error["source"] == {"parameter": param}


def test_a_forged_cursor_is_400(park):
    administration, api = park
    cursor = _cursor_of(api, _bookings(administration, "page[after]=&page[size]=1"))
    payload = signing.loads(cursor, salt=pagination.CURSOR_SALT)
    payload["k"][0] = ["s", "not a number"]  # would be a database error if it got that far
    forged = signing.dumps(payload, salt="another salt")
    response = api.get(_bookings(administration, f"page[after]={forged}"))
    assert response.status_code == 400
    assert response.doc["errors"][0]["source"] == {"parameter": "page[after]"}


def test_a_cursor_of_another_sort_is_400(park):
    administration, api = park
    cursor = _cursor_of(api, _bookings(administration, "sort=state&page[after]=&page[size]=1"))
    response = api.get(_bookings(administration, f"sort=-state&page[after]={cursor}"))
    assert response.status_code == 400
    assert "another sort" in response.doc["errors"][0]["detail"]
    assert response.doc["errors"][0]["source"] == {"parameter": "page[after]"}
    same = api.get(_bookings(administration, f"sort=state&page[after]={cursor}"))
    assert same.status_code == 200


def test_a_position_cursor_is_refused_by_a_keyset_list(park):
    administration, api = park
    prefix = "administrations/(?P<administration_id>[^/]+)/calendar_days"
    url = _url(prefix, administration, "calendar_day", "page[after]=&page[size]=2")
    cursor = _cursor_of(api, url)
    response = api.get(_bookings(administration, f"page[after]={cursor}"))
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["page[after]=&page[size]=101", "page[size]=101"])
def test_max_page_size_exceeded_is_the_profiles_error(park, query):
    administration, api = park
    response = api.get(_bookings(administration, query))
    assert response.status_code == 400
    error = response.doc["errors"][0]
    assert error["source"] == {"parameter": "page[size]"}
    assert error["meta"] == {"page": {"maxSize": 100}}
    assert error["links"] == {"type": PROFILE + "max-size-exceeded"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page[after]=&page[size]=0", "page[size]"),
        ("page[after]=&page[size]=-3", "page[size]"),
        ("page[after]=&page[number]=2", "page[number]"),
    ],
)
def test_invalid_page_parameters_are_400(park, query, parameter):
    administration, api = park
    response = api.get(_bookings(administration, query))
    assert response.status_code == 400
    assert response.doc["errors"][0]["source"] == {"parameter": parameter}


def test_page_parameters_are_refused_on_a_single_resource(park):
    administration, api = park
    booking = administration.bookings.order_by("pk").first()
    response = api.get(
        f"/v3/administrations/{administration.pk}/bookings/{booking.pk}?page[after]="
    )
    assert response.status_code == 400
    assert response.doc["errors"][0]["source"] == {"parameter": "page[after]"}


def test_a_row_deleted_meanwhile_shifts_no_row_past_the_cursor(park):
    administration, api = park
    url = f"/v3/administrations/{administration.pk}/labels?sort=name"
    everything = _numbered(api, url)
    first = api.get(f"{url}&page[after]=&page[size]=3")
    Label.objects.filter(pk=first.doc["data"][0]["id"]).delete()
    second = api.get(first.doc["links"]["next"])
    assert _ids(second.doc) == everything[3:6]  # page numbers would skip everything[3]


def test_a_deep_page_number_reads_ids_first_and_returns_the_same_rows(park, monkeypatch):
    administration, api = park
    shallow = [
        _ids(api.get(_bookings(administration, f"page[size]=3&page[number]={n}")).doc)
        for n in (2, 3)
    ]
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 1)
    deep = [
        _ids(api.get(_bookings(administration, f"page[size]=3&page[number]={n}")).doc)
        for n in (2, 3)
    ]
    assert deep == shallow
    included = api.get(
        _bookings(administration, "page[size]=3&page[number]=2&include=customer,reservations")
    )
    assert _ids(included.doc) == shallow[0]
    assert included.doc["included"]


def test_the_total_is_exact_up_to_the_limit_then_estimated(park, settings):
    administration, api = park
    count = administration.bookings.count()
    exact = api.get(_bookings(administration, "page[size]=2"))
    assert exact.doc["meta"]["pagination"] == {"total_records": count, "page": 1, "size": 2}
    settings.API_EXACT_COUNT_LIMIT = 3
    capped = api.get(_bookings(administration, "page[size]=2"))
    meta = capped.doc["meta"]["pagination"]
    if connection.vendor == "postgresql":
        assert meta["estimated"] is True
        assert meta["total_records"] >= 4  # at least the rows the capped count saw
    else:  # no planner estimate to read: the exact count
        assert meta == {"total_records": count, "page": 1, "size": 2}
    # past the estimated last page the rows are still looked for, not assumed away
    tail = api.get(_bookings(administration, f"page[size]=2&page[number]={count // 2}"))
    assert tail.status_code == 200
    assert len(tail.doc["data"]) == 2


def test_every_kind_of_sort_key_survives_a_cursor():
    import decimal
    import uuid

    values = [
        None,
        True,
        7,
        "naïve",
        dt.datetime(2026, 7, 1, 12, 30, tzinfo=dt.UTC),
        dt.date(2026, 7, 1),
        dt.time(14, 15),
        decimal.Decimal("12.50"),
        1.5,
        uuid.UUID(int=5),
    ]
    cursor = pagination.encode_cursor("a,-b", values)
    assert pagination.decode_cursor(cursor, "page[after]", "a,-b") == values
    assert all(
        type(a) is type(b)
        for a, b in zip(
            pagination.decode_cursor(cursor, "page[after]", "a,-b"), values, strict=True
        )
    )


def test_a_page_number_past_any_offset_is_an_empty_page(park, settings):
    # given a total past the exact-count limit (estimated on PostgreSQL: no last page is known)
    administration, api = park
    settings.API_EXACT_COUNT_LIMIT = 3
    # when a page is asked whose offset no database integer holds
    response = api.get(_bookings(administration, f"page[size]=100&page[number]={10**20}"))
    # then it is an empty page, not a database error
    assert response.status_code == 200
    assert response.doc["data"] == []
