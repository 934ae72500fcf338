"""GET /v3/administrations with fields and filters, under gunicorn, against a plain Django view.

Usage: python bench/administrations_list.py [--administrations 500] [--seconds 5]
(BENCH_DATABASE_URL picks the database; a fresh SQLite file otherwise.)
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import gunicorn, load, queries_per_request, setup_django  # noqa: E402


def seed(count: int) -> str:
    from django.contrib.auth import get_user_model

    from apps.administrations.models import Administration
    from apps.oauth.models import Application
    from tests.factories import access_token

    Administration.objects.all().delete()
    currencies = ["EUR", "GBP", "CHF", "USD"]
    Administration.objects.bulk_create(
        Administration(
            name=f"Park {i:05d}",
            currency=currencies[i % 4],
            timezone=["Europe/Amsterdam", "Europe/London", "Europe/Zurich", "America/New_York"][
                i % 4
            ],
            available_locales=["en", "nl"],
            description={"en": f"Park {i} by the sea", "nl": f"Park {i} aan zee"},
        )
        for i in range(count)
    )
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True}
    )
    app, _ = Application.objects.get_or_create(
        name="bench",
        defaults={"client_type": "confidential", "authorization_grant_type": "client-credentials"},
    )
    return access_token(application=app, user=user).token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--administrations", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    database = setup_django()
    token = seed(args.administrations)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.api+json"}
    api_path = (
        "/v3/administrations?fields[administration]=name,currency,utc_offset"
        "&filter[currency]=EUR,GBP&page[size]=30"
    )
    plain_path = "/bench/plain-administrations?currency=EUR,GBP&size=30"

    api_queries = queries_per_request(api_path, headers)
    plain_queries = queries_per_request(plain_path, {})
    with gunicorn() as base:
        api = load(base + api_path, headers, args.seconds, args.threads)
        plain = load(base + plain_path, {}, args.seconds, args.threads)

    print(
        f"database: {database.split(':')[0]}, {args.administrations} administrations, "
        f"page of 30, {args.threads} client threads, gunicorn 2 workers"
    )
    for name, result, queries in (("api", api, api_queries), ("plain", plain, plain_queries)):
        print(
            f"{name:>6}: {result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
            f"p95 {result['p95_ms']:6.1f} ms  {queries} queries/request  errors {result['errors']}"
        )
    print(f"ratio api/plain: {api['rps'] / plain['rps']:.2f}")


if __name__ == "__main__":
    main()
