"""Include plans cannot N+1: on every collection and every include path of up to two
relationships, the number of queries does not depend on the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.core.park import extra_query, include_paths, list_routes, populate

PAGE_SIZES = (1, 30, 100)


def _queries(api, url) -> int:
    """Queries of one read, leaving out the key's once-a-minute ``last_used_at`` write."""
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return sum(not q["sql"].startswith('UPDATE "oauth_apikey"') for q in ctx.captured_queries)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_page_on_any_include_path(administration, api, settings):
    # given a park where every row points at different related rows
    settings.RATE_LIMIT_ENABLED = False
    populate(administration)
    growing = {}
    checked = 0
    for basename, path, serializer_class in list_routes(administration):
        for include in ["", *include_paths(serializer_class)]:
            query = "&".join(
                q for q in (extra_query(basename), include and f"include={include}") if q
            )
            api.get(f"{path}?{query}")  # warm what is cached per process
            # when the collection is read at three page sizes
            counts = [_queries(api, f"{path}?{query}&page[size]={size}") for size in PAGE_SIZES]
            # then each costs the same number of queries
            if len(set(counts)) != 1:
                growing[f"{basename} include={include}"] = counts
            checked += 1
    assert growing == {}
    assert checked > 50


@pytest.mark.django_db
def test_bookings_with_customer_and_rentables_take_at_most_eight_queries(
    administration, api, settings
):
    # given a park whose rentables mostly take their capacity from their category
    settings.RATE_LIMIT_ENABLED = False
    populate(administration)
    url = f"/v3/administrations/{administration.pk}/bookings?include=customer,reservations.rentable"
    api.get(url)
    # when the list is read
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url + "&page[size]=30")
    # then a handful of queries serve it, and the fallback capacity is right
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 8, [q["sql"][:120] for q in ctx.captured_queries]
    capacities = {
        r["attributes"]["name"]: r["attributes"]["max_number_of_people"]
        for r in response.json()["included"]
        if r["type"] == "rentable"
    }
    assert capacities == {"Unit 0": 6, "Unit 1": 3, "Unit 2": 4}
