"""GET /v3/administrations and /v3/administrations/{id}: attributes, filters, sort, fields."""

import pytest

from apps.administrations.models import Administration
from apps.oauth.models import TokenGrant
from tests.factories import AdministrationFactory, ApplicationFactory, UserFactory, access_token
from tests.jsonapi import JsonApiClient, error_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_administration():
    """A superuser's token that was granted every park on the consent page, and the parks."""
    parks = [
        AdministrationFactory(
            name="Dune Park",
            currency="EUR",
            timezone="Europe/Amsterdam",
            available_locales=["en", "nl"],
            description={"en": "Sea and sand", "nl": "Zee en zand"},
        ),
        AdministrationFactory(
            name="Alpine Lodge",
            currency="CHF",
            timezone="Europe/Zurich",
            available_locales=["de", "fr"],
            description={"de": "Berge und Seen"},
        ),
        AdministrationFactory(
            name="Highland Cabins",
            currency="GBP",
            timezone="Europe/London",
            available_locales=["en"],
            phone="+44 1463 555000",
            description={},
        ),
        AdministrationFactory(
            name="Lake Cottages",
            currency="USD",
            timezone="America/New_York",
            available_locales=["en"],
            description={"en": "A lake in the woods"},
        ),
    ]
    admin = UserFactory(is_superuser=True)
    token = access_token(application=ApplicationFactory(), user=admin, administrations=parks)
    client = JsonApiClient().bearer(token.token)
    # Parks made later reach the token only when granted, as on a new consent page.
    client.grant = lambda *more: TokenGrant.objects.bulk_create(
        TokenGrant(access_token=token, administration=a) for a in more
    )
    return client, {p.name: p for p in parks}


def names(response):
    return [row["attributes"]["name"] for row in response.doc["data"]]


def test_show_has_every_attribute(api, administration):
    response = api.get(f"/v3/administrations/{administration.pk}")

    assert response.status_code == 200
    data = response.doc["data"]
    assert data["type"] == "administration"
    assert data["id"] == str(administration.pk)
    assert set(data["attributes"]) == {
        "name",
        "phone",
        "website",
        "description",
        "surroundings_description",
        "available_locales",
        "utc_offset",
        "timezone",
        "currency",
    }
    assert data["attributes"]["utc_offset"] in {"+01:00", "+02:00"}
    assert data["links"]["self"].endswith(f"/v3/administrations/{administration.pk}")


def test_accept_language_limits_localized_attributes(api, administration):
    everything = api.get(f"/v3/administrations/{administration.pk}")
    dutch = api.get(f"/v3/administrations/{administration.pk}", HTTP_ACCEPT_LANGUAGE="nl")
    regional = api.get(
        f"/v3/administrations/{administration.pk}", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )

    assert set(everything.doc["data"]["attributes"]["description"]) == {"en", "nl"}
    assert dutch.doc["data"]["attributes"]["description"] == {
        "nl": administration.description["nl"]
    }
    assert set(regional.doc["data"]["attributes"]["description"]) == {"en"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("filter[name]=Dune Park", ["Dune Park"]),
        ("filter[name]=~LODGE", ["Alpine Lodge"]),
        ("filter[name]=!~lodge", ["Dune Park", "Highland Cabins", "Lake Cottages"]),
        ("filter[currency]=EUR,GBP", ["Dune Park", "Highland Cabins"]),
        ("filter[currency]=!EUR,GBP", ["Alpine Lodge", "Lake Cottages"]),
        ("filter[name]=B..I", ["Dune Park", "Highland Cabins"]),
        ("filter[name]=L..", ["Lake Cottages"]),
        ("filter[name]=..B", ["Alpine Lodge"]),
        ("filter[description]=~zand", ["Dune Park"]),
        ("filter[description]=Berge und Seen", ["Alpine Lodge"]),
        ("filter[name|description]=~lake", ["Lake Cottages"]),
        ("filter[name|description]=~e", ["Dune Park", "Alpine Lodge", "Lake Cottages"]),
        ("filter[phone|timezone]=~london", ["Highland Cabins"]),
        ("filter[available_locales]=fr", ["Alpine Lodge"]),
        ("filter[available_locales]=nl,de", ["Dune Park", "Alpine Lodge"]),
        ("filter[available_locales]=!en", ["Alpine Lodge"]),
        ("filter[timezone]=Europe/Zurich", ["Alpine Lodge"]),
        ("filter[phone]=~1463", ["Highland Cabins"]),
        ("filter[website]=~alpine", ["Alpine Lodge"]),
        (
            "filter[surroundings_description]=~beach",
            ["Dune Park", "Alpine Lodge", "Highland Cabins", "Lake Cottages"],
        ),
    ],
)
def test_filters(every_administration, query, expected):
    client, _ = every_administration

    response = client.get(f"/v3/administrations?{query}")

    assert response.status_code == 200, response.doc
    assert sorted(names(response)) == sorted(expected)


def test_filter_on_id_list_and_dates(every_administration):
    client, parks = every_administration
    ids = f"{parks['Dune Park'].pk},{parks['Lake Cottages'].pk}"

    by_id = client.get(f"/v3/administrations?filter[id]={ids}")
    created_today = client.get("/v3/administrations?filter[created_at]=2000-01-01..")
    created_later = client.get("/v3/administrations?filter[created_at]=2999-01-01..")
    updated_until_today = client.get(
        "/v3/administrations?filter[updated_at]=..2999-01-01T00:00:00Z"
    )

    assert sorted(names(by_id)) == ["Dune Park", "Lake Cottages"]
    assert len(created_today.doc["data"]) == 4
    assert created_later.doc["data"] == []
    assert len(updated_until_today.doc["data"]) == 4


def test_filter_on_utc_offset_follows_each_time_zone(every_administration):
    client, parks = every_administration
    offset = parks["Lake Cottages"].utc_offset  # -05:00 or -04:00 depending on the date

    response = client.get(f"/v3/administrations?filter[utc_offset]={offset.replace('+', '%2B')}")
    negative = client.get("/v3/administrations?filter[utc_offset]=..-01:00")

    assert names(response) == ["Lake Cottages"]
    assert names(negative) == ["Lake Cottages"]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("filter[nope]=1", "filter[nope]"),
        ("filter[name|nope]=1", "filter[name|nope]"),
        ("filter[id]=abc", "filter[id]"),
        ("filter[created_at]=yesterday", "filter[created_at]"),
        ("filter[created_at]=~2020", "filter[created_at]"),
        ("filter[currency]=XXX", "filter[currency]"),
        ("filter[currency]=EUR..GBP&filter[available_locales]=a..b", "filter[available_locales]"),
        ("filter[name]=..", "filter[name]"),
        ("filter[id]=" + "1" * 30, "filter[id]"),
        ("filter[name]=" + "x" * 5000, "filter[name]"),
        ("filter[id]=" + ",".join(["1"] * 500), "filter[id]"),
        ("filter[utc_offset]=soon", "filter[utc_offset]"),
        ("filter[name]=a&filter[name]=b", "filter[name]"),
        ("sort=nope", "sort"),
        ("sort=description", "sort"),
        ("fields[administration]=name,nope", "fields[administration]"),
        ("fields[booking]=state", "fields[booking]"),
        ("include=category", "include"),
        ("include=", "include"),
        ("page[number]=0", "page[number]"),
        ("page[number]=-1", "page[number]"),
        ("page[number]=abc", "page[number]"),
        ("page[size]=0", "page[size]"),
        ("page[size]=101", "page[size]"),
        ("page[size]=99999999999999999999", "page[size]"),
        ("page[offset]=3", "page[offset]"),
        ("foo=bar", "foo"),
        ("sort=name&sort=phone", "sort"),
    ],
)
def test_bad_query_is_400_with_the_parameter(every_administration, query, parameter):
    client, _ = every_administration

    response = client.get(f"/v3/administrations?{query}")

    assert response.status_code == 400, response.content
    assert error_codes(response) == ["FORBIDDEN_INPUT"]
    assert response.doc["errors"][0]["source"] == {"parameter": parameter}


def test_collection_parameters_are_refused_on_a_single_resource(api, administration):
    response = api.get(f"/v3/administrations/{administration.pk}?page[size]=2")

    assert response.status_code == 400


def test_sort_ascending_descending_and_stable(every_administration):
    client, _ = every_administration
    client.grant(AdministrationFactory(name="Dune Park", currency="NOK"))

    ascending = client.get("/v3/administrations?sort=name")
    descending = client.get("/v3/administrations?sort=-name")
    by_currency_then_name = client.get("/v3/administrations?sort=currency,-name")

    assert names(ascending) == [
        "Alpine Lodge",
        "Dune Park",
        "Dune Park",
        "Highland Cabins",
        "Lake Cottages",
    ]
    first_dune = [r["id"] for r in ascending.doc["data"] if r["attributes"]["name"] == "Dune Park"]
    assert first_dune == sorted(first_dune, key=int)  # ties broken by id
    assert names(descending)[0] == "Lake Cottages"
    assert [r["attributes"]["currency"] for r in by_currency_then_name.doc["data"]] == [
        "CHF",
        "EUR",
        "GBP",
        "NOK",
        "USD",
    ]


def test_default_order_is_by_id(every_administration):
    client, _ = every_administration

    response = client.get("/v3/administrations")

    ids = [int(row["id"]) for row in response.doc["data"]]
    assert ids == sorted(ids)


def test_sparse_fieldset(every_administration):
    client, _ = every_administration

    response = client.get("/v3/administrations?fields[administration]=name,currency")
    empty = client.get("/v3/administrations?fields[administration]=")

    assert all(set(row["attributes"]) == {"name", "currency"} for row in response.doc["data"])
    assert all("attributes" not in row for row in empty.doc["data"])


class TestPagination:
    def test_links_and_meta(self, every_administration):
        client, _ = every_administration

        response = client.get("/v3/administrations?page[size]=3&page[number]=1")

        assert response.doc["meta"]["pagination"] == {"total_records": 4, "page": 1, "size": 3}
        links = response.doc["links"]
        assert "page%5Bnumber%5D=2" in links["next"]
        assert "page%5Bnumber%5D=2" in links["last"]
        assert "page%5Bnumber%5D=1" in links["first"]
        assert "prev" not in links
        assert len(response.doc["data"]) == 3

    def test_last_page(self, every_administration):
        client, _ = every_administration

        response = client.get("/v3/administrations?page[size]=3&page[number]=2")

        assert len(response.doc["data"]) == 1
        assert "next" not in response.doc["links"]
        assert "page%5Bnumber%5D=1" in response.doc["links"]["prev"]

    @pytest.mark.parametrize("number", ["3", "99999999999999999999999999"])
    def test_past_the_last_page_is_empty(self, every_administration, number):
        client, _ = every_administration

        response = client.get(f"/v3/administrations?page[size]=3&page[number]={number}")

        assert response.status_code == 200
        assert response.doc["data"] == []
        assert response.doc["meta"]["pagination"]["total_records"] == 4

    def test_default_size_is_30(self, every_administration):
        client, _ = every_administration
        client.grant(*AdministrationFactory.create_batch(30))

        response = client.get("/v3/administrations")

        assert len(response.doc["data"]) == 30
        assert response.doc["meta"]["pagination"] == {"total_records": 34, "page": 1, "size": 30}


def test_list_query_count_does_not_grow_with_rows(
    every_administration, django_assert_max_num_queries
):
    client, _ = every_administration
    # Token lookup, grants, count and rows: a fixed handful whatever the page holds.
    with django_assert_max_num_queries(8):
        small = client.get("/v3/administrations?page[size]=2")
    client.grant(*AdministrationFactory.create_batch(40))
    with django_assert_max_num_queries(8):
        large = client.get("/v3/administrations?page[size]=40")

    assert len(small.doc["data"]) == 2
    assert len(large.doc["data"]) == 40


def test_writes_are_not_allowed(api, administration):
    created = api.post(
        "/v3/administrations", {"data": {"type": "administration", "attributes": {}}}
    )
    deleted = api.delete(f"/v3/administrations/{administration.pk}")

    assert created.status_code == deleted.status_code == 405
    assert error_codes(created) == ["METHOD_NOT_ALLOWED"]
    assert Administration.objects.filter(pk=administration.pk).exists()
